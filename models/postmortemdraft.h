// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/postmortemrecord.h"
#include "models/timelineevent.h"

#include <QList>
#include <QString>
#include <QTimeZone>

// Event kinds the commander uses to mark what the post-mortem needs (written with StoreClient::appendEvent, detail
// {"text": "..."}). A plain note whose text starts with "Root cause:" or "Fix deployed:" counts the same, so the
// console's existing "Add note" is enough.
namespace PostmortemKind {
inline constexpr char16_t RootCause[] = u"postmortem.rootcause";
inline constexpr char16_t FixDeployed[] = u"postmortem.fixdeployed";
} // namespace PostmortemKind

// One line the incident's timeline contributes to the post-mortem's Timeline section.
struct PostmortemTimelineLine {
    qint64 seq = 0;
    qint64 timeMs = 0;
    QString text; // without the time: "Engineer acknowledged (alice)"
    bool inDraft = false; // part of the first draft; otherwise only offered for insertion (notes, flow steps)

    // "- **HH:MM** - text", the time in zone.
    QString toMarkdown(const QTimeZone& zone) const;
};

// The post-mortem draft of one incident, following the runbook's "Post-Mortem Template" exactly (headings, their
// order, the bold fields and the checkbox lines), filled from the incident and its own timeline. Pure logic.
class PostmortemDraft {
public:
    // The template's level-2 headings, in order.
    static QStringList sectionHeadings(); // "Timeline", "Root Cause", "Resolution", "Action Items", "Lessons Learned"

    // Every event that can go into the Timeline, in seq order (see PostmortemTimelineLine::inDraft). An alert's lines
    // ("alert.fired", "alert.firing", "alert.resolved") carry the alert's own time of the change; the alert that
    // opened the incident comes just before the incident's opening.
    static QList<PostmortemTimelineLine> timelineLines(const QList<TimelineEvent>& events);
    // The full first draft. zone: the zone the times and the date are written in (stored with the post-mortem).
    static QString build(const Incident& incident, const QList<TimelineEvent>& events, const QList<ActionItem>& items,
        const QTimeZone& zone);
    // "2 hours 5 minutes", "0 hours 3 minutes".
    static QString durationText(qint64 ms);

    // Replaces the body of "## heading" (up to the next level-1/2 heading or the end) with body. Returns the
    // markdown unchanged when the heading is missing.
    static QString replaceSection(const QString& markdown, const QString& heading, const QString& body);
    // Appends line at the end of the list of "## Timeline" (before the next heading).
    static QString appendToSection(const QString& markdown, const QString& heading, const QString& line);
    static QString actionItemsBody(const QList<ActionItem>& items);
};
