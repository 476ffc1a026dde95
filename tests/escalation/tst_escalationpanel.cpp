// SPDX-License-Identifier: MIT
// The Escalation dock in the main window, offscreen: a P0 incident reaches its 15-minute escalation (driven by a
// manual clock), the panel names the engineering lead and the CTO, contacts are made, and an Update message is
// produced from the template with the incident's values and recorded when sent.
#include "fakehttpserver.h"
#include "models/incidentclock.h"
#include "models/runbookdocument.h"
#include "models/timelinemodel.h"
#include "services/escalationmonitor.h"
#include "services/escalationservice.h"
#include "services/incidentstore.h"
#include "services/pagerdutyclient.h"
#include "services/runbookparser.h"
#include "services/secretstore.h"
#include "services/slackposter.h"
#include "services/storeclient.h"
#include "ui/communicationsdialog.h"
#include "ui/escalationpanel.h"
#include "ui/mainwindow.h"
#include "ui/timelinepane.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 minute = 60'000;

class UrlRecorder : public QObject {
    Q_OBJECT
public:
    QList<QUrl> urls;
public Q_SLOTS:
    void open(const QUrl& url) { urls.append(url); }
};

int rowOf(QTableWidget* table, const QString& name)
{
    for (int r = 0; r < table->rowCount(); ++r) {
        if (table->item(r, 1) && table->item(r, 1)->text() == name)
            return r;
    }
    return -1;
}
} // namespace

class TestEscalationPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void p0ReachesItsEscalation();
    void contactsAreMadeAndRecorded();
    void updateMessageFromTemplate();
    void failedSlackPostKeepsTheMessage();
    void slackPostRecordedBeforeItLeaves();
    void statusMessageNamesWhoIsOnCall();
    void resolvedMessageFromNotes();
    void defaultTemplateFollowsWhatHappened();

private:
    qint64 openIncident(Severity severity);
    QStringList timelineSummaries() const;
    int timelineCount(const QString& kind) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<EscalationService> m_service;
    std::unique_ptr<MainWindow> m_window;
    std::shared_ptr<MonotonicWallClock> m_clock = std::make_shared<MonotonicWallClock>();
    UrlRecorder m_urls;
    EscalationPanel* m_panel = nullptr;
};

void TestEscalationPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_escalationpanel"_s);
    for (const char* scheme : { "tel", "mailto", "slack" })
        QDesktopServices::setUrlHandler(QString::fromLatin1(scheme), &m_urls, "open");
}

void TestEscalationPanel::cleanupTestCase()
{
    for (const char* scheme : { "tel", "mailto", "slack" })
        QDesktopServices::unsetUrlHandler(QString::fromLatin1(scheme));
}

void TestEscalationPanel::init()
{
    QSettings().clear();
    m_urls.urls.clear();
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<StoreClient>(m_dir->filePath(u"incidents.sqlite"_s));
    m_secrets = std::make_unique<SecretStore>(u"app.petforce.OpsConsole.test"_s);
    m_secrets->useSessionFallback();
    m_service = std::make_unique<EscalationService>(m_store.get(), m_secrets.get());
    m_service->setRunbook(RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s));
    m_service->monitor()->setClock([this] { return m_clock->nowMs(); });
    m_service->monitor()->setTickInterval(3'600'000); // the test ticks
    ConsoleServices services;
    services.store = m_store.get();
    services.secrets = m_secrets.get();
    services.escalation = m_service.get();
    m_window = std::make_unique<MainWindow>(services);
    m_panel = m_window->escalationPanel();
    QVERIFY(m_panel);
    QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_store->open();
    QVERIFY(ready.wait(10000));
    m_service->start();
}

void TestEscalationPanel::cleanup()
{
    m_window.reset();
    m_service.reset();
    m_secrets.reset();
    m_store.reset();
}

qint64 TestEscalationPanel::openIncident(Severity severity)
{
    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    m_store->createIncident(
        { u"API returning 500s"_s, severity, u"sandbox"_s, u"tester"_s, u"Users cannot join households"_s });
    if (!changed.wait(10000))
        return 0;
    const Incident incident = changed.constLast().at(0).value<Incident>();
    m_clock = std::make_shared<MonotonicWallClock>(MonotonicWallClock::manual(incident.startedMs));
    m_window->setActiveIncident(incident.id);
    if (!QTest::qWaitFor([&] { return m_service->monitor()->isTracking(incident.id) && m_panel->incident(); }, 10000))
        return 0;
    return incident.id;
}

QStringList TestEscalationPanel::timelineSummaries() const
{
    QStringList summaries;
    const QAbstractItemModel* shown = m_window->timelinePane()->view()->model();
    for (int row = 0; row < shown->rowCount(); ++row)
        summaries.append(shown->index(row, TimelineModel::SummaryColumn).data().toString());
    return summaries;
}

int TestEscalationPanel::timelineCount(const QString& kind) const
{
    int n = 0;
    const QAbstractItemModel* shown = m_window->timelinePane()->view()->model();
    for (int row = 0; row < shown->rowCount(); ++row)
        n += shown->index(row, TimelineModel::KindColumn).data().toString() == kind;
    return n;
}

void TestEscalationPanel::p0ReachesItsEscalation()
{
    const qint64 id = openIncident(Severity::P0);
    QVERIFY(id);
    QVERIFY(m_window->findChild<QDockWidget*>(u"escalationDock"_s)->isVisible());
    QCOMPARE(m_panel->matrixTable()->rowCount(), 4);
    QCOMPARE(m_panel->matrixTable()->item(0, 3)->text(), u"Engineering lead + CTO"_s);
    QVERIFY(m_panel->matrixTable()->item(0, 0)->font().bold()); // the incident's row
    QCOMPARE(m_panel->responsibleText(), u"Responsible now: On-call engineer"_s);

    QSignalSpy alert(m_panel, &EscalationPanel::alertRaised);
    QSignalSpy reminder(m_panel, &EscalationPanel::updateReminderRaised);
    m_clock->advance(14 * minute);
    m_service->monitor()->tick();
    QCOMPARE(m_panel->escalationText(), u"Escalate to Engineering lead (Engrid) + CTO (Larry) in 1m 00s"_s);
    QCOMPARE(m_panel->updateText(), u"Next status update in 1m 00s"_s);
    QVERIFY(m_panel->alertText().isEmpty());
    QCOMPARE(alert.count(), 0);
    QCOMPARE(reminder.count(), 0);

    m_clock->advance(minute);
    m_service->monitor()->tick();
    QCOMPARE(alert.count(), 1);
    QCOMPARE(m_panel->escalationText(), u"Escalation due: Engineering lead (Engrid) + CTO (Larry)"_s);
    QVERIFY2(m_panel->alertText().contains(u"Engrid"_s) && m_panel->alertText().contains(u"Larry"_s),
        qPrintable(m_panel->alertText()));
    QVERIFY(!m_panel->lastNotificationChannel().isEmpty());
    QCOMPARE(m_panel->updateText(), u"Status update due now"_s);
    QCOMPARE(reminder.count(), 1); // the status update's own notification, beside the escalation's
    QVERIFY2(reminder.constFirst().at(0).toString().contains(u"Status update due now"_s),
        qPrintable(reminder.constFirst().at(0).toString()));
    const QString due = QString::fromUtf16(EscalationEvent::Due);
    QTRY_COMPARE_WITH_TIMEOUT(timelineCount(due), 1, 10000);
    for (int i = 0; i < 3; ++i) {
        m_clock->advance(20'000);
        m_service->monitor()->tick();
    }
    QTest::qWait(200);
    QCOMPARE(alert.count(), 1);
    QCOMPARE(reminder.count(), 1); // once per due time, not every tick
    QCOMPARE(timelineCount(due), 1);

    // The red line follows the clock, not the reminder: shown again after another incident, it is still red.
    auto* updateLine = m_panel->findChild<QLabel*>(u"updateCountdown"_s);
    QVERIFY(updateLine && updateLine->styleSheet().contains(u"#b71c1c"_s));
    QSignalSpy created(m_store.get(), &StoreClient::incidentChanged);
    m_store->createIncident({ u"Analytics slow"_s, Severity::P2, u"sandbox"_s, u"tester"_s, u"Reports late"_s });
    qint64 other = 0;
    QTRY_VERIFY([&] {
        for (const QList<QVariant>& args : std::as_const(created)) {
            if (args.at(0).value<Incident>().title == u"Analytics slow")
                other = args.at(0).value<Incident>().id;
        }
        return other > 0;
    }());
    m_window->setActiveIncident(other);
    QTRY_VERIFY(m_panel->incident() && m_panel->incident()->id == other);
    m_service->monitor()->tick();
    QVERIFY(!updateLine->styleSheet().contains(u"#b71c1c"_s));
    m_window->setActiveIncident(id);
    QTRY_VERIFY(m_panel->incident() && m_panel->incident()->id == id);
    m_service->monitor()->tick();
    QVERIFY2(updateLine->styleSheet().contains(u"#b71c1c"_s), qPrintable(updateLine->text()));
    QCOMPARE(reminder.count(), 1);

    // "Escalated to…": one action, recorded; the alert goes and both are responsible now.
    auto* escalate = m_window->findChild<QToolButton*>(u"escalateButton"_s);
    QVERIFY(escalate->isEnabled());
    QAction* all = escalate->menu()->findChild<QAction*>(u"escalateAll"_s);
    QVERIFY(all);
    QCOMPARE(all->text(), u"Engineering lead (Engrid) + CTO (Larry)"_s);
    all->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(
        timelineSummaries().contains(u"Escalated to Engineering lead (Engrid) + CTO (Larry)"_s), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->responsibleText(),
        u"Responsible now: On-call engineer, Engineering lead (Engrid), CTO (Larry)"_s, 5000);
    QVERIFY(m_panel->alertText().isEmpty());

    const QString shot = QDir::temp().filePath(u"petforce-escalation-panel.png"_s);
    m_window->grab().save(shot);
}

void TestEscalationPanel::contactsAreMadeAndRecorded()
{
    QVERIFY(openIncident(Severity::P1));
    QTableWidget* contacts = m_panel->contactsTable();
    QCOMPARE(contacts->rowCount(), 4);
    QVERIFY(contacts->item(0, 1)->text().contains(u"Check PagerDuty rotation"_s));
    const int engrid = rowOf(contacts, u"Engrid"_s);
    const int buck = rowOf(contacts, u"Buck"_s);
    QVERIFY(engrid >= 0 && buck >= 0);

    contacts->selectRow(engrid);
    const qsizetype opened = m_urls.urls.size();
    QTest::mouseClick(m_window->findChild<QPushButton*>(u"callButton"_s), Qt::LeftButton);
    // The runbook's +1-xxx-xxx-xxxx dials nobody: said so, nothing opened, nothing recorded.
    QMessageBox* noNumber = nullptr;
    QTRY_VERIFY((noNumber = m_panel->findChild<QMessageBox*>(u"noNumberBox"_s)) != nullptr);
    QVERIFY2(noNumber->text().contains(u"placeholder"_s), qPrintable(noNumber->text()));
    noNumber->accept();
    QCOMPARE(m_urls.urls.size(), opened);
    QTest::mouseClick(m_window->findChild<QPushButton*>(u"copyPhoneButton"_s), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), u"+1-xxx-xxx-xxxx"_s);
    QTest::mouseClick(m_window->findChild<QPushButton*>(u"slackButton"_s), Qt::LeftButton);
    QCOMPARE(m_urls.urls.constLast().scheme(), u"slack"_s);
    contacts->selectRow(buck);
    QTest::mouseClick(m_window->findChild<QPushButton*>(u"emailButton"_s), Qt::LeftButton);
    const QUrl mail = m_urls.urls.constLast();
    QCOMPARE(mail.scheme(), u"mailto"_s);
    QCOMPARE(mail.path(), u"buck@petforce.app"_s);
    const QString query = QUrl::fromPercentEncoding(mail.query(QUrl::FullyEncoded).toUtf8());
    QVERIFY2(query.contains(u"subject=[P1] API returning 500s"_s), qPrintable(query));
    QVERIFY2(query.contains(u"Impact: Users cannot join households"_s), qPrintable(query));

    QTRY_VERIFY_WITH_TIMEOUT(timelineSummaries().contains(u"Emailed buck@petforce.app"_s), 10000);
    const QStringList summaries = timelineSummaries();
    QVERIFY(!summaries.contains(u"Called Engrid"_s));
    QVERIFY(summaries.contains(u"Opened Slack @engrid"_s));
    QVERIFY(summaries.contains(u"Copied the phone number of Engrid (Engineering lead)"_s));
}

void TestEscalationPanel::updateMessageFromTemplate()
{
    const qint64 id = openIncident(Severity::P0);
    QVERIFY(id);
    m_store->addNote(id, u"Error rate back under 1%"_s);
    QTRY_COMPARE(m_service->monitor()->history(id).progressText(), u"Error rate back under 1%"_s);
    m_clock->advance(20 * minute);
    QPushButton* message = m_window->findChild<QPushButton*>(u"messageButton"_s);
    QVERIFY(message->isEnabled());
    QTest::mouseClick(message, Qt::LeftButton);
    auto* dialog = m_panel->findChild<CommunicationsDialog*>(u"communicationsDialog"_s);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    // Nothing was sent yet for this incident: its first message.
    QTRY_COMPARE(dialog->currentTemplate(), u"Incident Started"_s);
    dialog->selectTemplate(u"Update"_s);
    // Progress comes from the timeline since the last message: the note.
    QVERIFY2(
        dialog->messageText().contains(u"\nProgress: Error rate back under 1%\n"_s), qPrintable(dialog->messageText()));
    dialog->setField(MessageValues::ProgressField, u"Rolled back to v1.1.0"_s);
    dialog->setField(MessageValues::NextField, u"Watch the error rate"_s);
    dialog->setField(MessageValues::EtaField, u"15 minutes"_s);
    QCOMPARE(dialog->messageText(),
        u"\U0001F4CA UPDATE: API returning 500s\nStatus: Investigating\nProgress: Rolled back to v1.1.0\n"
        u"Next: Watch the error rate\nETA: 15 minutes"_s);
    dialog->selectTemplate(u"Incident Started"_s);
    QVERIFY2(dialog->messageText().startsWith(u"\U0001F6A8 INCIDENT: P0 API returning 500s\nStatus: Investigating\n"
                                              u"Impact: Users cannot join households\nStarted: "_s),
        qPrintable(dialog->messageText()));
    dialog->selectTemplate(u"Update"_s);

    QSignalSpy sent(dialog, &CommunicationsDialog::messageSent);
    QTest::mouseClick(dialog->findChild<QPushButton*>(u"copyButton"_s), Qt::LeftButton);
    QCOMPARE(sent.count(), 1);
    QVERIFY(QApplication::clipboard()->text().startsWith(u"\U0001F4CA UPDATE: API returning 500s"_s));
    QTRY_VERIFY_WITH_TIMEOUT(
        timelineSummaries().contains(u"Status message \u201CUpdate\u201D copied for sending"_s), 10000);
    dialog->close();
    // Sent: the next message's progress starts empty, then gathers what comes after.
    QTRY_VERIFY(m_service->monitor()->history(id).progress.isEmpty());
    m_store->addNote(id, u"Watching the error rate"_s);
    QTRY_COMPARE(m_service->monitor()->history(id).progressText(), u"Watching the error rate"_s);
    CommunicationsDialog* next = m_panel->openCommunications();
    QVERIFY(next);
    QCOMPARE(next->currentTemplate(), u"Update"_s); // one was sent
    QVERIFY2(next->messageText().contains(u"\nProgress: Watching the error rate\n"_s), qPrintable(next->messageText()));
    next->close();
}

void TestEscalationPanel::failedSlackPostKeepsTheMessage()
{
    FakeHttpServer server;
    server.enqueue({ 500, "no_service" });
    server.enqueue({ 200, "ok" });
    QSignalSpy written(m_secrets.get(), &SecretStore::secretWritten);
    m_secrets->writeSecret(QString::fromUtf16(SlackPoster::webhookKey), server.url(u"/hook"_s).toString());
    QVERIFY(written.wait(5000));
    QVERIFY(openIncident(Severity::P1));
    CommunicationsDialog* dialog = m_panel->openCommunications();
    QVERIFY(dialog);
    const QString text = dialog->messageText();
    QTest::mouseClick(dialog->findChild<QPushButton*>(u"postButton"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().startsWith(u"Not posted: HTTP 500: no_service"_s), 10000);
    QCOMPARE(dialog->messageText(), text);
    QVERIFY(!timelineSummaries().contains(u"Status message \u201CIncident Started\u201D posted to Slack"_s));
    QTest::mouseClick(dialog->findChild<QPushButton*>(u"postButton"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().startsWith(u"Posted to Slack"_s), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        timelineSummaries().contains(u"Status message \u201CIncident Started\u201D posted to Slack"_s), 10000);
    dialog->close();
}

void TestEscalationPanel::slackPostRecordedBeforeItLeaves()
{
    FakeHttpServer server;
    server.setDefault({ 200, "ok" });
    QSignalSpy written(m_secrets.get(), &SecretStore::secretWritten);
    m_secrets->writeSecret(QString::fromUtf16(SlackPoster::webhookKey), server.url(u"/hook"_s).toString());
    QVERIFY(written.wait(5000));
    const qint64 id = openIncident(Severity::P1);
    QVERIFY(id > 0);
    // When Slack gets the message, "message.sending" is already in the store (read through a connection of its own).
    QStringList kindsWhenPosted;
    connect(&server, &FakeHttpServer::requestReceived, this, [&] {
        IncidentStore reader(m_dir->filePath(u"incidents.sqlite"_s));
        if (!reader.open())
            return;
        for (const TimelineEvent& e : reader.events(id, 0, -1))
            kindsWhenPosted.append(e.kind);
    });
    CommunicationsDialog* dialog = m_panel->openCommunications();
    QVERIFY(dialog);
    QTest::mouseClick(dialog->findChild<QPushButton*>(u"postButton"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().startsWith(u"Posted to Slack"_s), 10000);
    QCOMPARE(server.requestCount(), 1);
    QVERIFY2(kindsWhenPosted.contains(QString::fromUtf16(EscalationEvent::MessageSending)),
        qPrintable(kindsWhenPosted.join(u", "_s)));
    QVERIFY(!kindsWhenPosted.contains(QString::fromUtf16(EscalationEvent::MessageSent)));
    QTRY_VERIFY_WITH_TIMEOUT(
        timelineSummaries().contains(u"Status message \u201CIncident Started\u201D posted to Slack"_s), 10000);
    dialog->close();

    // A message the store cannot record (no such incident there) is never posted.
    Incident elsewhere;
    elsewhere.id = 999;
    elsewhere.title = u"Not in this store"_s;
    elsewhere.severity = Severity::P1;
    CommunicationsDialog unrecorded(m_service.get(), elsewhere);
    unrecorded.show();
    QTest::mouseClick(unrecorded.findChild<QPushButton*>(u"postButton"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        unrecorded.statusText().startsWith(u"Not posted: the timeline could not record it"_s), 10000);
    QVERIFY2(unrecorded.statusText().contains(u"Nothing was sent"_s), qPrintable(unrecorded.statusText()));
    QTest::qWait(200);
    QCOMPARE(server.requestCount(), 1);
    QVERIFY(unrecorded.findChild<QPushButton*>(u"postButton"_s)->isEnabled());
}

void TestEscalationPanel::statusMessageNamesWhoIsOnCall()
{
    // PagerDuty's on-call (a local server) fills the message's On-call line.
    FakeHttpServer server;
    server.enqueue({ 200,
        R"({"oncalls":[{"escalation_level":1,"user":{"id":"P1","summary":"Alice Primary"},"schedule":{}}],"more":false})" });
    QSignalSpy written(m_secrets.get(), &SecretStore::secretWritten);
    m_secrets->writeSecret(QString::fromUtf16(PagerDutyClient::tokenKey), u"pd-token-123"_s);
    QVERIFY(written.wait(5000));
    PagerDutyClient* pagerDuty = m_service->pagerDuty();
    pagerDuty->setBaseUrl(server.url());
    pagerDuty->setEscalationPolicyId(u"PABC123"_s);
    QSignalSpy changed(pagerDuty, &PagerDutyClient::onCallsChanged);
    pagerDuty->refresh();
    QVERIFY(changed.wait(5000));
    QCOMPARE(pagerDuty->onCalls().size(), 1);
    QVERIFY(openIncident(Severity::P1));
    CommunicationsDialog* dialog = m_panel->openCommunications();
    QVERIFY(dialog);
    dialog->selectTemplate(u"Incident Started"_s);
    QVERIFY2(dialog->messageText().contains(u"\nOn-call: Alice Primary"_s), qPrintable(dialog->messageText()));
    dialog->close();
}

void TestEscalationPanel::resolvedMessageFromNotes()
{
    const qint64 id = openIncident(Severity::P0);
    QVERIFY(id);
    m_store->addNote(id, u"Root cause: a bad deploy"_s);
    m_store->addNote(id, u"Root cause: missing index on household_members.household_id"_s);
    m_store->addNote(id, u"Fix deployed: CREATE INDEX CONCURRENTLY idx_household_members_household_id"_s);
    m_store->addNote(id, u"Follow-up: https://wiki.petforce.app/pm/16"_s);
    m_store->resolve(id, u"p99 back under 300 ms"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->incident() && !m_panel->incident()->isOpen(), 10000);
    CommunicationsDialog* dialog = m_panel->openCommunications();
    QVERIFY(dialog);
    QTRY_COMPARE(dialog->currentTemplate(), u"Resolved"_s);
    QTRY_VERIFY2(dialog->messageText().contains(u"\nRoot Cause: missing index on household_members.household_id\n"
                                                u"Fix: CREATE INDEX CONCURRENTLY idx_household_members_household_id\n"
                                                u"Follow-up: https://wiki.petforce.app/pm/16"_s),
        qPrintable(dialog->messageText()));
    QVERIFY2(dialog->messageText().startsWith(u"\u2705 RESOLVED: API returning 500s\nDuration: "_s),
        qPrintable(dialog->messageText()));
    QVERIFY(!dialog->messageText().contains(u'['));

    // A note written while the dialog is open fills its field, unless the commander typed there.
    dialog->setField(MessageValues::RootCauseField, u"typed by the commander"_s);
    m_store->addNote(id, u"Root cause: a third guess"_s);
    m_store->addNote(id, u"Fix deployed: ANALYZE household_members too"_s);
    QTRY_VERIFY2(
        dialog->messageText().contains(u"\nFix: ANALYZE household_members too\n"_s), qPrintable(dialog->messageText()));
    QVERIFY2(
        dialog->messageText().contains(u"\nRoot Cause: typed by the commander\n"_s), qPrintable(dialog->messageText()));
    dialog->close();
}

void TestEscalationPanel::defaultTemplateFollowsWhatHappened()
{
    const qint64 id = openIncident(Severity::P1);
    QVERIFY(id);
    CommunicationsDialog* first = m_panel->openCommunications();
    QVERIFY(first);
    QTRY_COMPARE(first->currentTemplate(), u"Incident Started"_s);
    QTest::qWait(100); // the timeline read does not change it
    QCOMPARE(first->currentTemplate(), u"Incident Started"_s);
    QTest::mouseClick(first->findChild<QPushButton*>(u"copyButton"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        timelineSummaries().contains(u"Status message \u201CIncident Started\u201D copied for sending"_s), 10000);
    QCOMPARE(first->currentTemplate(), u"Incident Started"_s); // what was sent stays in front
    first->close();

    CommunicationsDialog* second = m_panel->openCommunications();
    QVERIFY(second);
    QTRY_COMPARE(second->currentTemplate(), u"Update"_s);
    // Left open while the incident is resolved: it turns to the Resolved message.
    m_store->resolve(id, u"Rolled back"_s);
    QTRY_COMPARE_WITH_TIMEOUT(second->currentTemplate(), u"Resolved"_s, 10000);
    QVERIFY2(
        second->messageText().startsWith(u"\u2705 RESOLVED: API returning 500s"_s), qPrintable(second->messageText()));
    second->close();

    // Opened again for the resolved incident, which the escalation monitor no longer follows: its timeline says.
    CommunicationsDialog* third = m_panel->openCommunications();
    QVERIFY(third);
    QTRY_COMPARE(third->currentTemplate(), u"Resolved"_s);
    third->close();
}

QTEST_MAIN(TestEscalationPanel)
#include "tst_escalationpanel.moc"
