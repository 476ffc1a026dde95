// SPDX-License-Identifier: MIT
#include "ui/escalationpanel.h"

#include "models/incidentclock.h"
#include "services/desktopnotifier.h"
#include "services/escalationmonitor.h"
#include "services/escalationservice.h"
#include "services/keychainsecret.h"
#include "services/pagerdutyclient.h"
#include "services/slackposter.h"
#include "ui/communicationsdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSystemTrayIcon>
#include <QTableWidget>
#include <QToolButton>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
const QString kDueStyle = u"color: #b71c1c; font-weight: bold;"_s; // a line whose time has come

QTableWidget* makeTable(const QStringList& header, const QString& name, QWidget* parent)
{
    auto* table = new QTableWidget(0, int(header.size()), parent);
    table->setObjectName(name);
    table->setHorizontalHeaderLabels(header);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return table;
}

QPushButton* button(const QString& text, const QString& name, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setObjectName(name);
    return b;
}
} // namespace

EscalationPanel::EscalationPanel(EscalationService* service, QWidget* parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(u"escalationPanel"_s);
    m_alert = new QLabel(this);
    m_alert->setObjectName(u"escalationAlert"_s);
    m_alert->setWordWrap(true);
    m_alert->setStyleSheet(u"QLabel { background: #b71c1c; color: white; padding: 6px; font-weight: bold; }"_s);
    m_alert->hide();
    m_responsible = new QLabel(this);
    m_responsible->setObjectName(u"responsibleNow"_s);
    m_responsible->setWordWrap(true);
    m_escalation = new QLabel(this);
    m_escalation->setObjectName(u"escalationCountdown"_s);
    m_update = new QLabel(this);
    m_update->setObjectName(u"updateCountdown"_s);
    // Wrapped, as the other lines: "Escalate to <role> (<names>) + … in 12m" set on every tick would otherwise
    // become the dock's, and so the window's, minimum width.
    m_escalation->setWordWrap(true);
    m_update->setWordWrap(true);

    m_escalate = new QToolButton(this);
    m_escalate->setObjectName(u"escalateButton"_s);
    m_escalate->setText(tr("Escalated to\u2026"));
    m_escalate->setPopupMode(QToolButton::InstantPopup);
    m_escalate->setMenu(new QMenu(m_escalate));
    m_message = button(tr("Status &message\u2026"), u"messageButton"_s, this);
    connect(m_message, &QPushButton::clicked, this, &EscalationPanel::openCommunications);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_escalate);
    actions->addWidget(m_message);
    actions->addStretch();

    m_matrix = makeTable({ tr("Severity"), tr("Initial response"), tr("Escalate after"), tr("Escalate to") },
        u"escalationMatrix"_s, this);
    m_contacts
        = makeTable({ tr("Role"), tr("Name"), tr("Slack"), tr("Phone"), tr("E-mail") }, u"contactsTable"_s, this);
    auto* copyPhone = button(tr("Copy phone"), u"copyPhoneButton"_s, this);
    auto* call = button(tr("Call"), u"callButton"_s, this);
    auto* slack = button(tr("Slack"), u"slackButton"_s, this);
    auto* mail = button(tr("E-mail"), u"emailButton"_s, this);
    const auto row = [this] { return m_contacts->currentRow(); };
    connect(copyPhone, &QPushButton::clicked, this, [this, row] { this->copyPhone(row()); });
    connect(call, &QPushButton::clicked, this, [this, row] { this->call(row()); });
    connect(slack, &QPushButton::clicked, this, [this, row] { this->openSlack(row()); });
    connect(mail, &QPushButton::clicked, this, [this, row] { this->email(row()); });
    auto* contactButtons = new QHBoxLayout;
    for (QPushButton* b : { copyPhone, call, slack, mail })
        contactButtons->addWidget(b);
    contactButtons->addStretch();

    m_pagerDuty = new QLabel(this);
    m_pagerDuty->setObjectName(u"pagerDutyStatus"_s);
    m_pagerDuty->setWordWrap(true);
    auto* pdRefresh = button(tr("Refresh"), u"pagerDutyRefresh"_s, this);
    auto* pdToken = button(tr("PagerDuty token\u2026"), u"pagerDutyToken"_s, this);
    auto* slackUrl = button(tr("Slack webhook\u2026"), u"slackWebhook"_s, this);
    connect(pdRefresh, &QPushButton::clicked, service->pagerDuty(), &PagerDutyClient::refresh);
    connect(pdToken, &QPushButton::clicked, this,
        [this] { askForSecret(m_service->pagerDuty()->token(), tr("PagerDuty API token"), false); });
    connect(slackUrl, &QPushButton::clicked, this,
        [this] { askForSecret(m_service->slack()->webhook(), tr("Slack incoming-webhook URL"), true); });
    m_keychain = new QLabel(this);
    m_keychain->setObjectName(u"keychainProblem"_s);
    m_keychain->setWordWrap(true);
    m_keychainRetry = button(tr("Retry"), u"keychainRetry"_s, this);
    m_keychainSession = button(tr("Keep for this session only"), u"keychainSessionOnly"_s, this);
    connect(m_keychainRetry, &QPushButton::clicked, this, [this] {
        if (!m_problemSecret)
            return;
        m_keychain->setText(tr("Trying the keychain again\u2026"));
        if (m_pendingSecret.isEmpty())
            m_problemSecret->fetch();
        else
            m_problemSecret->store(m_pendingSecret);
    });
    connect(m_keychainSession, &QPushButton::clicked, this, [this] {
        if (!m_problemSecret || m_pendingSecret.isEmpty())
            return;
        m_problemSecret->store()->useSessionFallback();
        m_problemSecret->store(std::exchange(m_pendingSecret, {}));
        m_keychain->setText(tr("Kept in memory for this session only; nothing was written to disk."));
        m_keychainRetry->hide();
        m_keychainSession->hide();
    });
    m_keychainRetry->hide();
    m_keychainSession->hide();
    auto* keychainButtons = new QHBoxLayout;
    keychainButtons->addWidget(pdRefresh);
    keychainButtons->addWidget(pdToken);
    keychainButtons->addWidget(slackUrl);
    keychainButtons->addWidget(m_keychainRetry);
    keychainButtons->addWidget(m_keychainSession);
    keychainButtons->addStretch();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_alert);
    layout->addWidget(m_responsible);
    layout->addWidget(m_escalation);
    layout->addWidget(m_update);
    layout->addLayout(actions);
    layout->addWidget(m_matrix, 1);
    layout->addWidget(m_contacts, 1);
    layout->addLayout(contactButtons);
    layout->addWidget(m_pagerDuty);
    layout->addWidget(m_keychain);
    layout->addLayout(keychainButtons);

    EscalationMonitor* monitor = service->monitor();
    connect(monitor, &EscalationMonitor::clocksUpdated, this, &EscalationPanel::refresh);
    connect(monitor, &EscalationMonitor::escalationDue, this, &EscalationPanel::onEscalationDue);
    connect(monitor, &EscalationMonitor::updateDue, this, &EscalationPanel::onUpdateDue);
    connect(service, &EscalationService::configurationChanged, this, &EscalationPanel::rebuild);
    connect(service->pagerDuty(), &PagerDutyClient::stateChanged, this, &EscalationPanel::rebuild);
    for (KeychainSecret* secret : { service->pagerDuty()->token(), service->slack()->webhook() }) {
        connect(secret, &KeychainSecret::unavailable, this,
            [this, secret](SecretStore::Error error, const QString& message) {
                if (error != SecretStore::Error::NotFound)
                    showKeychainProblem(secret, error, message);
            });
        connect(secret, &KeychainSecret::stored, this, [this, secret] {
            m_pendingSecret.clear();
            m_keychain->setText(tr("Saved in the keychain."));
            m_keychainRetry->hide();
            m_keychainSession->hide();
            if (secret == m_service->pagerDuty()->token())
                m_service->pagerDuty()->refresh();
        });
    }
    rebuild();
}

void EscalationPanel::setIncident(const std::optional<Incident>& incident)
{
    const bool other = !incident || !m_incident || incident->id != m_incident->id;
    m_incident = incident;
    if (other) {
        m_alert->hide();
        m_update->setStyleSheet({});
    }
    rebuild();
}

void EscalationPanel::rebuild()
{
    const EscalationMatrix& matrix = m_service->matrix();
    m_matrix->setRowCount(int(matrix.levels().size()));
    for (int r = 0; r < matrix.levels().size(); ++r) {
        const EscalationLevel& level = matrix.levels().at(r);
        const QStringList cells { severityCode(level.severity), level.initialResponse, level.escalateAfterText,
            level.escalateToText };
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells.at(c));
            QFont font = item->font();
            font.setBold(m_incident && m_incident->severity == level.severity);
            item->setFont(font);
            m_matrix->setItem(r, c, item);
        }
    }

    const ContactDirectory& contacts = m_service->contacts();
    const QList<OnCallEntry> onCalls = m_service->pagerDuty()->onCalls();
    m_contacts->setRowCount(int(contacts.contacts().size()));
    for (int r = 0; r < contacts.contacts().size(); ++r) {
        const Contact& c = contacts.contacts().at(r);
        QString name = c.name;
        if (name.isEmpty() && !c.primary.isEmpty()) {
            name = onCalls.isEmpty() ? tr("primary: %1; secondary: %2").arg(c.primary, c.secondary)
                                     : tr("on call (PagerDuty): %1").arg(onCalls.constFirst().user);
        }
        const QStringList cells { c.roleTitle(), name, c.slack, c.phone, c.email };
        for (int col = 0; col < cells.size(); ++col)
            m_contacts->setItem(r, col, new QTableWidgetItem(cells.at(col)));
    }

    QString pd = m_service->pagerDuty()->statusText();
    for (const OnCallEntry& entry : onCalls) {
        pd += u"\n"_s
            + (entry.level == 1        ? tr("Primary: %1").arg(entry.user)
                    : entry.level == 2 ? tr("Secondary: %1").arg(entry.user)
                                       : tr("Level %1: %2").arg(entry.level).arg(entry.user));
    }
    m_pagerDuty->setText(pd);

    QMenu* menu = m_escalate->menu();
    menu->clear();
    if (m_incident) {
        const std::optional<EscalationLevel> level = matrix.level(m_incident->severity);
        if (level && !level->escalateTo.isEmpty()) {
            QStringList whom;
            for (const QString& role : level->escalateTo)
                whom.append(contacts.describeRole(role));
            QAction* all = menu->addAction(whom.join(u" + "_s));
            all->setObjectName(u"escalateAll"_s);
            const QStringList roles = level->escalateTo;
            connect(all, &QAction::triggered, this, [this, roles] { escalate(roles); });
            menu->addSeparator();
        }
        for (const Contact& c : contacts.contacts()) {
            const QString role = c.roleTitle();
            connect(menu->addAction(c.displayName()), &QAction::triggered, this, [this, role] { escalate({ role }); });
        }
    }
    refresh();
}

void EscalationPanel::refresh()
{
    const bool active = m_incident.has_value();
    m_escalate->setEnabled(active && m_incident->isOpen());
    m_message->setEnabled(active && !m_service->templates().isEmpty());
    if (!active) {
        m_responsible->setText(tr("No incident selected."));
        m_escalation->clear();
        m_update->clear();
        return;
    }
    EscalationMonitor* monitor = m_service->monitor();
    if (const std::optional<Incident> tracked = monitor->incident(m_incident->id))
        m_incident = tracked;
    const EscalationClock clock = monitor->isTracking(m_incident->id)
        ? monitor->clock(m_incident->id)
        : EscalationClock::evaluate(*m_incident, m_service->matrix(), monitor->nowMs(), {}, monitor->cadence());
    QStringList who;
    for (const QString& role : clock.responsibleNow)
        who.append(m_service->contacts().describeRole(role));
    m_responsible->setText(tr("Responsible now: %1").arg(who.isEmpty() ? tr("nobody named") : who.join(u", "_s)));
    QStringList to;
    for (const QString& role : clock.escalateTo)
        to.append(m_service->contacts().describeRole(role));
    QString escalation = clock.escalationText();
    if (!to.isEmpty())
        escalation.replace(clock.escalateTo.join(u" + "_s), to.join(u" + "_s));
    m_escalation->setText(escalation);
    m_escalation->setStyleSheet(clock.escalationDue && !clock.escalated ? kDueStyle : QString());
    m_update->setText(clock.updateText());
    m_update->setStyleSheet(clock.updateOverdue ? kDueStyle : QString());
    if (clock.escalated) {
        m_alert->hide();
    } else if (clock.escalationDue) {
        // Also when it fell due before this panel saw it (a restart, another incident selected, contacts loaded late).
        m_alert->setText(tr("%1 incident: escalate to %2 now.").arg(severityCode(clock.severity), to.join(u" + "_s)));
        m_alert->show();
    }
}

void EscalationPanel::onEscalationDue(const Incident& incident, const EscalationClock& clock)
{
    QStringList to;
    for (const QString& role : clock.escalateTo)
        to.append(m_service->contacts().describeRole(role));
    const QString title = tr("Escalate %1 incident now").arg(severityCode(incident.severity));
    const QString body
        = tr("\u201C%1\u201D has run %2: escalate to %3.")
              .arg(incident.title, formatDuration(*clock.escalationDueMs - incident.startedMs), to.join(u" + "_s));
    if (m_incident && m_incident->id == incident.id) {
        m_alert->setText(title + u": "_s + body);
        m_alert->show();
    }
    notifyDesktop(title, body);
    Q_EMIT alertRaised(body);
}

void EscalationPanel::onUpdateDue(const Incident& incident, const EscalationClock& clock)
{
    // Once per due time (EscalationMonitor), for every open incident: the desktop says so even when the console is
    // behind other windows (refresh() turns the shown incident's line red) — the runbook's cadence, P0 every 15 min.
    const QString title = tr("Status update due (%1)").arg(severityCode(incident.severity));
    const QString body
        = tr("\u201C%1\u201D: %2. Post a status update (Status message…).").arg(incident.title, clock.updateText());
    notifyDesktop(title, body);
    Q_EMIT updateReminderRaised(body);
}

void EscalationPanel::notifyDesktop(const QString& title, const QString& body)
{
    const auto fallback = [this, title, body] {
        if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
            if (!m_tray) {
                m_tray = new QSystemTrayIcon(windowIcon(), this);
                m_tray->show();
            }
            m_tray->showMessage(title, body, QSystemTrayIcon::Critical);
            m_notificationChannel = u"tray"_s;
        } else {
            m_notificationChannel = u"window"_s;
        }
    };
    DesktopNotifier* notifier = m_service->notifier();
    if (!notifier->notify(title, body)) {
        fallback();
        return;
    }
    m_notificationChannel = u"desktop"_s;
    auto* guard = new QObject(this);
    connect(notifier, &DesktopNotifier::failed, guard, [guard, fallback] {
        fallback();
        guard->deleteLater();
    });
    connect(notifier, &DesktopNotifier::shown, guard, [guard] { guard->deleteLater(); });
}

const Contact* EscalationPanel::contactAt(int row) const
{
    const QList<Contact>& contacts = m_service->contacts().contacts();
    return row >= 0 && row < contacts.size() ? &contacts.at(row) : nullptr;
}

QString EscalationPanel::summary() const
{
    if (!m_incident)
        return {};
    const EscalationClock clock = m_service->monitor()->clock(m_incident->id);
    return tr("[%1] %2\nStatus: %3\nImpact: %4\nStarted: %5 ago\n%6")
        .arg(severityCode(m_incident->severity), m_incident->title, incidentStatusName(m_incident->status),
            m_incident->impact.isEmpty() ? tr("(not described yet)") : m_incident->impact,
            formatDuration(m_service->monitor()->nowMs() - m_incident->startedMs), clock.escalationText());
}

void EscalationPanel::copyPhone(int row)
{
    const Contact* c = contactAt(row);
    if (!c || c->phone.isEmpty())
        return;
    QApplication::clipboard()->setText(c->phone);
    if (m_incident)
        m_service->monitor()->recordContact(
            m_incident->id, *c, u"phone"_s, tr("Copied the phone number of %1").arg(c->displayName()));
}

void EscalationPanel::call(int row)
{
    const Contact* c = contactAt(row);
    if (!c || c->phone.isEmpty())
        return;
    if (!c->isDialable()) {
        // The runbook's "+1-xxx-xxx-xxxx": dialling it rang nobody, and the timeline said "Called".
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Call"),
            tr("%1 has no number to dial: “%2” is a placeholder. Put the real number in the contacts file, or reach "
               "them "
               "another way (Slack, e-mail). Nothing was recorded.")
                .arg(c->displayName(), c->phone),
            QMessageBox::Ok, this);
        box->setObjectName(u"noNumberBox"_s);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return;
    }
    QString number = c->phone;
    number.remove(QRegularExpression(u"[ .()-]"_s));
    if (!QDesktopServices::openUrl(QUrl(u"tel:"_s + number)))
        return; // no program for tel: links (Qt says so on its own): nothing was dialled
    if (m_incident)
        m_service->monitor()->recordContact(
            m_incident->id, *c, u"phone"_s, tr("Called %1").arg(c->name.isEmpty() ? c->roleTitle() : c->name));
}

void EscalationPanel::openSlack(int row)
{
    const Contact* c = contactAt(row);
    if (!c || c->slack.isEmpty())
        return;
    QApplication::clipboard()->setText(c->slack);
    QDesktopServices::openUrl(QUrl(u"slack://open"_s));
    if (m_incident)
        m_service->monitor()->recordContact(m_incident->id, *c, u"slack"_s, tr("Opened Slack %1").arg(c->slack));
}

void EscalationPanel::email(int row)
{
    const Contact* c = contactAt(row);
    if (!c || c->email.isEmpty())
        return;
    QUrl url(u"mailto:"_s + c->email);
    if (m_incident) {
        QUrlQuery query;
        query.addQueryItem(u"subject"_s,
            QString::fromLatin1(
                QUrl::toPercentEncoding(u"[%1] %2"_s.arg(severityCode(m_incident->severity), m_incident->title))));
        query.addQueryItem(u"body"_s, QString::fromLatin1(QUrl::toPercentEncoding(summary())));
        url.setQuery(query);
    }
    QDesktopServices::openUrl(url);
    if (m_incident)
        m_service->monitor()->recordContact(m_incident->id, *c, u"email"_s, tr("Emailed %1").arg(c->email));
}

void EscalationPanel::escalate(const QStringList& roles)
{
    if (!m_incident || roles.isEmpty())
        return;
    m_service->monitor()->recordEscalation(m_incident->id, roles);
    m_alert->hide();
}

CommunicationsDialog* EscalationPanel::openCommunications()
{
    if (!m_incident)
        return nullptr;
    auto* dialog = new CommunicationsDialog(m_service, *m_incident, this);
    dialog->open();
    return dialog;
}

void EscalationPanel::askForSecret(KeychainSecret* secret, const QString& what, bool url)
{
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(u"secretInput"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(what);
    dialog->setLabelText(tr("%1 (kept in the system keychain, never on disk):").arg(what));
    dialog->setTextEchoMode(url ? QLineEdit::Normal : QLineEdit::Password);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, secret](const QString& value) {
        if (value.trimmed().isEmpty())
            return;
        m_pendingSecret = value.trimmed();
        m_problemSecret = secret;
        m_keychain->setText(tr("Saving in the keychain\u2026"));
        secret->store(m_pendingSecret);
    });
    dialog->open();
}

void EscalationPanel::showKeychainProblem(KeychainSecret* secret, SecretStore::Error, const QString& message)
{
    m_problemSecret = secret;
    m_keychain->setText(message);
    m_keychainRetry->show();
    m_keychainSession->setVisible(!m_pendingSecret.isEmpty());
}

QString EscalationPanel::responsibleText() const { return m_responsible->text(); }
QString EscalationPanel::escalationText() const { return m_escalation->text(); }
QString EscalationPanel::updateText() const { return m_update->text(); }
QString EscalationPanel::alertText() const { return !m_alert->isHidden() ? m_alert->text() : QString(); }
QString EscalationPanel::pagerDutyText() const { return m_pagerDuty->text(); }

#include "moc_escalationpanel.cpp"
