// SPDX-License-Identifier: MIT
#include "models/communicationtemplate.h"

#include "models/incidentclock.h"
#include "models/postmortemdraft.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

MessageValues MessageValues::fromIncident(const Incident& incident, qint64 nowMs)
{
    MessageValues values;
    values.set(SeverityField, severityCode(incident.severity));
    values.set(TitleField, incident.title);
    values.set(StatusField, incidentStatusName(incident.status));
    values.set(ImpactField, incident.impact);
    values.set(StartedField,
        QDateTime::fromMSecsSinceEpoch(incident.startedMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s));
    values.set(DurationField, formatDuration(incident.resolvedMs.value_or(nowMs) - incident.startedMs));
    return values;
}

MessageValues MessageValues::fromNotes(const QList<TimelineEvent>& events)
{
    static const QList<std::pair<QString, Field>> captions { { u"root cause:"_s, RootCauseField },
        { u"fix deployed:"_s, FixField }, { u"fix:"_s, FixField }, { u"impact:"_s, ImpactField },
        { u"eta:"_s, EtaField }, { u"next:"_s, NextField }, { u"follow-up:"_s, FollowUpField },
        { u"post-mortem:"_s, FollowUpField } };
    MessageValues values;
    for (const TimelineEvent& e : events) { // seq order: a later note replaces an earlier one
        const QString text = e.detail.value(u"text"_s).toString().trimmed();
        if (e.kind == QStringView(PostmortemKind::RootCause) || e.kind == QStringView(PostmortemKind::FixDeployed)) {
            if (!text.isEmpty())
                values.set(
                    e.kind == QStringView(PostmortemKind::RootCause) ? RootCauseField : FixField, text.simplified());
            continue;
        }
        if (e.kind != QStringView(EventKind::Note))
            continue;
        for (const auto& [caption, field] : captions) {
            if (!text.startsWith(caption, Qt::CaseInsensitive))
                continue;
            const QString value = text.mid(caption.size()).simplified();
            if (!value.isEmpty())
                values.set(field, value);
            break;
        }
    }
    return values;
}

void MessageValues::merge(const MessageValues& other)
{
    for (auto it = other.values.cbegin(); it != other.values.cend(); ++it)
        if (!it.value().isEmpty())
            values.insert(it.key(), it.value());
}

QList<CommunicationTemplate> CommunicationTemplate::fromCodeBlocks(const QList<RunbookCodeBlock>& blocks)
{
    QList<CommunicationTemplate> templates;
    for (const RunbookCodeBlock& block : blocks) {
        QString text = block.displayText();
        while (text.endsWith(u'\n'))
            text.chop(1);
        templates.append({ block.caption, text });
    }
    return templates;
}

namespace {
std::optional<MessageValues::Field> fieldFor(const QString& placeholder, const QString& label)
{
    using F = MessageValues::Field;
    const QString p = placeholder.toLower();
    if (p.startsWith(u"p0") || p == u"severity")
        return F::SeverityField;
    if (p == u"title")
        return F::TitleField;
    if (p.startsWith(u'@') || p.contains(u"on-call"))
        return F::OnCallField;
    if (p.contains(u"investigating"))
        return F::StatusField;
    if (p.contains(u"post-mortem"))
        return F::FollowUpField;
    static const QHash<QString, F> byLabel { { u"status"_s, F::StatusField }, { u"impact"_s, F::ImpactField },
        { u"started"_s, F::StartedField }, { u"eta"_s, F::EtaField }, { u"on-call"_s, F::OnCallField },
        { u"progress"_s, F::ProgressField }, { u"next"_s, F::NextField }, { u"duration"_s, F::DurationField },
        { u"root cause"_s, F::RootCauseField }, { u"fix"_s, F::FixField }, { u"follow-up"_s, F::FollowUpField } };
    if (const auto it = byLabel.constFind(label.trimmed().toLower()); it != byLabel.cend())
        return *it;
    return std::nullopt;
}
} // namespace

QString CommunicationTemplate::fill(const MessageValues& values) const
{
    static const QRegularExpression placeholder(u"\\[([^\\]\\n]+)\\]"_s);
    QStringList lines = text.split(u'\n');
    for (QString& line : lines) {
        const int colon = line.indexOf(u':');
        const QString label = colon > 0 ? line.left(colon) : QString();
        QString out;
        qsizetype last = 0;
        QRegularExpressionMatchIterator it = placeholder.globalMatch(line);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            out += QStringView(line).mid(last, m.capturedStart() - last);
            const std::optional<MessageValues::Field> field = fieldFor(m.captured(1), label);
            const QString value = field ? values.value(*field) : QString();
            out += value.isEmpty() ? m.captured(0) : value;
            last = m.capturedEnd();
        }
        out += QStringView(line).mid(last);
        line = out;
    }
    return lines.join(u'\n');
}

QString CommunicationTemplate::defaultName(
    const QList<CommunicationTemplate>& templates, bool resolved, bool messageSent)
{
    const auto named = [&](QStringView word) {
        for (const CommunicationTemplate& t : templates)
            if (t.name.contains(word, Qt::CaseInsensitive))
                return t.name;
        return QString();
    };
    QString name = resolved ? named(u"resolved") : messageSent ? named(u"update") : QString();
    if (name.isEmpty()) {
        for (const CommunicationTemplate& t : templates) // the first that is neither an update nor the resolution
            if (!t.name.contains(u"update"_s, Qt::CaseInsensitive)
                && !t.name.contains(u"resolved"_s, Qt::CaseInsensitive))
                return t.name;
    }
    return name.isEmpty() && !templates.isEmpty() ? templates.constFirst().name : name;
}

bool CommunicationTemplate::anyMessageSent(const QList<TimelineEvent>& events)
{
    for (const TimelineEvent& e : events)
        if (e.kind.startsWith(u"message."_s))
            return true;
    return false;
}
