// SPDX-License-Identifier: MIT
#pragma once

#include "models/communicationtemplate.h"
#include "models/contact.h"
#include "models/escalationmatrix.h"

#include <QObject>
#include <QStringList>

class DesktopNotifier;
class EscalationMonitor;
class PagerDutyClient;
class SecretStore;
class SlackPoster;
class StoreClient;
struct RunbookDocument;

// Escalation and communications for one console: the escalation monitor (clocks, "escalation due"), the contacts
// (the runbook's block, or the user's contacts.yaml), the message templates, PagerDuty on-call, the Slack poster
// and desktop notifications. Settings (QSettings): PagerDuty/baseUrl, PagerDuty/escalationPolicyId,
// PagerDuty/refreshSeconds, Communications/updateMinutesP0..P3.
//
// Lives on the GUI thread; owns its parts (returned pointers live as long as it); does not own the store or the
// secret store.
class EscalationService : public QObject {
    Q_OBJECT
public:
    EscalationService(StoreClient* store, SecretStore* secrets, QObject* parent = nullptr);
    ~EscalationService() override;

    // Takes the matrix, contacts and templates from a runbook (the first document that has them). The user's
    // contacts file, when present, replaces the runbook's contacts.
    void setRunbook(const RunbookDocument& document);
    void setRunbooks(const QList<RunbookDocument>& documents);
    // Reads the settings above; call before start().
    void loadSettings();
    // Starts the clocks (needs an open store) and the PagerDuty refresh.
    void start();

    EscalationMonitor* monitor() const { return m_monitor; }
    PagerDutyClient* pagerDuty() const { return m_pagerDuty; }
    SlackPoster* slack() const { return m_slack; }
    DesktopNotifier* notifier() const { return m_notifier; }

    const EscalationMatrix& matrix() const;
    const ContactDirectory& contacts() const;
    QList<CommunicationTemplate> templates() const { return m_templates; }
    QString contactsSource() const { return m_contactsSource; } // "runbook" or the user file's path
    QStringList problems() const { return m_problems; } // what could not be read, for people

Q_SIGNALS:
    void configurationChanged();

private:
    EscalationMonitor* m_monitor;
    PagerDutyClient* m_pagerDuty;
    SlackPoster* m_slack;
    DesktopNotifier* m_notifier;
    QList<CommunicationTemplate> m_templates;
    QString m_contactsSource;
    QStringList m_problems;
};
