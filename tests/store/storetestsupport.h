// SPDX-License-Identifier: MIT
#pragma once
// Small helpers shared by the store tests (test code only).

#include "models/incident.h"
#include "services/incidentstore.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <functional>

namespace StoreTest {

using namespace Qt::StringLiterals;

inline IncidentDraft draft(const QString& title, Severity severity = Severity::P1)
{
    IncidentDraft d;
    d.title = title;
    d.severity = severity;
    d.environment = u"production"_s;
    d.impact = u"Users cannot log in"_s;
    return d;
}

inline QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

inline bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// Runs work with a raw Qt Sql connection to path (no migrations, no pragmas but foreign keys), then closes it.
inline void withRawConnection(const QString& path, const std::function<void(QSqlDatabase&)>& work)
{
    static int counter = 0;
    const QString name = u"raw-%1"_s.arg(++counter);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery(db).exec(u"PRAGMA foreign_keys = ON"_s);
            work(db);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

// The statements of an .sql file ("--" comment lines dropped, split at ";" ending a line; no triggers).
inline QStringList sqlStatements(const QString& file)
{
    QStringList lines;
    const QString text = QString::fromUtf8(fileBytes(file));
    for (const QString& line : text.split(u'\n')) {
        if (!line.trimmed().startsWith(u"--"_s))
            lines.append(line);
    }
    QStringList statements;
    QString pending; // a CREATE TRIGGER's body has ";\n" inside: keep it together up to its END
    for (const QString& s : lines.join(u'\n').split(u";\n"_s)) {
        QString t = pending.isEmpty() ? s.trimmed() : pending + u";\n"_s + s.trimmed();
        pending.clear();
        if (t.startsWith(u"CREATE TRIGGER"_s) && !t.endsWith(u"END"_s) && !t.endsWith(u"END;"_s)) {
            pending = t;
            continue;
        }
        if (t.endsWith(u';'))
            t.chop(1);
        if (!t.isEmpty())
            statements.append(t);
    }
    return statements;
}

// The schema objects of a database, for comparing two files: "type name: sql" lines in name order.
inline QStringList schemaOf(QSqlDatabase& db)
{
    QStringList objects;
    QSqlQuery q(db);
    q.exec(u"SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"_s);
    while (q.next())
        objects.append(q.value(0).toString() + u' ' + q.value(1).toString() + u": "_s + q.value(2).toString());
    return objects;
}

inline QByteArray sha256(const QString& path)
{
    return QCryptographicHash::hash(fileBytes(path), QCryptographicHash::Sha256).toHex();
}

// A store of at least minBytes through the product's own API: one incident, many events with a detail of
// detailBytes each. Closed cleanly (no -wal left).
inline bool buildStore(const QString& path, qint64 minBytes, int detailBytes, qint64* incidentId)
{
    constexpr qint64 t0 = 1'750'000'000'000;
    IncidentStore store(path);
    if (!store.open()) {
        qWarning("open failed: %s", qPrintable(store.lastError().message));
        return false;
    }
    const StoreChange created = store.createIncident(draft(u"Login outage"_s), u"alice"_s, t0);
    if (!created.ok) {
        qWarning("createIncident failed: %s", qPrintable(created.error.message));
        return false;
    }
    *incidentId = created.incident.id;
    const QString filler = QString(detailBytes, u'x');
    for (int i = 0;; ++i) {
        if (i % 100 == 0 && QFileInfo(path).size() >= minBytes)
            break;
        const StoreChange c = store.appendEvent(*incidentId, u"command.finished"_s, u"Step %1 done"_s.arg(i),
            { { u"n"_s, i }, { u"output"_s, filler } }, u"alice"_s, t0 + i);
        if (!c.ok) {
            qWarning("appendEvent failed: %s", qPrintable(c.error.message));
            return false;
        }
    }
    store.close();
    return !QFileInfo::exists(path + u"-wal"_s) && QFileInfo(path).size() >= minBytes;
}

// Overwrites three 4 KiB pages in the middle of the file with random bytes.
inline bool damageMiddle(const QString& path)
{
    constexpr qint64 pageSize = 4096;
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite))
        return false;
    const qint64 pages = f.size() / pageSize;
    QByteArray garbage(3 * pageSize, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32*>(garbage.data()), garbage.size() / 4);
    return f.seek((pages / 2) * pageSize) && f.write(garbage) == garbage.size() && f.flush();
}

inline QString appenderPath() { return QCoreApplication::applicationDirPath() + u"/store_appender"_s; }

} // namespace StoreTest
