// SPDX-License-Identifier: MIT
#pragma once

#include "models/contact.h"
#include "models/escalationclock.h"
#include "models/incident.h"
#include "models/timelineevent.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class StoreClient;

// Event kinds written by escalation and communications.
namespace EscalationEvent {
inline constexpr char16_t Due[] = u"escalation.due"; // detail: severity, dueMs, escalateTo
inline constexpr char16_t Escalated[] = u"escalation.escalated"; // detail: roles
inline constexpr char16_t ContactMade[] = u"contact.made"; // detail: role, name, channel, address
inline constexpr char16_t MessageSent[] = u"message.sent"; // detail: template, channel, text
// Written and committed before a message leaves for the outside world (Slack): one without its message.sent
// after a crash reads "may have been posted". detail: template, channel, text
inline constexpr char16_t MessageSending[] = u"message.sending";
} // namespace EscalationEvent

// Runs the escalation clock of every open incident of the store. What has already happened (escalations made,
// "escalation due" recorded, status messages sent) is derived from each incident's timeline, so a restart neither
// forgets an escalation nor records its "due" a second time. Ticks every second (or on tick()); when an
// escalation falls due it appends "escalation.due" once per incident and severity and emits escalationDue; when
// a status update falls due it emits updateDue once per due time.
//
// Lives on the GUI thread; does not own the store client. Clocks are returned by value.
class EscalationMonitor : public QObject {
    Q_OBJECT
public:
    explicit EscalationMonitor(StoreClient* store, QObject* parent = nullptr);

    // The time source (wall ms); defaults to a MonotonicWallClock made at construction. Tests pass a manual one.
    void setClock(std::function<qint64()> nowMs) { m_now = std::move(nowMs); }
    qint64 nowMs() const { return m_now(); }
    StoreClient* store() const { return m_store; }
    void setMatrix(const EscalationMatrix& matrix);
    const EscalationMatrix& matrix() const { return m_matrix; }
    void setCadence(const UpdateCadence& cadence);
    const UpdateCadence& cadence() const { return m_cadence; }
    void setContacts(const ContactDirectory& contacts) { m_contacts = contacts; }
    const ContactDirectory& contacts() const { return m_contacts; }
    void setTickInterval(int ms) { m_timer.setInterval(ms); }

    // Loads the open incidents and their timelines, then ticks. Call once the store has opened.
    void start();
    void tick();

    bool isTracking(qint64 incidentId) const; // its timeline has been read
    std::optional<Incident> incident(qint64 incidentId) const;
    EscalationClock clock(qint64 incidentId) const;
    EscalationHistory history(qint64 incidentId) const;

    // Records on the incident's timeline: "Escalated to Engineering lead (Engrid) + CTO (Larry)".
    void recordEscalation(qint64 incidentId, const QStringList& roles);
    // "Called Engrid", "Opened Slack @engrid", "Emailed buck@petforce.app".
    void recordContact(qint64 incidentId, const Contact& contact, const QString& channel, const QString& summary);
    // A status message sent (channel "clipboard" or "slack"), with its full text.
    void recordMessage(qint64 incidentId, const QString& templateName, const QString& channel, const QString& text);
    // Before a message is posted: "message.sending", then answer(true, {}) once its commit returned, or
    // answer(false, the store's reason) when nothing was written (then nothing may be sent). Dropped with context.
    void recordSending(qint64 incidentId, const QString& templateName, const QString& channel, const QString& text,
        QObject* context, std::function<void(bool recorded, const QString& why)> answer);

Q_SIGNALS:
    void clocksUpdated(); // after every tick and every change of an incident or its history
    void escalationDue(const Incident& incident, const EscalationClock& clock);
    void updateDue(const Incident& incident, const EscalationClock& clock);

private:
    struct Tracked {
        Incident incident;
        EscalationHistory history;
        QSet<qint64> seenSeqs;
        bool loaded = false;
        quint64 eventsRequest = 0;
        std::optional<qint64> remindedUpdateAt;
    };
    void track(const Incident& incident);
    void apply(Tracked& tracked, const TimelineEvent& event);

    StoreClient* m_store;
    std::function<qint64()> m_now;
    EscalationMatrix m_matrix;
    UpdateCadence m_cadence = UpdateCadence::defaults();
    ContactDirectory m_contacts;
    QHash<qint64, Tracked> m_tracked;
    quint64 m_incidentsRequest = 0;
    QTimer m_timer;
};
