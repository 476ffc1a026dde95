// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/runbooksection.h"
#include "models/timelineevent.h"

#include <QList>
#include <QMap>
#include <QString>

// The values a status message is filled with. Keys are the fields below; a missing or empty value leaves the
// template's placeholder in place for the commander to fill in.
struct MessageValues {
    enum Field {
        SeverityField,
        TitleField,
        StatusField,
        ImpactField,
        StartedField,
        EtaField,
        OnCallField,
        ProgressField,
        NextField,
        DurationField,
        RootCauseField,
        FixField,
        FollowUpField,
    };
    QMap<Field, QString> values;

    void set(Field field, const QString& value) { values.insert(field, value); }
    QString value(Field field) const { return values.value(field); }

    // Severity, title, status, impact, start time (UTC) and duration (to resolution, or to nowMs) from the incident.
    static MessageValues fromIncident(const Incident& incident, qint64 nowMs);
    // What the incident's own notes say, newest first wins: a note whose text starts with a caption the templates
    // name ("Root cause:", "Fix deployed:" or "Fix:", "Impact:", "ETA:", "Next:", "Follow-up:" or "Post-mortem:"),
    // and the post-mortem's marks (postmortem.rootcause, postmortem.fixdeployed). Each value on one line.
    static MessageValues fromNotes(const QList<TimelineEvent>& events);
    // other's non-empty values replace these.
    void merge(const MessageValues& other);
};

// One of the runbook's communication templates ("Incident Started", "Update", "Resolved"), with its text repaired
// of the seed file's mis-encoding so the emoji come out right. Pure data, any thread.
struct CommunicationTemplate {
    QString name;
    QString text;

    static QList<CommunicationTemplate> fromCodeBlocks(const QList<RunbookCodeBlock>& blocks);

    // The text with each "[...]" placeholder replaced by its value: the placeholder's own words name the field
    // ("[Title]", "[P0/P1/P2]", "[@engineer]", "[Investigating/Mitigating/Resolved]") or else the line's label
    // does ("Impact: [User-facing description]"). Placeholders without a value stay as written.
    QString fill(const MessageValues& values) const;

    // The template a new message starts from: the "Resolved" one once the incident is resolved, "Update" once a
    // status message was sent for it, else the first message ("Incident Started"). Empty when there is none.
    static QString defaultName(const QList<CommunicationTemplate>& templates, bool resolved, bool messageSent);
    // Whether the timeline holds a status message sent (or being sent) for it: a "message.*" event.
    static bool anyMessageSent(const QList<TimelineEvent>& events);
};
