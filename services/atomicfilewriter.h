// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

// Writes a whole file atomically and durably: QSaveFile (a temporary beside the target, renamed over it on
// commit), fsync of the file by QSaveFile, then fsync of the folder so that the rename survives a power loss.
// On any failure (disk full, permission, I/O) the previous file is left exactly as it was and the error says so.
// Synchronous, any thread; small documents only (a post-mortem, a draft).
class AtomicFileWriter {
public:
    // true on success; otherwise *error (if given) says what failed, for people.
    static bool write(const QString& path, const QByteArray& bytes, QString* error = nullptr);
    // For tests: the next write() fails after writing this many bytes (negative: never), as a full disk would.
    static void injectFailureAfter(qint64 bytes);
};
