// SPDX-License-Identifier: MIT
#include "services/escalationservice.h"

#include "models/runbookdocument.h"
#include "services/contactsloader.h"
#include "services/desktopnotifier.h"
#include "services/escalationmonitor.h"
#include "services/pagerdutyclient.h"
#include "services/slackposter.h"

#include <QSettings>

using namespace Qt::StringLiterals;

EscalationService::EscalationService(StoreClient* store, SecretStore* secrets, QObject* parent)
    : QObject(parent)
    , m_monitor(new EscalationMonitor(store, this))
    , m_pagerDuty(new PagerDutyClient(secrets, this))
    , m_slack(new SlackPoster(secrets, this))
    , m_notifier(new DesktopNotifier(this))
{
}

EscalationService::~EscalationService() = default;

void EscalationService::setRunbooks(const QList<RunbookDocument>& documents)
{
    for (const RunbookDocument& document : documents) {
        if (document.escalationMatrix()) {
            setRunbook(document);
            return;
        }
    }
    m_problems = { tr("No runbook has an \u201CEscalation Matrix\u201D table.") };
    Q_EMIT configurationChanged();
}

void EscalationService::setRunbook(const RunbookDocument& document)
{
    m_problems.clear();
    if (const std::optional<RunbookTable> table = document.escalationMatrix())
        m_monitor->setMatrix(EscalationMatrix::fromTable(*table, &m_problems));
    const ContactsLoader::Result contacts = ContactsLoader::load(document.contactsYaml());
    if (!contacts.problem.isEmpty())
        m_problems.append(tr("Contacts file not used: %1").arg(contacts.problem));
    m_monitor->setContacts(contacts.contacts);
    m_contactsSource = contacts.source;
    m_templates = CommunicationTemplate::fromCodeBlocks(document.communicationTemplates());
    Q_EMIT configurationChanged();
}

void EscalationService::loadSettings()
{
    QSettings settings;
    const QString base = settings.value(u"PagerDuty/baseUrl"_s).toString();
    if (!base.isEmpty())
        m_pagerDuty->setBaseUrl(QUrl(base));
    m_pagerDuty->setEscalationPolicyId(settings.value(u"PagerDuty/escalationPolicyId"_s).toString());
    m_pagerDuty->setRefreshInterval(settings.value(u"PagerDuty/refreshSeconds"_s, 300).toInt() * 1000);
    UpdateCadence cadence = UpdateCadence::defaults();
    for (Severity s : { Severity::P0, Severity::P1, Severity::P2, Severity::P3 }) {
        const QVariant minutes = settings.value(u"Communications/updateMinutes"_s + severityCode(s));
        if (minutes.isValid())
            cadence.setInterval(s, qint64(minutes.toDouble() * 60'000));
    }
    m_monitor->setCadence(cadence);
}

void EscalationService::start()
{
    m_monitor->start();
    m_pagerDuty->start();
}

const EscalationMatrix& EscalationService::matrix() const { return m_monitor->matrix(); }

const ContactDirectory& EscalationService::contacts() const { return m_monitor->contacts(); }

#include "moc_escalationservice.cpp"
