// SPDX-License-Identifier: MIT
// The escalation monitor over a real incident store with a manual clock: "escalation due" on the timeline once,
// at the right moment, not again after a restart; re-planned on a severity change; escalations recorded.
#include "models/incidentclock.h"
#include "models/runbookdocument.h"
#include "services/escalationmonitor.h"
#include "services/runbookparser.h"
#include "services/storeclient.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 minute = 60'000;
}

class TestEscalationMonitor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void dueOnceAtTheRightMoment();
    void notAgainAfterRestart();
    void severityChangeReplans();
    void escalationAndMessagesAreRecorded();

private:
    void openStore();
    std::unique_ptr<EscalationMonitor> startMonitor();
    Incident createIncident(Severity severity);
    QList<TimelineEvent> events(qint64 incidentId);
    int count(qint64 incidentId, const QString& kind);

    QTemporaryDir m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::shared_ptr<MonotonicWallClock> m_clock;
};

void TestEscalationMonitor::init()
{
    QVERIFY(m_dir.isValid());
    QFile::remove(m_dir.filePath(u"store.sqlite"_s));
    openStore();
}

void TestEscalationMonitor::cleanup() { m_store.reset(); }

void TestEscalationMonitor::openStore()
{
    m_store = std::make_unique<StoreClient>(m_dir.filePath(u"store.sqlite"_s));
    QSignalSpy opened(m_store.get(), &StoreClient::opened);
    m_store->open();
    QVERIFY(opened.wait(10000));
}

std::unique_ptr<EscalationMonitor> TestEscalationMonitor::startMonitor()
{
    static const RunbookDocument seed = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
    auto monitor = std::make_unique<EscalationMonitor>(m_store.get());
    monitor->setMatrix(EscalationMatrix::fromTable(*seed.escalationMatrix()));
    monitor->setTickInterval(3'600'000); // ticks are driven by the test
    monitor->setClock([this] { return m_clock->nowMs(); });
    monitor->start();
    return monitor;
}

Incident TestEscalationMonitor::createIncident(Severity severity)
{
    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    m_store->createIncident({ u"API returning 500s"_s, severity, u"sandbox"_s, u"tester"_s, u"500s"_s });
    if (!changed.wait(10000))
        return {};
    const Incident incident = changed.constLast().at(0).value<Incident>();
    m_clock = std::make_shared<MonotonicWallClock>(MonotonicWallClock::manual(incident.startedMs));
    return incident;
}

QList<TimelineEvent> TestEscalationMonitor::events(qint64 incidentId)
{
    QSignalSpy loaded(m_store.get(), &StoreClient::eventsLoaded);
    const quint64 id = m_store->requestEvents(incidentId, 0, 10000);
    while (loaded.wait(10000)) {
        for (const QList<QVariant>& args : loaded) {
            if (args.at(0).value<quint64>() == id)
                return args.at(2).value<QList<TimelineEvent>>();
        }
    }
    return {};
}

int TestEscalationMonitor::count(qint64 incidentId, const QString& kind)
{
    int n = 0;
    for (const TimelineEvent& e : events(incidentId))
        n += e.kind == kind;
    return n;
}

void TestEscalationMonitor::dueOnceAtTheRightMoment()
{
    const Incident incident = createIncident(Severity::P0);
    QVERIFY(incident.id);
    auto monitor = startMonitor();
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isTracking(incident.id), 10000);
    QSignalSpy due(monitor.get(), &EscalationMonitor::escalationDue);

    m_clock->advance(15 * minute - 1000);
    monitor->tick();
    QCOMPARE(due.count(), 0);
    QCOMPARE(monitor->clock(incident.id).escalationCountdownMs, 1000);

    m_clock->advance(1000);
    monitor->tick();
    QCOMPARE(due.count(), 1);
    const EscalationClock clock = due.constFirst().at(1).value<EscalationClock>();
    QCOMPARE(clock.escalateTo, (QStringList { u"Engineering lead"_s, u"CTO"_s }));
    for (int i = 0; i < 5; ++i) {
        m_clock->advance(30'000);
        monitor->tick();
    }
    QCOMPARE(due.count(), 1);
    QCOMPARE(count(incident.id, QString::fromUtf16(EscalationEvent::Due)), 1);
    const QList<TimelineEvent> all = events(incident.id);
    const auto it = std::find_if(all.cbegin(), all.cend(),
        [](const TimelineEvent& e) { return e.kind == QString::fromUtf16(EscalationEvent::Due); });
    QVERIFY(it->summary.startsWith(u"Escalation due (P0, 15m 00s since start)"_s));
    QCOMPARE(it->detail.value(u"severity"_s).toString(), u"P0"_s);
}

void TestEscalationMonitor::notAgainAfterRestart()
{
    const Incident incident = createIncident(Severity::P1);
    {
        auto monitor = startMonitor();
        QTRY_VERIFY_WITH_TIMEOUT(monitor->isTracking(incident.id), 10000);
        m_clock->advance(31 * minute);
        monitor->tick();
        QTRY_COMPARE_WITH_TIMEOUT(count(incident.id, QString::fromUtf16(EscalationEvent::Due)), 1, 10000);
    }
    m_store.reset();
    openStore(); // a restart: a new store client and a new monitor, the same file
    auto monitor = startMonitor();
    QSignalSpy due(monitor.get(), &EscalationMonitor::escalationDue);
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isTracking(incident.id), 10000);
    m_clock->advance(minute);
    monitor->tick();
    QCOMPARE(due.count(), 0);
    QVERIFY(monitor->history(incident.id).dueRecorded(Severity::P1));
    QCOMPARE(count(incident.id, QString::fromUtf16(EscalationEvent::Due)), 1);
}

void TestEscalationMonitor::severityChangeReplans()
{
    const Incident incident = createIncident(Severity::P2);
    auto monitor = startMonitor();
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isTracking(incident.id), 10000);
    QSignalSpy due(monitor.get(), &EscalationMonitor::escalationDue);
    m_clock->advance(20 * minute);
    monitor->tick();
    QCOMPARE(due.count(), 0);
    QCOMPARE(monitor->clock(incident.id).escalationCountdownMs, 100 * minute);

    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    m_store->changeSeverity(incident.id, Severity::P1, u"more users affected"_s);
    QVERIFY(changed.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(monitor->clock(incident.id).severity, Severity::P1, 5000);
    QCOMPARE(monitor->clock(incident.id).escalationCountdownMs, 10 * minute);
    m_clock->advance(10 * minute);
    monitor->tick();
    QCOMPARE(due.count(), 1);

    m_store->changeSeverity(incident.id, Severity::P0, u"outage"_s);
    QTRY_COMPARE_WITH_TIMEOUT(monitor->clock(incident.id).severity, Severity::P0, 5000);
    monitor->tick(); // P0's 15 minutes are long past: due at once, for P0 this time
    QCOMPARE(due.count(), 2);
    QCOMPARE(due.constLast().at(1).value<EscalationClock>().severity, Severity::P0);
    QTRY_COMPARE_WITH_TIMEOUT(count(incident.id, QString::fromUtf16(EscalationEvent::Due)), 2, 10000);
}

void TestEscalationMonitor::escalationAndMessagesAreRecorded()
{
    const Incident incident = createIncident(Severity::P0);
    auto monitor = startMonitor();
    Contact lead;
    lead.role = u"engineering_lead"_s;
    lead.name = u"Engrid"_s;
    Contact cto;
    cto.role = u"cto"_s;
    cto.name = u"Larry"_s;
    ContactDirectory contacts({ lead, cto });
    monitor->setContacts(contacts);
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isTracking(incident.id), 10000);
    QSignalSpy due(monitor.get(), &EscalationMonitor::escalationDue);
    QSignalSpy updateDue(monitor.get(), &EscalationMonitor::updateDue);
    m_clock->advance(10 * minute);
    monitor->recordEscalation(incident.id, { u"Engineering lead"_s, u"CTO"_s });
    QTRY_VERIFY_WITH_TIMEOUT(monitor->clock(incident.id).escalated, 10000);
    QCOMPARE(monitor->clock(incident.id).responsibleNow,
        (QStringList { u"On-call engineer"_s, u"Engineering lead"_s, u"CTO"_s }));
    m_clock->advance(6 * minute);
    monitor->tick();
    QCOMPARE(due.count(), 0); // already escalated: nothing falls due
    QCOMPARE(updateDue.count(), 1); // 16 minutes without a status update (P0: every 15)
    monitor->tick();
    QCOMPARE(updateDue.count(), 1);

    monitor->recordMessage(incident.id, u"Update"_s, u"clipboard"_s, u"UPDATE: API returning 500s"_s);
    QTRY_VERIFY_WITH_TIMEOUT(monitor->history(incident.id).lastUpdateMs.has_value(), 10000);
    const QList<TimelineEvent> all = events(incident.id);
    QStringList summaries;
    for (const TimelineEvent& e : all)
        summaries.append(e.summary);
    QVERIFY2(summaries.contains(u"Escalated to Engineering lead (Engrid) + CTO (Larry)"_s),
        qPrintable(summaries.join(u" | "_s)));
    QVERIFY(summaries.contains(u"Status message \u201CUpdate\u201D copied for sending"_s));
}

QTEST_GUILESS_MAIN(TestEscalationMonitor)
#include "tst_escalationmonitor.moc"
