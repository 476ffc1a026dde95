// SPDX-License-Identifier: MIT
#include "services/atomicfilewriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
std::atomic<qint64> g_failAfter { -1 };

QString tr(const char* text) { return QCoreApplication::translate("AtomicFileWriter", text); }

bool syncFolder(const QString& folder, QString* error)
{
    const int fd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int e = errno;
        if (fd >= 0)
            ::close(fd);
        if (error)
            *error = tr("The file was written, but its folder %1 could not be synced: %2")
                         .arg(folder, QString::fromLocal8Bit(std::strerror(e)));
        return false;
    }
    ::close(fd);
    return true;
}
} // namespace

void AtomicFileWriter::injectFailureAfter(qint64 bytes) { g_failAfter = bytes; }

bool AtomicFileWriter::write(const QString& path, const QByteArray& bytes, QString* error)
{
    const QString folder = QFileInfo(path).absolutePath();
    const auto fail = [&](const QString& why) {
        if (error)
            *error = tr("Could not save %1: %2. The previous file, if any, is unchanged.").arg(path, why);
        return false;
    };
    if (!QDir().mkpath(folder))
        return fail(tr("cannot create the folder %1").arg(folder));
    QSaveFile file(path);
    // Unbuffered: a write error (ENOSPC) reaches write() itself. Buffered, Qt 6.4's QSaveFile lost the error of the
    // final flush and committed an empty file over the previous one (seen on a full tmpfs).
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return fail(file.errorString());
    const qint64 failAfter = g_failAfter.exchange(-1);
    if (failAfter >= 0) {
        file.write(bytes.left(failAfter));
        file.cancelWriting();
        return fail(QString::fromLocal8Bit(std::strerror(ENOSPC)));
    }
    if (file.write(bytes) != bytes.size() || !file.flush() || file.error() != QFileDevice::NoError) {
        const QString why = file.errorString();
        file.cancelWriting();
        return fail(why);
    }
    if (!file.commit())
        return fail(file.errorString());
    return syncFolder(folder, error);
}
