// SPDX-License-Identifier: MIT
#include "models/postmortemdraft.h"

#include "models/commandaudit.h"
#include "models/severity.h"

#include <QDateTime>
#include <QHash>
#include <QJsonValue>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace {

QString noteText(const TimelineEvent& e)
{
    const QString text = e.detail.value(u"text"_s).toString();
    return text.isEmpty() ? e.summary : text;
}

bool startsWithLabel(const QString& text, QStringView label)
{
    return text.trimmed().startsWith(label, Qt::CaseInsensitive);
}

QString afterLabel(const QString& text)
{
    const qsizetype colon = text.indexOf(u':');
    return colon < 0 ? text.trimmed() : text.mid(colon + 1).trimmed();
}

bool isRootCause(const TimelineEvent& e)
{
    return e.kind == QStringView(PostmortemKind::RootCause)
        || (e.kind == QStringView(EventKind::Note) && startsWithLabel(noteText(e), u"Root cause:"));
}

bool isFixDeployed(const TimelineEvent& e)
{
    return e.kind == QStringView(PostmortemKind::FixDeployed)
        || (e.kind == QStringView(EventKind::Note) && startsWithLabel(noteText(e), u"Fix deployed:"));
}

QString oneLine(const QString& text) { return text.simplified(); }

QString commandLine(const TimelineEvent& e)
{
    const CommandAudit audit = CommandAudit::fromJson(e.detail);
    const CommandOutcome outcome = CommandOutcome::fromJson(e.detail);
    const QString what = audit.title.isEmpty() ? oneLine(audit.command) : audit.title;
    QString result = outcome.status.isEmpty() ? u"finished"_s : outcome.status;
    if (outcome.exitCode >= 0)
        result += u", exit %1"_s.arg(outcome.exitCode);
    if (outcome.rows >= 0)
        result += u", %1 rows"_s.arg(outcome.rows);
    if (!outcome.error.isEmpty())
        result += u": "_s + oneLine(outcome.error);
    const QString where = audit.environment.isEmpty() ? QString() : u" in "_s + audit.environment;
    return u"Ran `%1`%2: %3"_s.arg(oneLine(what).replace(u'`', u'\''), where, result);
}

// Alert state changes on the timeline: "alert.fired" (the incident opened from the alert), then "alert.firing",
// "alert.resolved" (MetricsService, while the rule is linked to the incident). "alert.pending" is not a line.
namespace AlertKind {
    inline constexpr char16_t Fired[] = u"alert.fired";
    inline constexpr char16_t Firing[] = u"alert.firing";
    inline constexpr char16_t Resolved[] = u"alert.resolved";
} // namespace AlertKind

bool isAlertLine(const TimelineEvent& e)
{
    return e.kind == QStringView(AlertKind::Fired) || e.kind == QStringView(AlertKind::Firing)
        || e.kind == QStringView(AlertKind::Resolved);
}

// When the alert changed state: its own time (fired_at_ms, at_ms), not when the event was written.
qint64 alertTimeMs(const TimelineEvent& e)
{
    const qint64 at
        = qint64(e.detail.value(e.kind == QStringView(AlertKind::Fired) ? u"fired_at_ms"_s : u"at_ms"_s).toDouble());
    return at > 0 ? at : e.timeMs;
}

QString alertValue(const TimelineEvent& e, const QString& key)
{
    const QJsonValue v = e.detail.value(key);
    if (!v.isDouble())
        return {};
    const QString unit = e.detail.value(u"unit"_s).toString();
    return QString::number(v.toDouble(), 'g', 6) + (unit.isEmpty() ? QString() : u" "_s + unit);
}

QString sectionPlaceholder(const QStringList& texts, const QString& placeholder)
{
    QStringList kept;
    for (const QString& t : texts)
        if (!t.trimmed().isEmpty())
            kept.append(t.trimmed());
    return kept.isEmpty() ? placeholder : kept.join(u"\n\n"_s);
}

} // namespace

QString PostmortemTimelineLine::toMarkdown(const QTimeZone& zone) const
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(timeMs, zone);
    return u"- **%1** - %2"_s.arg(at.toString(u"HH:mm"_s), text);
}

QStringList PostmortemDraft::sectionHeadings()
{
    return { u"Timeline"_s, u"Root Cause"_s, u"Resolution"_s, u"Action Items"_s, u"Lessons Learned"_s };
}

QList<PostmortemTimelineLine> PostmortemDraft::timelineLines(const QList<TimelineEvent>& events)
{
    QList<PostmortemTimelineLine> lines;
    QSet<QString> finishedRuns;
    bool fromAlert = false;
    for (const TimelineEvent& e : events) {
        if (e.kind == QStringView(AuditKind::Finished))
            finishedRuns.insert(e.detail.value(u"runId"_s).toString());
        fromAlert = fromAlert || e.kind == QStringView(AlertKind::Fired);
    }
    QHash<QString, qint64> firedAt; // rule → when it last began firing (0: not firing)
    qsizetype opened = -1, fired = -1; // the lines of incident.created and of the first alert.fired
    for (const TimelineEvent& e : events) {
        PostmortemTimelineLine line { e.seq, e.timeMs, QString(), true };
        if (e.kind == QStringView(EventKind::Created)) {
            line.text
                = u"%1 (%2, %3): %4"_s.arg(fromAlert ? u"Incident opened"_s : u"Alert triggered, incident opened"_s,
                    e.detail.value(u"severity"_s).toString(), e.detail.value(u"environment"_s).toString(),
                    oneLine(e.detail.value(u"title"_s).toString()));
        } else if (isAlertLine(e)) {
            const QString rule = e.detail.value(u"rule"_s).toString();
            const QString value = alertValue(e, u"value"_s);
            line.timeMs = alertTimeMs(e);
            if (e.kind == QStringView(AlertKind::Resolved)) {
                line.text
                    = u"Alert %1 resolved%2"_s.arg(rule, value.isEmpty() ? QString() : u" (value %1)"_s.arg(value));
                firedAt.insert(rule, 0);
            } else {
                const auto known = firedAt.constFind(rule);
                if (known != firedAt.cend() && *known == line.timeMs)
                    continue; // the same start, written twice (fired, then firing)
                const QString threshold = alertValue(e, u"threshold"_s);
                QString what = value.isEmpty() ? QString() : u"value "_s + value;
                if (!threshold.isEmpty())
                    what += (what.isEmpty() ? QString() : u", "_s) + u"threshold "_s + threshold;
                what = what.isEmpty() ? QString() : u" ("_s + what + u')';
                line.text = known == firedAt.cend() ? u"Alert triggered: %1 fired%2"_s.arg(rule, what)
                                                    : u"Alert %1 fired again%2"_s.arg(rule, what);
                firedAt.insert(rule, line.timeMs);
            }
        } else if (e.kind == QStringView(EventKind::Acknowledged)) {
            line.text = u"Engineer acknowledged (%1)"_s.arg(e.actor);
        } else if (e.kind == QStringView(EventKind::SeverityChanged)
            || e.kind == QStringView(EventKind::StatusChanged)) {
            line.text = oneLine(e.summary);
        } else if (isRootCause(e)) {
            line.text = u"Root cause identified: "_s + oneLine(afterLabel(noteText(e)));
        } else if (isFixDeployed(e)) {
            line.text = u"Fix deployed: "_s + oneLine(afterLabel(noteText(e)));
        } else if (e.kind == QStringView(EventKind::Resolved)) {
            const QString summary = oneLine(e.detail.value(u"summary"_s).toString());
            line.text = summary.isEmpty() ? u"Incident resolved"_s : u"Incident resolved: "_s + summary;
        } else if (e.kind == QStringView(AuditKind::Finished)) {
            line.text = commandLine(e);
        } else if (e.kind == QStringView(AuditKind::Started)) {
            if (finishedRuns.contains(e.detail.value(u"runId"_s).toString()))
                continue; // its finished event says it all
            const CommandAudit audit = CommandAudit::fromJson(e.detail);
            line.text
                = u"Started `%1` (outcome unknown)"_s.arg(oneLine(audit.title.isEmpty() ? audit.command : audit.title));
        } else {
            line.text = oneLine(noteText(e));
            line.inDraft = false;
        }
        if (opened < 0 && e.kind == QStringView(EventKind::Created))
            opened = lines.size();
        if (fired < 0 && e.kind == QStringView(AlertKind::Fired))
            fired = lines.size();
        lines.append(line);
    }
    // In seq order, but the alert that opened the incident goes before the incident's opening, at its fire time.
    if (opened >= 0 && fired > opened && lines.at(fired).timeMs <= lines.at(opened).timeMs)
        lines.move(fired, opened);
    return lines;
}

QString PostmortemDraft::durationText(qint64 ms)
{
    const qint64 minutes = qMax<qint64>(0, ms) / 60000;
    return u"%1 hours %2 minutes"_s.arg(minutes / 60).arg(minutes % 60);
}

QString PostmortemDraft::actionItemsBody(const QList<ActionItem>& items)
{
    QStringList lines;
    for (const ActionItem& i : items)
        lines.append(i.toMarkdownLine());
    if (lines.isEmpty())
        lines = QStringList { u"- [ ] [Action 1] - [@owner] - [Due date]"_s };
    return lines.join(u'\n');
}

QString PostmortemDraft::build(
    const Incident& incident, const QList<TimelineEvent>& events, const QList<ActionItem>& items, const QTimeZone& zone)
{
    QStringList timeline;
    QStringList rootCauses, resolution;
    for (const PostmortemTimelineLine& line : timelineLines(events))
        if (line.inDraft)
            timeline.append(line.toMarkdown(zone));
    for (const TimelineEvent& e : events) {
        if (isRootCause(e))
            rootCauses.append(afterLabel(noteText(e)));
        else if (isFixDeployed(e))
            resolution.append(afterLabel(noteText(e)));
        else if (e.kind == QStringView(EventKind::Resolved))
            resolution.append(e.detail.value(u"summary"_s).toString());
    }
    const QDateTime started = QDateTime::fromMSecsSinceEpoch(incident.startedMs, zone);
    const qint64 endMs = incident.resolvedMs.value_or(incident.startedMs);
    const QString impact = incident.impact.trimmed().isEmpty() ? u"[User-facing impact]"_s : oneLine(incident.impact);

    QString md;
    md += u"# Post-Mortem: "_s + oneLine(incident.title) + u"\n\n"_s;
    md += u"**Date**: "_s + started.toString(u"yyyy-MM-dd"_s) + u" ("_s + QString::fromUtf8(zone.id()) + u")\n"_s;
    md += u"**Severity**: "_s + severityCode(incident.severity) + u"\n"_s;
    md += u"**Duration**: "_s
        + (incident.resolvedMs ? durationText(endMs - incident.startedMs) : u"[X hours Y minutes]"_s) + u"\n"_s;
    md += u"**Impact**: "_s + impact + u"\n\n"_s;
    md += u"## Timeline\n\n"_s + timeline.join(u'\n') + u"\n\n"_s;
    md += u"## Root Cause\n\n"_s + sectionPlaceholder(rootCauses, u"[Detailed explanation of what went wrong]"_s)
        + u"\n\n"_s;
    md += u"## Resolution\n\n"_s + sectionPlaceholder(resolution, u"[What was done to fix it]"_s) + u"\n\n"_s;
    md += u"## Action Items\n\n"_s + actionItemsBody(items) + u"\n\n"_s;
    md += u"## Lessons Learned\n\n- [What went well]\n- [What could be improved]\n- [What we learned]\n"_s;
    return md;
}

namespace {
// [start of body, end of body) of "## heading", or {-1, -1}.
std::pair<qsizetype, qsizetype> sectionRange(const QString& markdown, const QString& heading)
{
    static const QRegularExpression headingLine(u"^#{1,2}[ \\t]+(.*?)[ \\t#]*$"_s, QRegularExpression::MultilineOption);
    qsizetype bodyStart = -1;
    QRegularExpressionMatchIterator it = headingLine.globalMatch(markdown);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (bodyStart >= 0)
            return { bodyStart, m.capturedStart() };
        if (m.captured(0).startsWith(u"## "_s) && m.captured(1).trimmed() == heading)
            bodyStart = m.capturedEnd() < markdown.size() ? m.capturedEnd() + 1 : m.capturedEnd();
    }
    return { bodyStart, bodyStart >= 0 ? markdown.size() : -1 };
}
} // namespace

QString PostmortemDraft::replaceSection(const QString& markdown, const QString& heading, const QString& body)
{
    const auto [start, end] = sectionRange(markdown, heading);
    if (start < 0)
        return markdown;
    const bool last = end == markdown.size();
    return markdown.left(start) + u"\n"_s + body.trimmed() + (last ? u"\n"_s : u"\n\n"_s) + markdown.mid(end);
}

QString PostmortemDraft::appendToSection(const QString& markdown, const QString& heading, const QString& line)
{
    const auto [start, end] = sectionRange(markdown, heading);
    if (start < 0)
        return markdown;
    const QString body = markdown.mid(start, end - start).trimmed();
    return replaceSection(markdown, heading, body.isEmpty() ? line : body + u"\n"_s + line);
}
