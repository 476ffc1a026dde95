// SPDX-License-Identifier: MIT
#pragma once

#include "models/contact.h"
#include "models/escalationclock.h"
#include "models/incident.h"
#include "services/secretstore.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class CommunicationsDialog;
class EscalationService;
class KeychainSecret;
class QLabel;
class QPushButton;
class QSystemTrayIcon;
class QTableWidget;
class QToolButton;

// The Escalation dock: the matrix (the active incident's row marked), who is responsible now, the countdowns to
// the next escalation and the next status update, the contacts with their actions (copy phone, call, Slack,
// e-mail with the incident's summary), PagerDuty's on-call (or why not), "Escalated to…", and status messages.
// When an escalation falls due it shows an in-window alert and a desktop notification (D-Bus, else the tray).
// Lives on the GUI thread; does not own the service.
class EscalationPanel : public QWidget {
    Q_OBJECT
public:
    explicit EscalationPanel(EscalationService* service, QWidget* parent = nullptr);

    void setIncident(const std::optional<Incident>& incident);
    std::optional<Incident> incident() const { return m_incident; }

    QString responsibleText() const;
    QString escalationText() const;
    QString updateText() const;
    QString alertText() const; // empty when no alert shows
    QString pagerDutyText() const;
    QString lastNotificationChannel() const { return m_notificationChannel; } // "desktop", "tray", "window"
    QTableWidget* contactsTable() const { return m_contacts; }
    QTableWidget* matrixTable() const { return m_matrix; }

    // The contact actions, on the contacts table's row (also the buttons).
    void copyPhone(int row);
    void call(int row);
    void openSlack(int row);
    void email(int row);
    void escalate(const QStringList& roles); // records "Escalated to …"
    CommunicationsDialog* openCommunications(); // open(), not exec()

Q_SIGNALS:
    void alertRaised(const QString& text); // an escalation fell due (also notified on the desktop)
    void updateReminderRaised(const QString& text); // a status update fell due (also notified on the desktop)

private:
    void rebuild(); // matrix and contacts, after the configuration changed
    void refresh(); // clocks, every tick
    void onEscalationDue(const Incident& incident, const EscalationClock& clock);
    void onUpdateDue(const Incident& incident, const EscalationClock& clock);
    void notifyDesktop(const QString& title, const QString& body);
    void askForSecret(KeychainSecret* secret, const QString& what, bool url);
    void showKeychainProblem(KeychainSecret* secret, SecretStore::Error error, const QString& message);
    const Contact* contactAt(int row) const;
    QString summary() const;

    EscalationService* m_service;
    std::optional<Incident> m_incident;
    QLabel* m_alert;
    QLabel* m_responsible;
    QLabel* m_escalation;
    QLabel* m_update;
    QToolButton* m_escalate;
    QPushButton* m_message;
    QTableWidget* m_matrix;
    QTableWidget* m_contacts;
    QLabel* m_pagerDuty;
    QLabel* m_keychain;
    QPushButton* m_keychainRetry;
    QPushButton* m_keychainSession;
    QPointer<KeychainSecret> m_problemSecret;
    QString m_pendingSecret;
    QSystemTrayIcon* m_tray = nullptr;
    QString m_notificationChannel;
};
