// SPDX-License-Identifier: MIT
#include "models/commandaudit.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

QJsonObject CommandAudit::toJson() const
{
    return QJsonObject {
        { u"run"_s, runId },
        { u"source"_s, source },
        { u"title"_s, title },
        { u"kind"_s, kind },
        { u"environment"_s, environment },
        { u"command"_s, command },
        { u"parameters"_s, parameters },
        { u"risk"_s, risk },
        { u"confirmation"_s, confirmation },
    };
}

CommandAudit CommandAudit::fromJson(const QJsonObject& detail)
{
    CommandAudit a;
    a.runId = detail.value(u"run"_s).toString();
    a.source = detail.value(u"source"_s).toString();
    a.title = detail.value(u"title"_s).toString();
    a.kind = detail.value(u"kind"_s).toString();
    a.environment = detail.value(u"environment"_s).toString();
    a.command = detail.value(u"command"_s).toString();
    a.parameters = detail.value(u"parameters"_s).toObject();
    a.risk = detail.value(u"risk"_s).toString();
    a.confirmation = detail.value(u"confirmation"_s).toString();
    return a;
}

QJsonObject CommandOutcome::toJson() const
{
    QJsonObject o {
        { u"status"_s, status },
        { u"durationMs"_s, durationMs },
    };
    if (exitCode >= 0)
        o.insert(u"exitCode"_s, exitCode);
    if (rows >= 0)
        o.insert(u"rows"_s, rows);
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    if (!excerpt.isEmpty())
        o.insert(u"excerpt"_s, excerpt);
    if (!outputPath.isEmpty())
        o.insert(u"output"_s, outputPath);
    if (!sha256.isEmpty())
        o.insert(u"sha256"_s, sha256);
    if (!note.isEmpty())
        o.insert(u"note"_s, note);
    if (!stderrTail.isEmpty())
        o.insert(u"stderr"_s, stderrTail);
    if (!stderrPath.isEmpty())
        o.insert(u"stderrFile"_s, stderrPath);
    if (!resultColumns.isEmpty()) {
        o.insert(u"resultColumns"_s, QJsonArray::fromStringList(resultColumns));
        QJsonArray list;
        for (const QStringList& row : resultRows)
            list.append(QJsonArray::fromStringList(row));
        o.insert(u"resultRows"_s, list);
    }
    return o;
}

CommandOutcome CommandOutcome::fromJson(const QJsonObject& detail)
{
    CommandOutcome o;
    o.status = detail.value(u"status"_s).toString();
    o.exitCode = detail.value(u"exitCode"_s).toInt(-1);
    o.durationMs = detail.value(u"durationMs"_s).toInteger();
    o.rows = detail.value(u"rows"_s).toInteger(-1);
    o.error = detail.value(u"error"_s).toString();
    o.excerpt = detail.value(u"excerpt"_s).toString();
    o.outputPath = detail.value(u"output"_s).toString();
    o.sha256 = detail.value(u"sha256"_s).toString();
    o.note = detail.value(u"note"_s).toString();
    o.stderrTail = detail.value(u"stderr"_s).toString();
    o.stderrPath = detail.value(u"stderrFile"_s).toString();
    for (const QJsonValue& c : detail.value(u"resultColumns"_s).toArray())
        o.resultColumns.append(c.toString());
    for (const QJsonValue& r : detail.value(u"resultRows"_s).toArray()) {
        QStringList cells;
        for (const QJsonValue& c : r.toArray())
            cells.append(c.toString());
        o.resultRows.append(cells);
    }
    return o;
}

QString CommandOutcome::firstStderrLine() const
{
    const QStringList lines = stderrTail.split(u'\n');
    for (const QString& line : lines) {
        const QString t = line.trimmed();
        if (!t.isEmpty())
            return t.left(200);
    }
    return {};
}

void CommandOutcome::setRows(const QStringList& columnNames, const QList<QStringList>& allRows)
{
    resultColumns = columnNames;
    resultRows.clear();
    for (const QStringList& row : allRows) {
        if (resultRows.size() >= RowsKept)
            break;
        QStringList cells;
        for (const QString& cell : row)
            cells.append(cell.size() > CellChars ? cell.left(CellChars) + u'…' : cell);
        resultRows.append(cells);
    }
}

QList<CommandAudit> unfinishedRuns(const QList<TimelineEvent>& events)
{
    QSet<QString> finished;
    for (const TimelineEvent& e : events) {
        if (e.kind == QStringView(AuditKind::Finished))
            finished.insert(e.detail.value(u"run"_s).toString());
    }
    QList<CommandAudit> open;
    for (const TimelineEvent& e : events) {
        if (e.kind == QStringView(AuditKind::Started)) {
            const CommandAudit a = CommandAudit::fromJson(e.detail);
            if (!finished.contains(a.runId))
                open.append(a);
        }
    }
    return open;
}
