// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/runbooksection.h"

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
};
