// SPDX-License-Identifier: MIT
#pragma once

#include <QDate>
#include <QJsonArray>
#include <QList>
#include <QMetaType>
#include <QString>

// One action item of a post-mortem: the template's "- [ ] [Action] - [@owner] - [Due date]".
struct ActionItem {
    QString text;
    QString owner; // without the '@'
    QDate due; // invalid: no date yet
    bool done = false;

    bool operator==(const ActionItem&) const = default;

    // "- [ ] text - @owner - 2026-12-01" (done: "- [x]"); missing parts keep the template's placeholders.
    QString toMarkdownLine() const;
    static QJsonArray toJson(const QList<ActionItem>& items);
    static QList<ActionItem> fromJson(const QJsonArray& array);
};

// A post-mortem as the incident store keeps it (schema version 3, table postmortems): one per incident.
struct PostmortemRecord {
    qint64 incidentId = 0;
    QString markdown; // the document, exactly as the author left it
    QList<ActionItem> actionItems;
    QString timeZone; // IANA id the Timeline's HH:MM are written in ("Europe/Berlin", "UTC")
    qint64 updatedMs = 0; // UTC ms since the epoch of the last save

    bool operator==(const PostmortemRecord&) const = default;
};

Q_DECLARE_METATYPE(PostmortemRecord)
