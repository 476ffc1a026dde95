// SPDX-License-Identifier: MIT
#include "models/responseflow.h"
#include "services/incidentstore.h"
#include "storetestsupport.h"
#include "support/childtest.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace StoreTest;

namespace {
constexpr qint64 T0 = 1'780'000'000'000; // some UTC instant
constexpr qint64 Second = 1000;

QStringList kinds(const QList<TimelineEvent>& events)
{
    QStringList result;
    for (const TimelineEvent& e : events)
        result.append(e.kind);
    return result;
}

// What a refusal case does to a fresh incident before the refused change.
enum class Refusal {
    AcknowledgeTwice,
    AcknowledgeResolved,
    SeverityOfResolved,
    StepOfResolved,
    StatusOfResolved,
    ResolveTwice,
    InvalidDraft,
    UnknownIncident,
    StepOutOfRange,
    StepNegative,
    StepSame,
    StepBackToAcknowledge,
    SameSeverity,
    SameStatus,
    EmptyNote,
    OwnKindThroughAppend,
    EmptyKind,
};
} // namespace

Q_DECLARE_METATYPE(Refusal)

class TestIncidentStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void createIncident();
    void everyChangeWritesItsEvents();
    void resolveWithoutAcknowledge();
    void stepBeforeAcknowledge();
    void statusResolvedIsResolve();
    void refusals_data();
    void refusals();
    void readsAndFilters();
    void appendOnly_data();
    void appendOnly();
    void frozenSchemaV1MatchesMigration();
    void frozenSchemaV2MatchesMigrations();
    void migrations_data();
    void migrations();
    void newerSchemaRefused();
    void corruptRefused_data();
    void corruptRefused();
    void moveAsideTakesTheLogAlong();
    void unwritableFolder();
    void twoInstancesOneFile();
    void reopenKeepsEverything();
    void pragmas();
    void currentOperator();
    void defaultPath();
    void missingSqliteDriverIsExplained();

private:
    QString storePath() const { return m_dir->filePath(u"incidents.sqlite"_s); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestIncidentStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestIncidentStore::cleanup() { m_dir.reset(); }

void TestIncidentStore::createIncident()
{
    IncidentStore store(storePath());
    QVERIFY2(store.open(), qPrintable(store.lastError().message));
    QCOMPARE(store.schemaVersion(), IncidentStore::currentSchemaVersion());

    const StoreChange c = store.createIncident(draft(u"  API returning 500s  "_s), u"alice"_s, T0);
    QVERIFY2(c.ok, qPrintable(c.error.message));
    QVERIFY(c.incident.id > 0);
    QCOMPARE(c.incident.title, u"API returning 500s"_s);
    QCOMPARE(c.incident.severity, Severity::P1);
    QCOMPARE(c.incident.status, IncidentStatus::Investigating);
    QCOMPARE(c.incident.environment, u"production"_s);
    QCOMPARE(c.incident.commander, u"alice"_s); // the operator by default
    QCOMPARE(c.incident.startedMs, T0);
    QCOMPARE(c.incident.stepEnteredMs, T0);
    QCOMPARE(c.incident.flowStep, 0);
    QVERIFY(!c.incident.acknowledgedMs);
    QVERIFY(!c.incident.resolvedMs);

    QCOMPARE(c.events.size(), 1);
    const TimelineEvent& e = c.events.first();
    QCOMPARE(e.kind, QString::fromUtf16(EventKind::Created));
    QCOMPARE(e.incidentId, c.incident.id);
    QCOMPARE(e.actor, u"alice"_s);
    QCOMPARE(e.timeMs, T0);
    QVERIFY(e.seq > 0);
    QCOMPARE(c.incident.lastSeq, e.seq);
    QCOMPARE(e.detail.value(u"title"_s).toString(), u"API returning 500s"_s);
    QCOMPARE(e.detail.value(u"severity"_s).toString(), u"P1"_s);
    QCOMPARE(e.detail.value(u"environment"_s).toString(), u"production"_s);
    QCOMPARE(e.detail.value(u"impact"_s).toString(), u"Users cannot log in"_s);
    QCOMPARE(e.detail.value(u"commander"_s).toString(), u"alice"_s);
    QVERIFY(e.summary.contains(u"API returning 500s"_s));

    // What was returned is what is stored.
    QCOMPARE(store.incident(c.incident.id), std::optional<Incident>(c.incident));
    QCOMPARE(store.events(c.incident.id), c.events);

    IncidentDraft named = draft(u"Redis down"_s, Severity::P0);
    named.commander = u"bob"_s;
    const StoreChange c2 = store.createIncident(named, u"alice"_s, T0 + Second);
    QVERIFY(c2.ok);
    QCOMPARE(c2.incident.commander, u"bob"_s);
    QVERIFY(c2.incident.id > c.incident.id);
    QVERIFY(c2.events.first().seq > e.seq);

    // Only what the dialog requires: no impact, no commander.
    IncidentDraft minimal;
    minimal.title = u"Minimal"_s;
    minimal.environment = u"sandbox"_s;
    const StoreChange c3 = store.createIncident(minimal, u"alice"_s, T0 + 2 * Second);
    QVERIFY2(c3.ok, qPrintable(c3.error.message));
    QCOMPARE(c3.incident.impact, QString());
    QCOMPARE(c3.incident.commander, u"alice"_s);
    QCOMPARE(c3.events.first().detail.value(u"impact"_s).toString(), QString());
    QVERIFY(store.appendEvent(c3.incident.id, u"x.y"_s, QString(), {}, u"alice"_s, T0).ok); // no summary either
}

void TestIncidentStore::everyChangeWritesItsEvents()
{
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const qint64 id = store.createIncident(draft(u"Database down"_s, Severity::P2), u"alice"_s, T0).incident.id;

    StoreChange c = store.acknowledge(id, u"alice"_s, T0 + 30 * Second);
    QVERIFY2(c.ok, qPrintable(c.error.message));
    QCOMPARE(kinds(c.events), QStringList({ u"incident.acknowledged"_s, u"flow.step"_s }));
    QCOMPARE(c.incident.acknowledgedMs, std::optional<qint64>(T0 + 30 * Second));
    QCOMPARE(c.incident.flowStep, 1);
    QCOMPARE(c.incident.stepEnteredMs, T0 + 30 * Second);
    QCOMPARE(c.events.at(0).detail.value(u"afterMs"_s).toInteger(), 30 * Second);
    QCOMPARE(c.events.at(1).detail.value(u"from"_s).toInt(), 0);
    QCOMPARE(c.events.at(1).detail.value(u"to"_s).toInt(), 1);
    QCOMPARE(c.events.at(1).detail.value(u"name"_s).toString(), u"Assess"_s);
    QVERIFY(c.events.at(0).seq < c.events.at(1).seq);
    QCOMPARE(c.incident.lastSeq, c.events.at(1).seq);

    c = store.changeSeverity(id, Severity::P0, u"All households affected"_s, u"bob"_s, T0 + 60 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"incident.severity"_s });
    QCOMPARE(c.incident.severity, Severity::P0);
    QCOMPARE(c.events.first().actor, u"bob"_s);
    QCOMPARE(c.events.first().detail,
        QJsonObject({ { u"from"_s, u"P2"_s }, { u"to"_s, u"P0"_s }, { u"reason"_s, u"All households affected"_s } }));

    c = store.enterFlowStep(id, 2, u"alice"_s, T0 + 90 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"flow.step"_s });
    QCOMPARE(c.incident.flowStep, 2);
    QCOMPARE(c.incident.stepEnteredMs, T0 + 90 * Second);
    QCOMPARE(
        c.events.first().detail, QJsonObject({ { u"from"_s, 1 }, { u"to"_s, 2 }, { u"name"_s, u"Communicate"_s } }));

    c = store.changeStatus(id, IncidentStatus::Mitigating, u"alice"_s, T0 + 120 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"incident.status"_s });
    QCOMPARE(c.incident.status, IncidentStatus::Mitigating);
    QCOMPARE(c.events.first().detail, QJsonObject({ { u"from"_s, u"Investigating"_s }, { u"to"_s, u"Mitigating"_s } }));

    c = store.addNote(id, u"Restarted the primary.\nWatching connections."_s, u"alice"_s, T0 + 150 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"note"_s });
    QCOMPARE(c.events.first().detail.value(u"text"_s).toString(), u"Restarted the primary.\nWatching connections."_s);
    QCOMPARE(c.events.first().summary, u"Restarted the primary."_s);

    const QJsonObject commandDetail { { u"argv"_s, QJsonArray { u"aws"_s, u"ecs"_s, u"list-tasks"_s } },
        { u"exitStatus"_s, 0 }, { u"output"_s, u"{\"taskArns\": []}"_s } };
    c = store.appendEvent(
        id, u"command.finished"_s, u"aws ecs list-tasks"_s, commandDetail, u"alice"_s, T0 + 160 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"command.finished"_s });
    QCOMPARE(c.events.first().detail, commandDetail);
    QCOMPARE(c.incident.status, IncidentStatus::Mitigating); // the row is untouched but for lastSeq

    c = store.resolve(id, u"Primary restarted; connections normal"_s, u"alice"_s, T0 + 600 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"incident.resolved"_s });
    QCOMPARE(c.incident.status, IncidentStatus::Resolved);
    QCOMPARE(c.incident.resolvedMs, std::optional<qint64>(T0 + 600 * Second));
    QCOMPARE(c.incident.acknowledgedMs, std::optional<qint64>(T0 + 30 * Second)); // unchanged
    QCOMPARE(c.events.first().detail.value(u"summary"_s).toString(), u"Primary restarted; connections normal"_s);
    QCOMPARE(c.events.first().detail.value(u"durationMs"_s).toInteger(), 600 * Second);
    QVERIFY(!c.incident.isOpen());

    // A resolved incident still takes notes and events.
    QVERIFY(store.addNote(id, u"Post-mortem scheduled"_s, u"carol"_s, T0 + 700 * Second).ok);
    c = store.appendEvent(id, u"message.sent"_s, u"Resolved update to #incidents"_s, {}, u"carol"_s, T0 + 710 * Second);
    QVERIFY(c.ok);

    // The whole timeline, in seq order, as the changes described it.
    const QList<TimelineEvent> timeline = store.events(id);
    QCOMPARE(kinds(timeline),
        QStringList({ u"incident.created"_s, u"incident.acknowledged"_s, u"flow.step"_s, u"incident.severity"_s,
            u"flow.step"_s, u"incident.status"_s, u"note"_s, u"command.finished"_s, u"incident.resolved"_s, u"note"_s,
            u"message.sent"_s }));
    for (int i = 1; i < timeline.size(); ++i)
        QVERIFY(timeline.at(i - 1).seq < timeline.at(i).seq);
    QCOMPARE(store.eventCount(id), qint64(timeline.size()));
    QCOMPARE(store.incident(id)->lastSeq, timeline.last().seq);
    QCOMPARE(store.maxSeq(), timeline.last().seq);
    QCOMPARE(timeline.last(), c.events.first());
}

void TestIncidentStore::resolveWithoutAcknowledge()
{
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const qint64 id = store.createIncident(draft(u"Flapping alert"_s), u"alice"_s, T0).incident.id;
    const StoreChange c = store.resolve(id, u"Recovered by itself"_s, u"alice"_s, T0 + 120 * Second);
    QVERIFY(c.ok);
    // Resolving is responding: the incident is acknowledged implicitly, and the timeline says so.
    QCOMPARE(kinds(c.events), QStringList({ u"incident.acknowledged"_s, u"incident.resolved"_s }));
    QCOMPARE(c.events.first().detail.value(u"implicit"_s).toBool(), true);
    QCOMPARE(c.events.first().detail.value(u"by"_s).toString(), u"incident.resolved"_s);
    QCOMPARE(c.incident.acknowledgedMs, std::optional<qint64>(T0 + 120 * Second));
    QCOMPARE(c.incident.resolvedMs, std::optional<qint64>(T0 + 120 * Second));
    QCOMPARE(c.incident.status, IncidentStatus::Resolved);
}

void TestIncidentStore::stepBeforeAcknowledge()
{
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const qint64 id = store.createIncident(draft(u"Slow queries"_s), u"alice"_s, T0).incident.id;
    const StoreChange c = store.enterFlowStep(id, 3, u"alice"_s, T0 + 10 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList({ u"incident.acknowledged"_s, u"flow.step"_s }));
    QCOMPARE(c.events.first().detail.value(u"implicit"_s).toBool(), true);
    QCOMPARE(c.events.at(1).detail, QJsonObject({ { u"from"_s, 0 }, { u"to"_s, 3 }, { u"name"_s, u"Mitigate"_s } }));
    QCOMPARE(c.incident.flowStep, 3);
    QCOMPARE(c.incident.acknowledgedMs, std::optional<qint64>(T0 + 10 * Second));

    // Going back to an earlier step (a failed verification) is allowed.
    QVERIFY(store.enterFlowStep(id, 4, u"alice"_s, T0 + 20 * Second).ok);
    const StoreChange back = store.enterFlowStep(id, 3, u"alice"_s, T0 + 30 * Second);
    QVERIFY(back.ok);
    QCOMPARE(back.events.first().detail.value(u"from"_s).toInt(), 4);
}

void TestIncidentStore::statusResolvedIsResolve()
{
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const qint64 id = store.createIncident(draft(u"Email delayed"_s), u"alice"_s, T0).incident.id;
    QVERIFY(store.acknowledge(id, u"alice"_s, T0 + Second).ok);
    const StoreChange c = store.changeStatus(id, IncidentStatus::Resolved, u"alice"_s, T0 + 5 * Second);
    QVERIFY(c.ok);
    QCOMPARE(kinds(c.events), QStringList { u"incident.resolved"_s });
    QCOMPARE(c.incident.status, IncidentStatus::Resolved);
    QCOMPARE(c.incident.resolvedMs, std::optional<qint64>(T0 + 5 * Second));
}

void TestIncidentStore::refusals_data()
{
    QTest::addColumn<Refusal>("refusal");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("acknowledge twice") << Refusal::AcknowledgeTwice << u"already acknowledged"_s;
    QTest::newRow("acknowledge resolved") << Refusal::AcknowledgeResolved << u"resolved"_s;
    QTest::newRow("severity of resolved") << Refusal::SeverityOfResolved << u"resolved"_s;
    QTest::newRow("step of resolved") << Refusal::StepOfResolved << u"resolved"_s;
    QTest::newRow("status of resolved") << Refusal::StatusOfResolved << u"resolved"_s;
    QTest::newRow("resolve twice") << Refusal::ResolveTwice << u"already resolved"_s;
    QTest::newRow("invalid draft") << Refusal::InvalidDraft << u"title"_s;
    QTest::newRow("unknown incident") << Refusal::UnknownIncident << u"no incident 999"_s;
    QTest::newRow("step out of range") << Refusal::StepOutOfRange << u"no step 6"_s;
    QTest::newRow("negative step") << Refusal::StepNegative << u"no step -1"_s;
    QTest::newRow("same step") << Refusal::StepSame << u"already in step 1"_s;
    QTest::newRow("back to acknowledge") << Refusal::StepBackToAcknowledge << u"cannot go back"_s;
    QTest::newRow("same severity") << Refusal::SameSeverity << u"already P1"_s;
    QTest::newRow("same status") << Refusal::SameStatus << u"already Investigating"_s;
    QTest::newRow("empty note") << Refusal::EmptyNote << u"needs some text"_s;
    QTest::newRow("store's own kind") << Refusal::OwnKindThroughAppend << u"incident.resolved"_s;
    QTest::newRow("empty kind") << Refusal::EmptyKind << u"needs a kind"_s;
}

void TestIncidentStore::refusals()
{
    QFETCH(Refusal, refusal);
    QFETCH(QString, messagePart);
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const qint64 id = store.createIncident(draft(u"Auth broken"_s, Severity::P1), u"alice"_s, T0).incident.id;
    const qint64 resolvedId = store.createIncident(draft(u"Old"_s), u"alice"_s, T0).incident.id;
    QVERIFY(store.resolve(resolvedId, {}, u"alice"_s, T0 + Second).ok);
    QVERIFY(store.acknowledge(id, u"alice"_s, T0 + Second).ok); // now in step 1 (Assess)

    const qint64 seqBefore = store.maxSeq();
    const Incident incidentBefore = *store.incident(id);
    const Incident resolvedBefore = *store.incident(resolvedId);
    const qint64 t = T0 + 10 * Second;
    const QString a = u"alice"_s;

    StoreChange c;
    switch (refusal) {
    case Refusal::AcknowledgeTwice:
        c = store.acknowledge(id, a, t);
        break;
    case Refusal::AcknowledgeResolved:
        c = store.acknowledge(resolvedId, a, t);
        break;
    case Refusal::SeverityOfResolved:
        c = store.changeSeverity(resolvedId, Severity::P0, u"worse"_s, a, t);
        break;
    case Refusal::StepOfResolved:
        c = store.enterFlowStep(resolvedId, 2, a, t);
        break;
    case Refusal::StatusOfResolved:
        c = store.changeStatus(resolvedId, IncidentStatus::Mitigating, a, t);
        break;
    case Refusal::ResolveTwice:
        c = store.resolve(resolvedId, {}, a, t);
        break;
    case Refusal::InvalidDraft:
        c = store.createIncident(draft(u"   "_s), a, t);
        QCOMPARE(c.error.message, draft(u"   "_s).validationError());
        break;
    case Refusal::UnknownIncident:
        c = store.addNote(999, u"hello"_s, a, t);
        break;
    case Refusal::StepOutOfRange:
        c = store.enterFlowStep(id, ResponseFlow::defaults().stepCount(), a, t);
        break;
    case Refusal::StepNegative:
        c = store.enterFlowStep(id, -1, a, t);
        break;
    case Refusal::StepSame:
        c = store.enterFlowStep(id, 1, a, t);
        break;
    case Refusal::StepBackToAcknowledge:
        c = store.enterFlowStep(id, 0, a, t);
        break;
    case Refusal::SameSeverity:
        c = store.changeSeverity(id, Severity::P1, {}, a, t);
        break;
    case Refusal::SameStatus:
        c = store.changeStatus(id, IncidentStatus::Investigating, a, t);
        break;
    case Refusal::EmptyNote:
        c = store.addNote(id, u" \n "_s, a, t);
        break;
    case Refusal::OwnKindThroughAppend:
        c = store.appendEvent(id, u"incident.resolved"_s, u"fake"_s, {}, a, t);
        break;
    case Refusal::EmptyKind:
        c = store.appendEvent(id, u" "_s, u"nothing"_s, {}, a, t);
        break;
    }
    QVERIFY(!c.ok);
    QCOMPARE(c.error.code, StoreError::Code::Refused);
    QVERIFY2(c.error.message.contains(messagePart, Qt::CaseInsensitive), qPrintable(c.error.message));
    QCOMPARE(store.lastError().code, StoreError::Code::Refused);
    QVERIFY(c.events.isEmpty());

    // Nothing was written, and the store still works.
    QCOMPARE(store.maxSeq(), seqBefore);
    QCOMPARE(*store.incident(id), incidentBefore);
    QCOMPARE(*store.incident(resolvedId), resolvedBefore);
    QCOMPARE(store.incidents().size(), 2);
    QVERIFY(store.addNote(id, u"still fine"_s, a, t).ok);
}

void TestIncidentStore::readsAndFilters()
{
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const qint64 a = store.createIncident(draft(u"A"_s), u"alice"_s, T0).incident.id;
    const qint64 b = store.createIncident(draft(u"B"_s), u"alice"_s, T0).incident.id;
    const qint64 c = store.createIncident(draft(u"C"_s), u"alice"_s, T0).incident.id;
    QVERIFY(store.resolve(b, {}, u"alice"_s, T0 + Second).ok);
    for (int i = 0; i < 5; ++i)
        QVERIFY(store.addNote(a, u"note %1"_s.arg(i), u"alice"_s, T0 + i).ok);

    const auto ids = [](const QList<Incident>& list) {
        QList<qint64> result;
        for (const Incident& i : list)
            result.append(i.id);
        return result;
    };
    QCOMPARE(ids(store.incidents()), QList<qint64>({ a, b, c }));
    QCOMPARE(ids(store.incidents(IncidentStore::Filter::Open)), QList<qint64>({ a, c }));
    QCOMPARE(ids(store.incidents(IncidentStore::Filter::Resolved)), QList<qint64>({ b }));
    QVERIFY(!store.incident(12345));
    QVERIFY(!store.lastError().isError());

    const QList<TimelineEvent> all = store.events(a);
    QCOMPARE(all.size(), 6);
    QCOMPARE(store.events(a, 0, 2), all.mid(0, 2));
    QCOMPARE(store.events(a, all.at(1).seq, 3), all.mid(2, 3));
    QCOMPARE(store.events(a, all.at(1).seq, -1), all.mid(2));
    QCOMPARE(store.events(a, all.last().seq), QList<TimelineEvent>());

    const QList<TimelineEvent> since = store.eventsSince(0);
    QCOMPARE(since.size(), 3 + 1 + 1 + 5); // created x3, acknowledged + resolved (implicit ack), notes
    for (int i = 1; i < since.size(); ++i)
        QVERIFY(since.at(i - 1).seq < since.at(i).seq);
    QCOMPARE(store.eventsSince(since.at(3).seq, 2), since.mid(4, 2));
    QCOMPARE(store.maxSeq(), since.last().seq);
    QCOMPARE(store.eventCount(c), qint64(1));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
}

void TestIncidentStore::appendOnly_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("update event") << u"UPDATE events SET summary = 'rewritten'"_s << u"append-only"_s;
    QTest::newRow("update event time") << u"UPDATE events SET time_ms = 0 WHERE seq = 1"_s << u"append-only"_s;
    QTest::newRow("delete event") << u"DELETE FROM events WHERE seq = 1"_s << u"append-only"_s;
    QTest::newRow("delete all events") << u"DELETE FROM events"_s << u"append-only"_s;
    QTest::newRow("delete incident") << u"DELETE FROM incidents"_s << u"never deleted"_s;
    QTest::newRow("detail not JSON") << u"INSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) "
                                        u"VALUES (1, 0, 'x', 'y', 'z', 'not json')"_s
                                     << u"CHECK"_s;
    QTest::newRow("event of no incident") << u"INSERT INTO events (incident_id, time_ms, kind, actor, summary) "
                                             u"VALUES (42, 0, 'x', 'y', 'z')"_s
                                          << u"FOREIGN KEY"_s;
}

void TestIncidentStore::appendOnly()
{
    QFETCH(QString, sql);
    QFETCH(QString, messagePart);
    {
        IncidentStore store(storePath());
        QVERIFY(store.open());
        const qint64 id = store.createIncident(draft(u"Outage"_s), u"alice"_s, T0).incident.id;
        QVERIFY(store.addNote(id, u"first"_s, u"alice"_s, T0 + 1).ok);
    }
    bool executed = true;
    QString error;
    withRawConnection(storePath(), [&](QSqlDatabase& db) {
        QSqlQuery q(db);
        executed = q.exec(sql);
        error = q.lastError().text();
    });
    QVERIFY2(!executed, "the schema let the statement through");
    QVERIFY2(error.contains(messagePart, Qt::CaseInsensitive), qPrintable(error));

    IncidentStore store(storePath());
    QVERIFY(store.open());
    QCOMPARE(store.eventsSince(0).size(), 2);
    QVERIFY(store.eventsSince(0).first().summary.contains(u"Outage"_s));
}

void TestIncidentStore::frozenSchemaV1MatchesMigration()
{
    // The frozen copy of version 1 must be what migration 1 creates: a released version is never edited.
    const QString frozenFile = QFINDTESTDATA("data/schema-v1.sql");
    QVERIFY(!frozenFile.isEmpty());
    QStringList frozen, migrated;
    withRawConnection(m_dir->filePath(u"frozen.sqlite"_s), [&](QSqlDatabase& db) {
        for (const QString& sql : sqlStatements(frozenFile))
            QVERIFY2(QSqlQuery(db).exec(sql), qPrintable(sql));
        frozen = schemaOf(db);
    });
    withRawConnection(m_dir->filePath(u"migrated.sqlite"_s), [&](QSqlDatabase& db) {
        for (const QString& sql : IncidentStore::migrationStatements(1))
            QVERIFY2(QSqlQuery(db).exec(sql), qPrintable(sql));
        migrated = schemaOf(db);
    });
    QVERIFY(!frozen.isEmpty());
    QCOMPARE(migrated, frozen);
    QVERIFY(IncidentStore::migrationStatements(IncidentStore::currentSchemaVersion() + 1).isEmpty());
}

void TestIncidentStore::frozenSchemaV2MatchesMigrations()
{
    // The frozen copy of version 2 must be what migrations 1 and 2 create: a released version is never edited.
    QStringList frozen, migrated;
    withRawConnection(m_dir->filePath(u"frozen2.sqlite"_s), [&](QSqlDatabase& db) {
        for (const QString& sql : sqlStatements(QFINDTESTDATA("data/schema-v2.sql")))
            QVERIFY2(QSqlQuery(db).exec(sql), qPrintable(sql));
        frozen = schemaOf(db);
    });
    withRawConnection(m_dir->filePath(u"migrated2.sqlite"_s), [&](QSqlDatabase& db) {
        for (int version : { 1, 2 })
            for (const QString& sql : IncidentStore::migrationStatements(version))
                QVERIFY2(QSqlQuery(db).exec(sql), qPrintable(sql));
        migrated = schemaOf(db);
    });
    QCOMPARE(migrated, frozen);
}

void TestIncidentStore::migrations_data()
{
    QTest::addColumn<int>("fromVersion"); // -1: no file at all
    QTest::newRow("no file") << -1;
    QTest::newRow("empty file") << 0;
    QTest::newRow("version 1 with data") << 1;
    QTest::newRow("version 2 with data") << 2;
}

void TestIncidentStore::migrations()
{
    QFETCH(int, fromVersion);
    QVERIFY(IncidentStore::currentSchemaVersion() == 3); // add a row and a data/schema-vN.sql for each new version
    const QString path = m_dir->filePath(u"sub/folder/incidents.sqlite"_s);
    if (fromVersion >= 0)
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    if (fromVersion == 0)
        QVERIFY(writeBytes(path, {}));
    if (fromVersion >= 1) {
        withRawConnection(path, [&](QSqlDatabase& db) {
            const QString frozen
                = fromVersion == 1 ? QFINDTESTDATA("data/schema-v1.sql") : QFINDTESTDATA("data/schema-v2.sql");
            for (const QString& sql : sqlStatements(frozen))
                QVERIFY2(QSqlQuery(db).exec(sql), qPrintable(sql));
            // Version 2 rows carry last_seq (what migration 2 fills in for version-1 rows).
            const QString seq1 = fromVersion == 2 ? u", 4"_s : QString();
            const QString seq2 = fromVersion == 2 ? u", 2"_s : QString();
            const QStringList data {
                u"INSERT INTO incidents VALUES (1, 'DB down', 'P0', 'Resolved', 'production', 'alice', 'All down', "
                u"1000, 2000, 9000, 3, 3000"_s
                    + seq1 + u")"_s,
                u"INSERT INTO incidents VALUES (2, 'Slow API', 'P2', 'Investigating', 'staging', 'bob', '', 5000, "
                u"NULL, NULL, 0, 5000"_s
                    + seq2 + u")"_s,
                u"INSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) VALUES (1, 1000, "
                u"'incident.created', 'alice', 'Opened', '{\"title\":\"DB down\"}')"_s,
                u"INSERT INTO events (incident_id, time_ms, kind, actor, summary) VALUES (2, 5000, "
                u"'incident.created', 'bob', 'Opened')"_s,
                u"INSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) VALUES (1, 2000, "
                u"'incident.acknowledged', 'alice', 'Acknowledged', '{}')"_s,
                u"INSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) VALUES (1, 9000, "
                u"'incident.resolved', 'alice', 'Resolved', '{\"summary\":\"failover\"}')"_s,
            };
            for (const QString& sql : data)
                QVERIFY2(QSqlQuery(db).exec(sql), qPrintable(sql));
            QSqlQuery q(db);
            QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), fromVersion);
        });
    }

    {
        IncidentStore store(path);
        QVERIFY2(store.open(), qPrintable(store.lastError().message));
        QCOMPARE(store.schemaVersion(), 3);
        if (fromVersion >= 1) {
            const QList<Incident> incidents = store.incidents();
            QCOMPARE(incidents.size(), 2);
            const Incident& dbDown = incidents.at(0);
            QCOMPARE(dbDown.title, u"DB down"_s);
            QCOMPARE(dbDown.severity, Severity::P0);
            QCOMPARE(dbDown.status, IncidentStatus::Resolved);
            QCOMPARE(dbDown.commander, u"alice"_s);
            QCOMPARE(dbDown.impact, u"All down"_s);
            QCOMPARE(dbDown.startedMs, qint64(1000));
            QCOMPARE(dbDown.acknowledgedMs, std::optional<qint64>(2000));
            QCOMPARE(dbDown.resolvedMs, std::optional<qint64>(9000));
            QCOMPARE(dbDown.flowStep, 3);
            QCOMPARE(dbDown.stepEnteredMs, qint64(3000));
            QCOMPARE(dbDown.lastSeq, qint64(4)); // filled in by migration 2
            QCOMPARE(incidents.at(1).lastSeq, qint64(2));
            QVERIFY(!incidents.at(1).acknowledgedMs);
            const QList<TimelineEvent> timeline = store.events(1);
            QCOMPARE(kinds(timeline),
                QStringList({ u"incident.created"_s, u"incident.acknowledged"_s, u"incident.resolved"_s }));
            QCOMPARE(timeline.first().detail.value(u"title"_s).toString(), u"DB down"_s);
            QCOMPARE(timeline.last().detail.value(u"summary"_s).toString(), u"failover"_s);
            // And the old incidents take changes.
            const StoreChange c = store.acknowledge(2, u"bob"_s, 6000);
            QVERIFY2(c.ok, qPrintable(c.error.message));
            QCOMPARE(c.incident.lastSeq, c.events.last().seq);
            QVERIFY(c.events.first().seq > 4);
            // Migration 3: post-mortems, for old incidents too.
            QVERIFY(!store.postmortem(1));
            QVERIFY(!store.lastError().isError());
            PostmortemRecord pm { 1, u"# Post-Mortem: DB down\n"_s,
                { { u"Alert on replica lag"_s, u"bob"_s, QDate(2026, 12, 1), false } }, u"Europe/Berlin"_s, 10000 };
            QVERIFY2(store.savePostmortem(pm), qPrintable(store.lastError().message));
            QCOMPARE(store.postmortem(1), std::optional<PostmortemRecord>(pm));
            pm.markdown += u"\nmore\n"_s;
            pm.actionItems.first().done = true;
            QVERIFY(store.savePostmortem(pm)); // replaced in place
            QCOMPARE(store.postmortem(1), std::optional<PostmortemRecord>(pm));
            pm.incidentId = 99;
            QVERIFY(!store.savePostmortem(pm));
            QCOMPARE(store.lastError().code, StoreError::Code::Refused);
        } else {
            QVERIFY(store.incidents().isEmpty());
            QVERIFY(store.createIncident(draft(u"First"_s), u"alice"_s, T0).ok);
        }
        QCOMPARE(store.integrityCheck(), u"ok"_s);
    }

    // Whatever it started from, the file now has today's schema: the same as a store created today.
    {
        IncidentStore fresh(m_dir->filePath(u"fresh.sqlite"_s));
        QVERIFY(fresh.open());
    }
    QStringList migratedSchema, freshSchema;
    int version = 0;
    QString journal;
    withRawConnection(path, [&](QSqlDatabase& db) {
        migratedSchema = schemaOf(db);
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        version = q.value(0).toInt();
        QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
        journal = q.value(0).toString();
    });
    withRawConnection(m_dir->filePath(u"fresh.sqlite"_s), [&](QSqlDatabase& db) { freshSchema = schemaOf(db); });
    QCOMPARE(version, 3);
    QCOMPARE(journal, u"wal"_s);
    // ALTER TABLE ADD COLUMN keeps its own spelling in sqlite_master; compare the objects that exist.
    const auto names = [](const QStringList& schema) {
        QStringList result;
        for (const QString& line : schema)
            result.append(line.section(u':', 0, 0));
        return result;
    };
    QCOMPARE(names(migratedSchema), names(freshSchema));
    QCOMPARE(migratedSchema, freshSchema);
}

void TestIncidentStore::newerSchemaRefused()
{
    {
        IncidentStore store(storePath());
        QVERIFY(store.open());
        QVERIFY(store.createIncident(draft(u"From the future"_s), u"alice"_s, T0).ok);
    }
    withRawConnection(storePath(), [](QSqlDatabase& db) {
        QVERIFY(QSqlQuery(db).exec(u"PRAGMA user_version = 4"_s));
        QVERIFY(QSqlQuery(db).exec(u"CREATE TABLE things_of_the_future (x)"_s));
    });
    QVERIFY(!QFileInfo::exists(storePath() + u"-wal"_s));
    const QByteArray before = fileBytes(storePath());
    const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files);

    IncidentStore store(storePath());
    QVERIFY(!store.open());
    QVERIFY(!store.isOpen());
    QCOMPARE(store.lastError().code, StoreError::Code::NewerSchema);
    const QString message = store.lastError().message;
    QVERIFY2(message.contains(u"schema version 4"_s) && message.contains(u"up to 3"_s), qPrintable(message));
    QVERIFY2(message.contains(storePath()), qPrintable(message));
    store.close();

    QCOMPARE(fileBytes(storePath()), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), filesBefore);
    QVERIFY(!store.createIncident(draft(u"x"_s), u"alice"_s, T0).ok); // not open: nothing written
    QCOMPARE(fileBytes(storePath()), before);
}

void TestIncidentStore::corruptRefused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("random bytes") << u"random"_s;
    QTest::newRow("a few bytes of text") << u"text"_s;
    QTest::newRow("header then garbage") << u"header"_s;
    QTest::newRow("truncated store") << u"truncated"_s;
    QTest::newRow("damaged page") << u"damaged"_s;
    QTest::newRow("another program's database") << u"foreign"_s;
}

void TestIncidentStore::corruptRefused()
{
    QFETCH(QString, kind);
    QByteArray bytes;
    if (kind == u"random"_s) {
        bytes.resize(64 * 1024);
        QRandomGenerator(42).fillRange(reinterpret_cast<quint32*>(bytes.data()), bytes.size() / 4);
    } else if (kind == u"text"_s) {
        bytes = "these are not the incidents you are looking for\n";
    } else if (kind == u"header"_s) {
        bytes = QByteArray("SQLite format 3\0", 16) + QByteArray(8192 - 16, '\x5a');
    } else {
        const QString good = m_dir->filePath(u"good.sqlite"_s);
        {
            IncidentStore store(good);
            QVERIFY(store.open());
            const qint64 id = store.createIncident(draft(u"Big"_s), u"alice"_s, T0).incident.id;
            // Enough events for many pages, in one transaction (this test is about the file, not the writes).
            withRawConnection(good, [&](QSqlDatabase& db) {
                QVERIFY(QSqlQuery(db).exec(u"BEGIN"_s));
                QSqlQuery q(db);
                QVERIFY(q.prepare(u"INSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) "
                                  u"VALUES (?, 0, 'note', 'alice', ?, '{}')"_s));
                for (int i = 0; i < 2000; ++i) {
                    q.bindValue(0, id);
                    q.bindValue(1, u"A note long enough to fill pages quickly, number %1"_s.arg(i));
                    QVERIFY(q.exec());
                }
                QVERIFY(QSqlQuery(db).exec(u"COMMIT"_s));
            });
        }
        QVERIFY(!QFileInfo::exists(good + u"-wal"_s));
        bytes = fileBytes(good);
        QVERIFY(bytes.size() > 64 * 1024);
        if (kind == u"truncated"_s) {
            bytes.truncate(bytes.size() / 2);
        } else if (kind == u"damaged"_s) {
            for (qsizetype i = 4096 * 3; i < 4096 * 4; ++i) // a page of the events table
                bytes[i] = char(0xa5);
        } else if (kind == u"foreign"_s) {
            bytes.clear();
            withRawConnection(storePath(), [](QSqlDatabase& db) {
                QVERIFY(QSqlQuery(db).exec(u"CREATE TABLE recipes (name TEXT)"_s));
                QVERIFY(QSqlQuery(db).exec(u"INSERT INTO recipes VALUES ('bread')"_s));
            });
        }
    }
    if (!bytes.isEmpty())
        QVERIFY(writeBytes(storePath(), bytes));
    const QByteArray before = fileBytes(storePath());

    IncidentStore store(storePath());
    QVERIFY(!store.open());
    QCOMPARE(store.lastError().code, StoreError::Code::Corrupt);
    const QString message = store.lastError().message;
    QVERIFY2(message.contains(storePath()) && message.contains(u"move it aside"_s), qPrintable(message));
    QCOMPARE(fileBytes(storePath()), before); // never overwritten
    QVERIFY(!QFileInfo::exists(storePath() + u"-wal"_s) || QFileInfo(storePath() + u"-wal"_s).size() == 0);

    // Opening again refuses again, still without touching it.
    QVERIFY(!store.open());
    QCOMPARE(store.lastError().code, StoreError::Code::Corrupt);
    QCOMPARE(fileBytes(storePath()), before);

    // Moved aside, the bytes are kept under the new name and a new store starts at the old one.
    QString error;
    const QString aside = IncidentStore::moveAside(storePath(), &error);
    QVERIFY2(!aside.isEmpty(), qPrintable(error));
    QVERIFY(aside.startsWith(storePath() + u".corrupt-"_s));
    QVERIFY(!QFileInfo::exists(storePath()));
    QCOMPARE(fileBytes(aside), before);
    QVERIFY2(store.open(), qPrintable(store.lastError().message));
    QVERIFY(store.incidents().isEmpty());
    QVERIFY(store.createIncident(draft(u"Fresh start"_s), u"alice"_s, T0).ok);
    QCOMPARE(fileBytes(aside), before);
}

void TestIncidentStore::moveAsideTakesTheLogAlong()
{
    QVERIFY(writeBytes(storePath(), "main"));
    QVERIFY(writeBytes(storePath() + u"-wal"_s, "log"));
    QVERIFY(writeBytes(storePath() + u"-shm"_s, "index"));
    const QString aside = IncidentStore::moveAside(storePath());
    QVERIFY(!aside.isEmpty());
    QCOMPARE(fileBytes(aside), QByteArray("main"));
    QCOMPARE(fileBytes(aside + u"-wal"_s), QByteArray("log"));
    QCOMPARE(fileBytes(aside + u"-shm"_s), QByteArray("index"));
    for (const QString& suffix : { u""_s, u"-wal"_s, u"-shm"_s })
        QVERIFY(!QFileInfo::exists(storePath() + suffix));

    // A second move in the same second gets its own name.
    QVERIFY(writeBytes(storePath(), "again"));
    const QString second = IncidentStore::moveAside(storePath());
    QVERIFY(!second.isEmpty() && second != aside);
    QCOMPARE(fileBytes(second), QByteArray("again"));

    QString error;
    QVERIFY(IncidentStore::moveAside(storePath(), &error).isEmpty());
    QVERIFY(error.contains(storePath()));
}

void TestIncidentStore::unwritableFolder()
{
    // A folder that cannot be created, even by root: /proc takes no new entries. (Read-only files and folders of
    // an existing store are tested as another user in tst_storeprocesses.)
    const QString path = u"/proc/petforce-no-such-folder/incidents.sqlite"_s;
    IncidentStore store(path);
    QVERIFY(!store.open());
    QCOMPARE(store.lastError().code, StoreError::Code::Unwritable);
    QVERIFY2(
        store.lastError().message.contains(u"/proc/petforce-no-such-folder"_s), qPrintable(store.lastError().message));
}

void TestIncidentStore::twoInstancesOneFile()
{
    IncidentStore a(storePath());
    IncidentStore b(storePath());
    QVERIFY(a.open());
    QVERIFY(b.open());
    const StoreChange created = a.createIncident(draft(u"Shared"_s), u"alice"_s, T0);
    QVERIFY(created.ok);
    const qint64 id = created.incident.id;
    QCOMPARE(b.incident(id), std::optional<Incident>(created.incident)); // B sees A's write at once

    QList<qint64> written { created.events.first().seq };
    for (int i = 0; i < 20; ++i) {
        IncidentStore& writer = (i % 2) ? b : a;
        const StoreChange c = writer.addNote(id, u"note %1"_s.arg(i), (i % 2) ? u"bob"_s : u"alice"_s, T0 + i);
        QVERIFY2(c.ok, qPrintable(c.error.message));
        written.append(c.events.first().seq);
    }
    QVERIFY(b.acknowledge(id, u"bob"_s, T0 + 100).ok);
    // One of them refuses what the other already did.
    const StoreChange again = a.acknowledge(id, u"alice"_s, T0 + 101);
    QVERIFY(!again.ok);
    QCOMPARE(again.error.code, StoreError::Code::Refused);

    for (IncidentStore* store : { &a, &b }) {
        const QList<TimelineEvent> timeline = store->events(id);
        QCOMPARE(timeline.size(), 1 + 20 + 2);
        for (int i = 0; i < written.size(); ++i)
            QCOMPARE(timeline.at(i).seq, written.at(i));
        QCOMPARE(store->incident(id)->lastSeq, timeline.last().seq);
        QCOMPARE(store->maxSeq(), timeline.last().seq);
    }
}

void TestIncidentStore::reopenKeepsEverything()
{
    Incident incident;
    QList<TimelineEvent> timeline;
    {
        IncidentStore store(storePath());
        QVERIFY(store.open());
        incident = store.createIncident(draft(u"Persist"_s), u"alice"_s, T0).incident;
        QVERIFY(store.acknowledge(incident.id, u"alice"_s, T0 + 1).ok);
        incident = store.changeSeverity(incident.id, Severity::P3, u"minor"_s, u"alice"_s, T0 + 2).incident;
        timeline = store.events(incident.id);
        store.close();
        QVERIFY(!store.isOpen());
        QCOMPARE(store.incidents(), QList<Incident>());
        QCOMPARE(store.lastError().code, StoreError::Code::Io);
        QVERIFY(store.open());
        QCOMPARE(store.incident(incident.id), std::optional<Incident>(incident));
    }
    IncidentStore store(storePath());
    QVERIFY(store.open());
    QCOMPARE(store.incident(incident.id), std::optional<Incident>(incident));
    QCOMPARE(store.events(incident.id), timeline);
    QVERIFY(!QFileInfo::exists(storePath() + u".lock"_s)); // released once open
}

void TestIncidentStore::pragmas()
{
    IncidentStore store(storePath());
    QVERIFY(store.open());
    QVERIFY(store.createIncident(draft(u"x"_s), u"alice"_s, T0).ok);
    // journal_mode is a property of the file; the store's own connection settings are checked through the file.
    withRawConnection(storePath(), [](QSqlDatabase& db) {
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"wal"_s);
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), IncidentStore::currentSchemaVersion());
    });
}

void TestIncidentStore::currentOperator()
{
    const QByteArray user = qgetenv("USER");
    const QByteArray logname = qgetenv("LOGNAME");
    qputenv("USER", "alice");
    QCOMPARE(IncidentStore::currentOperator(), u"alice"_s);
    qunsetenv("USER");
    qputenv("LOGNAME", "bob");
    QCOMPARE(IncidentStore::currentOperator(), u"bob"_s);
    qunsetenv("LOGNAME");
    const QString fromPasswd = IncidentStore::currentOperator();
    QVERIFY(!fromPasswd.isEmpty());
    QVERIFY(fromPasswd != u"alice"_s && fromPasswd != u"bob"_s);
    if (!user.isNull())
        qputenv("USER", user);
    if (!logname.isNull())
        qputenv("LOGNAME", logname);

    // An empty actor means the operator.
    IncidentStore store(storePath());
    QVERIFY(store.open());
    const StoreChange c = store.createIncident(draft(u"x"_s), {}, T0);
    QCOMPARE(c.events.first().actor, IncidentStore::currentOperator());
}

void TestIncidentStore::defaultPath()
{
    const QString path = IncidentStore::defaultPath();
    QVERIFY2(path.endsWith(u"/incidents.sqlite"_s), qPrintable(path));
    const QString dataHome = qEnvironmentVariable("XDG_DATA_HOME");
    if (!dataHome.isEmpty()) // ctest gives every test its own data folder
        QVERIFY2(path.startsWith(dataHome), qPrintable(path));
}

void TestIncidentStore::missingSqliteDriverIsExplained()
{
    // In a process of its own whose Qt finds no plugins (a machine without libqt6sql6-sqlite): the store says
    // what to install, and writes nothing.
    if (qEnvironmentVariableIsSet("PETFORCE_TEST_NO_PLUGINS")) {
        QCoreApplication::setLibraryPaths({ m_dir->path() });
        IncidentStore store(storePath());
        QVERIFY(!store.open());
        QCOMPARE(store.lastError().code, StoreError::Code::Io);
        QVERIFY2(store.lastError().message.contains(u"Install the libqt6sql6-sqlite package"_s),
            qPrintable(store.lastError().message));
        QVERIFY(!QFileInfo::exists(storePath()));
        return;
    }
    QByteArray output;
    QVERIFY2(ChildTest::passes("TestIncidentStore", u"missingSqliteDriverIsExplained"_s,
                 { { u"PETFORCE_TEST_NO_PLUGINS"_s, u"1"_s } }, &output),
        output.constData());
}

QTEST_GUILESS_MAIN(TestIncidentStore)
#include "tst_incidentstore.moc"
