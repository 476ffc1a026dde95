// SPDX-License-Identifier: MIT
#pragma once
// Test support: a field of /proc/self/status in KiB (VmRSS:, VmHWM:), -1 when unreadable.

#include <QFile>
#include <QList>

namespace ProcStatus {
inline qint64 kb(const char* field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray& line : lines) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}
} // namespace ProcStatus
