// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

// The runs folder (<AppLocalDataLocation>/runs unless a caller names another): the output files of command runs
// (.stdout/.stderr) and the .tsv results of SQL steps. Everything in it is bounded (docs/WIZARD.md, "Bounds"):
// each stream's file, the rows of a SQL result kept in memory, and the folder's total size, oldest files deleted
// first. Only regular files directly in the folder whose names end in .stdout, .stderr or .tsv are counted and
// deleted: never a symbolic link, a subfolder, or any other file (the incident store lives in the folder above).
namespace RunsFolder {

inline constexpr qint64 DefaultFolderCapBytes = qint64(2) << 30; // 2 GiB
inline constexpr qint64 DefaultStreamCapBytes = qint64(256) << 20; // 256 MiB per stream of a command
inline constexpr int DefaultResultRows = 10000; // rows of a SQL step's result kept in memory (all go to the file)

// The caps in effect: QSettings runs/folderCapMiB, runs/streamCapMiB and runs/resultRows (0 = no cap), read once on
// first use (call it from the GUI thread at start), else the defaults above. Any thread after that.
struct Limits {
    qint64 folderCapBytes = DefaultFolderCapBytes;
    qint64 streamCapBytes = DefaultStreamCapBytes;
    int resultRows = DefaultResultRows;
};
const Limits& limits();

QString defaultPath();
QString pathOr(const QString& folder); // folder, or defaultPath() when empty

struct Pruned {
    int removed = 0;
    qint64 removedBytes = 0;
    qint64 remainingBytes = 0;
};
// Deletes the oldest run files (by modification time) until the folder's run files total at most capBytes; files
// named in keep (absolute paths: a run being written) are counted but never deleted. capBytes ≤ 0: nothing is
// deleted. Blocks on the disk: any thread but the GUI thread.
Pruned prune(const QString& folder, qint64 capBytes, const QStringList& keep = {});
// prune() queued on the BackgroundIo worker (call from the GUI thread).
void pruneInBackground(const QString& folder, qint64 capBytes, const QStringList& keep = {});

// "256 MiB", "1.5 GiB", "300 KiB", "12 bytes".
QString sizeText(qint64 bytes);

} // namespace RunsFolder
