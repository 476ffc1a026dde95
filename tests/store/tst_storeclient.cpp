// SPDX-License-Identifier: MIT
#include "services/incidentstore.h"
#include "services/storeclient.h"
#include "storetestsupport.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace StoreTest;

namespace {
constexpr int WaitMs = 10000; // generous: the machine may be busy; the waits end as soon as the signal comes

QList<TimelineEvent> eventsOf(const QSignalSpy& spy)
{
    QList<TimelineEvent> all;
    for (const QList<QVariant>& call : spy)
        all += call.at(0).value<QList<TimelineEvent>>();
    return all;
}

QStringList kindsOf(const QList<TimelineEvent>& events)
{
    QStringList kinds;
    for (const TimelineEvent& e : events)
        kinds.append(e.kind);
    return kinds;
}
} // namespace

class TestStoreClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void openAndCreate();
    void changesArriveInOrder();
    void refusedChangeFails();
    void newerStoreFailsToOpen();
    void writesBeforeOpenFail();
    void reads();
    void twoClientsSeeEachOther();
    void destructorFinishesQueuedWrites();

private:
    QString storePath() const { return m_dir->filePath(u"incidents.sqlite"_s); }
    // Opens a client and waits for opened().
    bool openClient(StoreClient& client);
    // Creates an incident through client and returns it.
    Incident createThrough(StoreClient& client, const QString& title);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreClient::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreClient::cleanup() { m_dir.reset(); }

bool TestStoreClient::openClient(StoreClient& client)
{
    QSignalSpy opened(&client, &StoreClient::opened);
    client.open();
    return opened.wait(WaitMs) && opened.first().at(0).toInt() == IncidentStore::currentSchemaVersion();
}

Incident TestStoreClient::createThrough(StoreClient& client, const QString& title)
{
    QSignalSpy changed(&client, &StoreClient::incidentChanged);
    QSignalSpy appended(&client, &StoreClient::eventsAppended); // comes last
    client.createIncident(draft(title));
    if (!appended.wait(WaitMs) || changed.isEmpty())
        return {};
    return changed.first().at(0).value<Incident>();
}

void TestStoreClient::openAndCreate()
{
    StoreClient client(storePath());
    QCOMPARE(client.path(), storePath());
    QSignalSpy opened(&client, &StoreClient::opened);
    QSignalSpy failed(&client, &StoreClient::openFailed);
    client.open();
    QVERIFY(opened.wait(WaitMs));
    QCOMPARE(opened.first().at(0).toInt(), 3);
    QCOMPARE(failed.size(), 0);

    QSignalSpy changed(&client, &StoreClient::incidentChanged);
    QSignalSpy appended(&client, &StoreClient::eventsAppended);
    client.createIncident(draft(u"API returning 500s"_s));
    QVERIFY(appended.wait(WaitMs));
    QCOMPARE(changed.size(), 1);
    const Incident incident = changed.first().at(0).value<Incident>();
    QVERIFY(incident.id > 0);
    QCOMPARE(incident.title, u"API returning 500s"_s);
    QCOMPARE(incident.commander, IncidentStore::currentOperator());
    const QList<TimelineEvent> events = appended.first().at(0).value<QList<TimelineEvent>>();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().kind, u"incident.created"_s);
    QCOMPARE(events.first().actor, IncidentStore::currentOperator());
    QCOMPARE(incident.lastSeq, events.first().seq);
    // The worker's clock is the wall clock (read once, advanced monotonically).
    QVERIFY(qAbs(events.first().timeMs - QDateTime::currentMSecsSinceEpoch()) < 60 * 1000);
}

void TestStoreClient::changesArriveInOrder()
{
    StoreClient client(storePath());
    QVERIFY(openClient(client));
    const Incident incident = createThrough(client, u"Database down"_s);
    QVERIFY(incident.id > 0);

    QSignalSpy changed(&client, &StoreClient::incidentChanged);
    QSignalSpy appended(&client, &StoreClient::eventsAppended);
    QSignalSpy failed(&client, &StoreClient::writeFailed);
    client.acknowledge(incident.id);
    client.changeSeverity(incident.id, Severity::P0, u"everyone affected"_s);
    client.enterFlowStep(incident.id, 2);
    client.changeStatus(incident.id, IncidentStatus::Mitigating);
    client.addNote(incident.id, u"Failing over"_s);
    client.appendEvent(incident.id, u"command.finished"_s, u"aws rds reboot-db-instance"_s, { { u"exit"_s, 0 } });
    client.resolve(incident.id, u"Failed over"_s);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 7, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(appended.size(), 7, WaitMs);
    QCOMPARE(failed.size(), 0);

    const QList<TimelineEvent> events = eventsOf(appended);
    QCOMPARE(kindsOf(events),
        QStringList({ u"incident.acknowledged"_s, u"flow.step"_s, u"incident.severity"_s, u"flow.step"_s,
            u"incident.status"_s, u"note"_s, u"command.finished"_s, u"incident.resolved"_s }));
    for (int i = 1; i < events.size(); ++i)
        QVERIFY(events.at(i - 1).seq < events.at(i).seq);
    const Incident last = changed.last().at(0).value<Incident>();
    QCOMPARE(last.status, IncidentStatus::Resolved);
    QCOMPARE(last.severity, Severity::P0);
    QCOMPARE(last.lastSeq, events.last().seq);
}

void TestStoreClient::refusedChangeFails()
{
    StoreClient client(storePath());
    QVERIFY(openClient(client));
    const Incident incident = createThrough(client, u"Auth broken"_s);
    QSignalSpy failed(&client, &StoreClient::writeFailed);
    QSignalSpy appended(&client, &StoreClient::eventsAppended);
    client.acknowledge(incident.id);
    client.acknowledge(incident.id);
    QVERIFY(failed.wait(WaitMs));
    QCOMPARE(appended.size(), 1); // the first acknowledgement only
    QCOMPARE(failed.first().at(0).toString(), u"Acknowledge incident %1"_s.arg(incident.id));
    const StoreError error = failed.first().at(1).value<StoreError>();
    QCOMPARE(error.code, StoreError::Code::Refused);
    QVERIFY(error.message.contains(u"already acknowledged"_s));
}

void TestStoreClient::newerStoreFailsToOpen()
{
    withRawConnection(
        storePath(), [](QSqlDatabase& db) { QVERIFY(QSqlQuery(db).exec(u"PRAGMA user_version = 99"_s)); });
    const QByteArray before = fileBytes(storePath());
    StoreClient client(storePath());
    QSignalSpy opened(&client, &StoreClient::opened);
    QSignalSpy failed(&client, &StoreClient::openFailed);
    client.open();
    QVERIFY(failed.wait(WaitMs));
    QCOMPARE(opened.size(), 0);
    const StoreError error = failed.first().at(0).value<StoreError>();
    QCOMPARE(error.code, StoreError::Code::NewerSchema);
    QVERIFY(error.message.contains(u"99"_s));
    QCOMPARE(fileBytes(storePath()), before);

    // Writes then fail with the reason instead of vanishing.
    QSignalSpy writeFailed(&client, &StoreClient::writeFailed);
    client.addNote(1, u"hello"_s);
    QVERIFY(writeFailed.wait(WaitMs));
    QCOMPARE(fileBytes(storePath()), before);
}

void TestStoreClient::writesBeforeOpenFail()
{
    StoreClient client(storePath());
    QSignalSpy writeFailed(&client, &StoreClient::writeFailed);
    client.createIncident(draft(u"Too early"_s));
    QVERIFY(writeFailed.wait(WaitMs));
    QVERIFY(writeFailed.first().at(1).value<StoreError>().message.contains(u"not open"_s));
}

void TestStoreClient::reads()
{
    StoreClient client(storePath());
    QVERIFY(openClient(client));
    const Incident a = createThrough(client, u"A"_s);
    const Incident b = createThrough(client, u"B"_s);
    QSignalSpy appended(&client, &StoreClient::eventsAppended);
    client.resolve(b.id, {});
    for (int i = 0; i < 4; ++i)
        client.addNote(a.id, u"note %1"_s.arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(appended.size(), 5, WaitMs);

    QSignalSpy incidents(&client, &StoreClient::incidentsLoaded);
    QSignalSpy events(&client, &StoreClient::eventsLoaded);
    QSignalSpy counts(&client, &StoreClient::eventCountLoaded);
    const quint64 all = client.requestIncidents();
    const quint64 open = client.requestIncidents(IncidentStore::Filter::Open);
    const quint64 page = client.requestEvents(a.id, 0, 3);
    const quint64 count = client.requestEventCount(a.id);
    QVERIFY(all != open && open != page && page != count);
    QTRY_COMPARE_WITH_TIMEOUT(counts.size(), 1, WaitMs);
    QCOMPARE(incidents.size(), 2);
    QCOMPARE(incidents.at(0).at(0).value<quint64>(), all);
    QCOMPARE(incidents.at(0).at(1).value<QList<Incident>>().size(), 2);
    QCOMPARE(incidents.at(1).at(0).value<quint64>(), open);
    const QList<Incident> openList = incidents.at(1).at(1).value<QList<Incident>>();
    QCOMPARE(openList.size(), 1);
    QCOMPARE(openList.first().id, a.id);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().at(0).value<quint64>(), page);
    QCOMPARE(events.first().at(1).value<qint64>(), a.id);
    QCOMPARE(kindsOf(events.first().at(2).value<QList<TimelineEvent>>()),
        QStringList({ u"incident.created"_s, u"note"_s, u"note"_s }));
    QCOMPARE(counts.first().at(0).value<quint64>(), count);
    QCOMPARE(counts.first().at(2).value<qint64>(), qint64(5));
}

void TestStoreClient::twoClientsSeeEachOther()
{
    StoreClient a(storePath());
    StoreClient b(storePath());
    b.setPollInterval(200); // A keeps the default of one second
    QVERIFY(openClient(a));
    QVERIFY(openClient(b));
    QSignalSpy aChanged(&a, &StoreClient::incidentChanged);
    QSignalSpy aAppended(&a, &StoreClient::eventsAppended);
    QSignalSpy bChanged(&b, &StoreClient::incidentChanged);
    QSignalSpy bAppended(&b, &StoreClient::eventsAppended);

    // A writes; B sees it by polling.
    a.createIncident(draft(u"Shared outage"_s));
    QTRY_COMPARE_WITH_TIMEOUT(aAppended.size(), 1, WaitMs);
    const Incident incident = aChanged.first().at(0).value<Incident>();
    a.addNote(incident.id, u"from A"_s);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(bAppended).size(), 2, 5000);
    QCOMPARE(kindsOf(eventsOf(bAppended)), QStringList({ u"incident.created"_s, u"note"_s }));
    QVERIFY(!bChanged.isEmpty());
    QCOMPARE(bChanged.last().at(0).value<Incident>().id, incident.id);
    QTRY_COMPARE_WITH_TIMEOUT(bChanged.last().at(0).value<Incident>().lastSeq, eventsOf(bAppended).last().seq, 5000);

    // B writes; A sees it within its one-second poll, and neither hears its own events twice.
    b.acknowledge(incident.id);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(aAppended).size(), 2 + 2, 5000);
    QCOMPARE(kindsOf(eventsOf(aAppended).mid(2)), QStringList({ u"incident.acknowledged"_s, u"flow.step"_s }));
    const Incident seenByA = aChanged.last().at(0).value<Incident>();
    QVERIFY(seenByA.acknowledgedMs.has_value());
    QCOMPARE(seenByA.flowStep, 1);

    // Each hears its own events once (from its write) and never again from its poll: a chain of markers, each
    // written after the other side saw the previous one, proves that both polls went past their own events.
    a.addNote(incident.id, u"marker A"_s);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(bAppended).size(), 5, 5000);
    b.addNote(incident.id, u"marker B"_s);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(aAppended).size(), 6, 5000);
    a.addNote(incident.id, u"marker A2"_s);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(bAppended).size(), 7, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(aAppended).size(), 7, 5000);
    for (const QSignalSpy* spy : { &aAppended, &bAppended }) {
        const QList<TimelineEvent> events = eventsOf(*spy);
        QCOMPARE(events.size(), 7);
        for (int i = 1; i < events.size(); ++i)
            QVERIFY(events.at(i - 1).seq < events.at(i).seq); // in order, no repeats
        QCOMPARE(events.last().detail.value(u"text"_s).toString(), u"marker A2"_s);
    }
}

void TestStoreClient::destructorFinishesQueuedWrites()
{
    qint64 id = 0;
    {
        StoreClient client(storePath());
        QVERIFY(openClient(client));
        id = createThrough(client, u"Closing"_s).id;
        QVERIFY(id > 0);
        for (int i = 0; i < 25; ++i)
            client.addNote(id, u"note %1"_s.arg(i));
        client.requestIncidents(); // dropped: nobody is left to hear it
    } // destroyed at once, with the notes still queued
    IncidentStore store(storePath());
    QVERIFY(store.open());
    QCOMPARE(store.eventCount(id), qint64(1 + 25));
    QCOMPARE(store.events(id).last().detail.value(u"text"_s).toString(), u"note 24"_s);
}

QTEST_GUILESS_MAIN(TestStoreClient)
#include "tst_storeclient.moc"
