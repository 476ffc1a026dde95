// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

// One append-only entry of an incident's timeline. Events are ordered by seq, never by wall-clock time
// (which can jump); timeMs is UTC milliseconds since the epoch, for display.
struct TimelineEvent {
    qint64 seq = 0;
    qint64 incidentId = 0;
    qint64 timeMs = 0;
    QString kind; // one of EventKind below, or a later issue's kind
    QString actor; // the OS user who caused it
    QString summary; // one line for people
    QJsonObject detail; // structured detail

    bool operator==(const TimelineEvent&) const = default;
};

Q_DECLARE_METATYPE(TimelineEvent)

// The event kinds the store writes by itself for each change of an incident.
namespace EventKind {
inline constexpr char16_t Created[] = u"incident.created";
inline constexpr char16_t SeverityChanged[] = u"incident.severity";
inline constexpr char16_t Acknowledged[] = u"incident.acknowledged";
inline constexpr char16_t StepEntered[] = u"flow.step";
inline constexpr char16_t StatusChanged[] = u"incident.status";
inline constexpr char16_t Resolved[] = u"incident.resolved";
inline constexpr char16_t Note[] = u"note";
} // namespace EventKind
