// SPDX-License-Identifier: MIT
#include "services/storesalvage.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QThread>

using namespace Qt::StringLiterals;

namespace {

QAtomicInteger<quint64> g_salvageCounter;

constexpr qint64 ProbeLimit = 1'000'000; // rowids tried past the last readable one when the highest is unknown

struct Walk {
    QSqlDatabase db;
    QSaveFile* out = nullptr;
    StoreSalvage::Result* result = nullptr;
    bool writeFailed = false;

    void write(const QJsonObject& line)
    {
        if (writeFailed)
            return;
        const QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
        if (out->write(bytes) != bytes.size())
            writeFailed = true;
    }

    void writeRow(const QString& table, const QSqlQuery& q)
    {
        const QSqlRecord record = q.record();
        QJsonObject row;
        for (int i = 1; i < record.count(); ++i) { // 0 is the rowid
            const QVariant v = record.value(i);
            row.insert(record.fieldName(i), v.isNull() ? QJsonValue() : QJsonValue::fromVariant(v));
        }
        write({ { u"type"_s, u"row"_s }, { u"table"_s, table }, { u"row"_s, row } });
        ++result->rows;
        if (table == u"incidents")
            ++result->incidents;
        else if (table == u"events")
            ++result->events;
    }

    void lost(const QString& table, qint64 from, qint64 to)
    {
        if (to >= 0 && to < from)
            return;
        write({ { u"type"_s, u"lost"_s }, { u"table"_s, table }, { u"from"_s, from },
            { u"to"_s, to < 0 ? QJsonValue() : QJsonValue(to) } });
        result->lost.append({ table, from, to });
        result->lostRows += to < 0 ? 0 : to - from + 1;
    }

    // The highest rowid the table has had, or -1 when it cannot be read.
    qint64 highest(const QString& table)
    {
        QSqlQuery q(db);
        if (q.prepare(u"SELECT seq FROM sqlite_sequence WHERE name = ?"_s)) {
            q.addBindValue(table);
            if (q.exec() && q.next())
                return q.value(0).toLongLong();
        }
        QSqlQuery m(db);
        if (m.exec(u"SELECT max(rowid) FROM "_s + table) && m.next() && !m.value(0).isNull())
            return m.value(0).toLongLong();
        return -1;
    }

    // Walks one table in rowid order, stepping over what cannot be read. False when none of it could be read.
    bool table(const QString& name, const std::function<void(qint64)>& progressed, const std::function<bool()>& stop)
    {
        const qint64 top = highest(name);
        const QString scan = u"SELECT rowid, * FROM "_s + name + u" WHERE rowid > ? ORDER BY rowid"_s;
        const QString point = u"SELECT rowid, * FROM "_s + name + u" WHERE rowid = ?"_s;
        qint64 cursor = std::numeric_limits<qint64>::min();
        bool readAny = false;
        for (;;) {
            QSqlQuery q(db);
            q.setForwardOnly(true);
            bool failed = !q.prepare(scan);
            if (!failed) {
                q.addBindValue(cursor);
                failed = !q.exec();
            }
            if (!failed) {
                readAny = true;
                while (q.next()) {
                    cursor = q.value(0).toLongLong();
                    writeRow(name, q);
                    progressed(cursor);
                    if (stop && stop())
                        return readAny;
                }
                failed = q.lastError().isValid();
            }
            if (!failed)
                return true;
            if (cursor == std::numeric_limits<qint64>::min() && !readAny) {
                // Not even the first row: the table itself (or the schema) cannot be read.
                QSqlQuery probe(db);
                if (!probe.prepare(point))
                    return false;
                cursor = 0;
            }
            // Damaged after cursor: try rowids one at a time until one reads again.
            const qint64 from = cursor + 1;
            const qint64 last = top >= 0 ? top : from + ProbeLimit;
            qint64 found = -1;
            QSqlQuery p(db);
            p.setForwardOnly(true);
            if (!p.prepare(point))
                return readAny;
            for (qint64 r = from; r <= last; ++r) {
                if (stop && stop())
                    return readAny;
                p.bindValue(0, r);
                if (p.exec() && p.next()) {
                    found = r;
                    break;
                }
                p.finish();
                if ((r & 1023) == 0)
                    progressed(r);
            }
            if (found < 0) {
                lost(name, from, top >= 0 ? top : -1);
                return readAny;
            }
            lost(name, from, found - 1);
            readAny = true;
            writeRow(name, p);
            p.finish();
            cursor = found;
        }
    }
};

} // namespace

StoreSalvage::Result StoreSalvage::exportReadable(const QString& storePath, const QString& outputPath,
    const std::function<void(int)>& progress, const std::function<bool()>& cancelled)
{
    Result result;
    const QString file = QFileInfo(storePath).absoluteFilePath();
    if (!QFileInfo::exists(file)) {
        result.error = tr("There is no incident store at %1.").arg(file);
        return result;
    }
    QSaveFile out(outputPath);
    if (!out.open(QIODevice::WriteOnly)) {
        result.error = tr("Cannot write %1: %2. Choose another file.").arg(outputPath, out.errorString());
        return result;
    }
    const QString name = u"petforce-salvage-%1"_s.arg(g_salvageCounter.fetchAndAddOrdered(1));
    {
        Walk walk;
        walk.db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        walk.db.setDatabaseName(file);
        walk.db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s);
        walk.out = &out;
        walk.result = &result;
        if (!walk.db.open()) {
            result.error = tr("Cannot read %1: %2").arg(file, walk.db.lastError().text());
        } else {
            walk.write({ { u"type"_s, u"salvage"_s }, { u"store"_s, file },
                { u"exported_ms"_s, QDateTime::currentMSecsSinceEpoch() }, { u"format"_s, 1 } });
            const QStringList tables { u"incidents"_s, u"events"_s, u"postmortems"_s };
            bool readAny = false;
            for (int t = 0; t < tables.size() && !(cancelled && cancelled()); ++t) {
                const qint64 top = std::max<qint64>(1, walk.highest(tables.at(t)));
                auto progressed = [&](qint64 rowid) {
                    if (progress)
                        progress(int((t * 100 + std::clamp<qint64>(rowid * 100 / top, 0, 100)) / tables.size()));
                };
                if (walk.table(tables.at(t), progressed, cancelled))
                    readAny = true;
                else
                    walk.lost(tables.at(t), 1, -1);
            }
            walk.write({ { u"type"_s, u"end"_s }, { u"rows"_s, result.rows }, { u"lost"_s, result.lostRows },
                { u"complete"_s, result.lost.isEmpty() } });
            if (cancelled && cancelled())
                result.error = tr("The export was stopped; nothing was written.");
            else if (!readAny)
                result.error = tr("Nothing could be read from %1: its schema is damaged too.").arg(file);
            else if (walk.writeFailed || !out.commit())
                result.error = tr("Could not write %1: %2. Free some space or choose another file.")
                                   .arg(outputPath, out.errorString());
            else
                result.ok = true;
        }
        walk.db.close();
        walk.db = QSqlDatabase();
    }
    QSqlDatabase::removeDatabase(name);
    if (!result.ok)
        out.cancelWriting();
    return result;
}

QString StoreSalvage::summary(const Result& result)
{
    if (!result.ok)
        return result.error;
    const QLocale locale;
    auto counted = [&locale](qint64 n, const QString& one, const QString& many) -> QString {
        return locale.toString(n) + u' ' + (n == 1 ? one : many);
    };
    QString text = tr("%1 and %2 exported")
                       .arg(counted(result.incidents, tr("incident"), tr("incidents")),
                           counted(result.events, tr("event"), tr("events")));
    if (result.lost.isEmpty())
        return text + tr("; nothing was lost.");
    qint64 lostEvents = 0;
    qsizetype eventRanges = 0;
    bool unknown = false;
    for (const Lost& l : result.lost) {
        if (l.to < 0)
            unknown = true;
        else if (l.table == u"events") {
            lostEvents += l.to - l.from + 1;
            ++eventRanges;
        }
    }
    text += result.lost.size() == 1 ? tr("; 1 damaged range could not be read")
                                    : tr("; %1 damaged ranges could not be read").arg(result.lost.size());
    if (eventRanges > 0)
        text += tr(" (up to %1 events)").arg(locale.toString(lostEvents));
    if (unknown)
        text += tr(", and a table's end is unknown");
    return text + u'.';
}

StoreSalvage::StoreSalvage(QObject* parent)
    : QObject(parent)
{
}

StoreSalvage::~StoreSalvage()
{
    if (m_thread) {
        *m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool StoreSalvage::start(const QString& storePath, const QString& outputPath)
{
    if (m_thread)
        return false;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const std::shared_ptr<std::atomic<bool>> cancel = m_cancel;
    StoreSalvage* self = this; // the destructor waits for the thread: it outlives it
    m_thread = QThread::create([self, cancel, storePath, outputPath] {
        auto lastPercent = std::make_shared<int>(-1);
        const Result result = exportReadable(
            storePath, outputPath,
            [self, lastPercent](int percent) {
                if (percent == *lastPercent)
                    return;
                *lastPercent = percent;
                QMetaObject::invokeMethod(
                    self, [self, percent] { Q_EMIT self->progress(percent); }, Qt::QueuedConnection);
            },
            [cancel] { return cancel->load(); });
        QMetaObject::invokeMethod(
            self,
            [self, result, outputPath] {
                self->m_thread->wait();
                delete self->m_thread;
                self->m_thread = nullptr;
                Q_EMIT self->finished(result, outputPath);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(u"petforce-salvage"_s);
    m_thread->start();
    return true;
}

#include "moc_storesalvage.cpp"
