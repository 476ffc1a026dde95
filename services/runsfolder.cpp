// SPDX-License-Identifier: MIT
#include "services/runsfolder.h"

#include "services/backgroundio.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace RunsFolder {

const Limits& limits()
{
    static const Limits l = [] {
        Limits r;
        QSettings settings;
        const auto mib = [&](const QString& key, qint64 fallback) {
            bool ok = false;
            const qint64 v = settings.value(key).toLongLong(&ok);
            return ok && v >= 0 ? v << 20 : fallback;
        };
        r.folderCapBytes = mib(u"runs/folderCapMiB"_s, DefaultFolderCapBytes);
        r.streamCapBytes = mib(u"runs/streamCapMiB"_s, DefaultStreamCapBytes);
        bool ok = false;
        const int rows = settings.value(u"runs/resultRows"_s).toInt(&ok);
        r.resultRows = ok && rows >= 0 ? rows : DefaultResultRows;
        return r;
    }();
    return l;
}

QString defaultPath() { return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/runs"_s; }

QString pathOr(const QString& folder) { return folder.isEmpty() ? defaultPath() : folder; }

Pruned prune(const QString& folder, qint64 capBytes, const QStringList& keep)
{
    Pruned p;
    QDir dir(folder);
    if (folder.isEmpty() || !dir.exists())
        return p;
    QFileInfoList files;
    const QFileInfoList all = dir.entryInfoList(QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDir::NoSort);
    for (const QFileInfo& f : all) {
        const QString name = f.fileName();
        if (f.isSymLink() || !f.isFile())
            continue;
        if (!name.endsWith(u".stdout"_s) && !name.endsWith(u".stderr"_s) && !name.endsWith(u".tsv"_s))
            continue;
        files.append(f);
        p.remainingBytes += f.size();
    }
    if (capBytes <= 0)
        return p;
    std::stable_sort(files.begin(), files.end(),
        [](const QFileInfo& a, const QFileInfo& b) { return a.lastModified() < b.lastModified(); });
    for (const QFileInfo& f : std::as_const(files)) {
        if (p.remainingBytes <= capBytes)
            break;
        if (keep.contains(f.absoluteFilePath()))
            continue;
        const qint64 size = f.size();
        if (QFile::remove(f.absoluteFilePath())) {
            ++p.removed;
            p.removedBytes += size;
            p.remainingBytes -= size;
        }
    }
    return p;
}

void pruneInBackground(const QString& folder, qint64 capBytes, const QStringList& keep)
{
    if (capBytes <= 0)
        return;
    BackgroundIo::run([folder, capBytes, keep] { prune(folder, capBytes, keep); });
}

QString sizeText(qint64 bytes)
{
    const auto unit = [bytes](qint64 size, const QString& name) -> QString {
        const double v = double(bytes) / double(size);
        return (bytes % size == 0 ? QString::number(bytes / size) : QString::number(v, 'f', 1)) + u' ' + name;
    };
    if (bytes >= (qint64(1) << 30))
        return unit(qint64(1) << 30, u"GiB"_s);
    if (bytes >= (qint64(1) << 20))
        return unit(qint64(1) << 20, u"MiB"_s);
    if (bytes >= 1024)
        return unit(1024, u"KiB"_s);
    return u"%1 bytes"_s.arg(bytes);
}

} // namespace RunsFolder
