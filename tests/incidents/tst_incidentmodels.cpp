// SPDX-License-Identifier: MIT
#include "models/incidentfiltermodel.h"
#include "models/incidentlistmodel.h"
#include "models/timelinefiltermodel.h"
#include "models/timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
Incident makeIncident(qint64 id, Severity severity, IncidentStatus status, qint64 lastSeq = 1)
{
    Incident i;
    i.id = id;
    i.title = u"Incident "_s + QString::number(id);
    i.severity = severity;
    i.status = status;
    i.environment = u"production"_s;
    i.startedMs = 1'000'000 + id;
    i.lastSeq = lastSeq;
    return i;
}

QList<TimelineEvent> makeEvents(qint64 incidentId, qint64 fromSeq, int count, const QString& kind = u"note"_s)
{
    QList<TimelineEvent> events;
    for (int n = 0; n < count; ++n) {
        TimelineEvent e;
        e.seq = fromSeq + n;
        e.incidentId = incidentId;
        e.timeMs = 1'000'000 + e.seq * 1000;
        e.kind = kind;
        e.actor = u"oncall"_s;
        e.summary = u"event "_s + QString::number(e.seq);
        events.append(e);
    }
    return events;
}
} // namespace

class TestIncidentModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listUpsertsInPlace();
    void listIgnoresOlderPicture();
    void filterOpenResolved();
    void sortsBySeverity();
    void timelineLoadsPagesOnDemand();
    void timelineLiveEventsWaitForOlderPages();
    void timelineLiveEventsShowWhenComplete();
    void timelineIgnoresOtherIncidentsAndDuplicates();
    void timelineFilterByKind();
    void timelineShowsSinceStartAndUtcTooltip();
    void timelineSearchFindsOutputText();
};

void TestIncidentModels::listUpsertsInPlace()
{
    IncidentListModel model;
    QAbstractItemModelTester tester(&model);
    model.setIncidents({ makeIncident(1, Severity::P0, IncidentStatus::Investigating) });
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.upsert(makeIncident(2, Severity::P2, IncidentStatus::Investigating));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 2);

    auto updated = makeIncident(1, Severity::P0, IncidentStatus::Mitigating, 5);
    model.upsert(updated);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, IncidentListModel::StatusColumn).data().toString(), u"Mitigating"_s);
    QCOMPARE(model.index(0, IncidentListModel::SeverityColumn).data().toString(), u"P0"_s);
    QCOMPARE(model.index(0, IncidentListModel::SeverityColumn).data(Qt::ToolTipRole).toString(), u"P0 - Critical"_s);
}

void TestIncidentModels::listIgnoresOlderPicture()
{
    IncidentListModel model;
    QAbstractItemModelTester tester(&model);
    model.upsert(makeIncident(1, Severity::P1, IncidentStatus::Mitigating, 10));
    model.upsert(makeIncident(1, Severity::P1, IncidentStatus::Investigating, 9));
    QCOMPARE(model.incident(1)->status, IncidentStatus::Mitigating);
}

void TestIncidentModels::filterOpenResolved()
{
    IncidentListModel model;
    IncidentFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter);
    model.setIncidents({ makeIncident(1, Severity::P0, IncidentStatus::Investigating),
        makeIncident(2, Severity::P1, IncidentStatus::Resolved),
        makeIncident(3, Severity::P2, IncidentStatus::Mitigating) });
    QCOMPARE(filter.rowCount(), 2);
    filter.setShow(IncidentFilterModel::Show::Resolved);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data(IncidentListModel::IdRole).toLongLong(), 2);
    filter.setShow(IncidentFilterModel::Show::All);
    QCOMPARE(filter.rowCount(), 3);

    // Resolving an open incident moves it out of the open view by itself.
    filter.setShow(IncidentFilterModel::Show::Open);
    model.upsert(makeIncident(3, Severity::P2, IncidentStatus::Resolved, 7));
    QCOMPARE(filter.rowCount(), 1);
}

void TestIncidentModels::sortsBySeverity()
{
    IncidentListModel model;
    IncidentFilterModel filter;
    filter.setSourceModel(&model);
    filter.setShow(IncidentFilterModel::Show::All);
    QAbstractItemModelTester tester(&filter);
    model.setIncidents({ makeIncident(1, Severity::P2, IncidentStatus::Investigating),
        makeIncident(2, Severity::P0, IncidentStatus::Investigating),
        makeIncident(3, Severity::P3, IncidentStatus::Investigating) });
    filter.sort(IncidentListModel::SeverityColumn, Qt::AscendingOrder);
    QCOMPARE(filter.index(0, 0).data(IncidentListModel::IdRole).toLongLong(), 2);
    QCOMPARE(filter.index(2, 0).data(IncidentListModel::IdRole).toLongLong(), 3);
    model.upsert(makeIncident(4, Severity::P1, IncidentStatus::Investigating));
    QCOMPARE(filter.index(1, 0).data(IncidentListModel::IdRole).toLongLong(), 4);
}

void TestIncidentModels::timelineLoadsPagesOnDemand()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model);
    model.setPageSize(100);
    QSignalSpy requests(&model, &TimelineModel::fetchRequested);
    model.setIncident(7, 1'000'000, 250);
    model.fetchMore({}); // the model tester may have asked already
    QCOMPARE(requests.count(), 1);
    QCOMPARE(requests.at(0).at(1).toLongLong(), 0);
    QVERIFY(!model.canFetchMore({})); // one request at a time
    model.fetchMore({});
    QCOMPARE(requests.count(), 1);

    model.appendPage(makeEvents(7, 1, 100));
    QCOMPARE(model.rowCount(), 100);
    model.fetchMore({});
    QCOMPARE(requests.count(), 2);
    QCOMPARE(requests.at(1).at(1).toLongLong(), 100);
    model.appendPage(makeEvents(7, 101, 100));
    model.fetchMore({});
    model.appendPage(makeEvents(7, 201, 50));
    QCOMPARE(model.rowCount(), 250);
    QVERIFY(!model.canFetchMore({}));
    for (int row = 0; row < 250; ++row)
        QCOMPARE(model.event(row).seq, row + 1);
}

void TestIncidentModels::timelineLiveEventsWaitForOlderPages()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model);
    model.setPageSize(100);
    model.setIncident(7, 1'000'000, 150);
    model.fetchMore({});
    model.appendPage(makeEvents(7, 1, 100));
    model.appendLive(makeEvents(7, 151, 1)); // newer than the unloaded 101..150
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.totalCount(), 151);
    model.fetchMore({});
    model.appendPage(makeEvents(7, 101, 51));
    QCOMPARE(model.rowCount(), 151);
    QCOMPARE(model.event(150).seq, 151);
    QVERIFY(!model.canFetchMore({}));
}

void TestIncidentModels::timelineLiveEventsShowWhenComplete()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model);
    model.setIncident(7, 1'000'000, 3);
    model.fetchMore({});
    model.appendPage(makeEvents(7, 1, 3));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.appendLive(makeEvents(7, 4, 2));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.totalCount(), 5);
    QVERIFY(!model.canFetchMore({}));
}

void TestIncidentModels::timelineIgnoresOtherIncidentsAndDuplicates()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model);
    model.setIncident(7, 1'000'000, 2);
    model.fetchMore({});
    model.appendPage(makeEvents(7, 1, 2) + makeEvents(8, 3, 2));
    QCOMPARE(model.rowCount(), 2);
    model.appendLive(makeEvents(7, 2, 1)); // already shown
    model.appendLive(makeEvents(9, 10, 3)); // another incident's
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.totalCount(), 2);
}

void TestIncidentModels::timelineFilterByKind()
{
    TimelineModel model;
    TimelineFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter);
    QSignalSpy kinds(&model, &TimelineModel::kindsChanged);
    model.setIncident(7, 1'000'000, 5);
    model.fetchMore({});
    model.appendPage(makeEvents(7, 1, 2, u"note"_s) + makeEvents(7, 3, 3, u"flow.step"_s));
    QCOMPARE(model.kinds(), QStringList({ u"flow.step"_s, u"note"_s }));
    QVERIFY(kinds.count() >= 1);
    filter.setKind(u"note"_s);
    QCOMPARE(filter.rowCount(), 2);
    filter.setKind(u"flow.step"_s);
    QCOMPARE(filter.rowCount(), 3);
    QCOMPARE(filter.index(0, 0).data(TimelineModel::SeqRole).toLongLong(), 3);
    filter.setKind({});
    QCOMPARE(filter.rowCount(), 5);
}

void TestIncidentModels::timelineShowsSinceStartAndUtcTooltip()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model);
    model.setIncident(7, 1'000'000, 1);
    model.fetchMore({});
    auto events = makeEvents(7, 185, 1); // 185 s after start
    events[0].timeMs = 1'000'000 + 185'000;
    model.appendPage(events);
    QCOMPARE(model.index(0, TimelineModel::SinceStartColumn).data().toString(), u"+3m 05s"_s);
    QVERIFY(model.index(0, TimelineModel::TimeColumn).data(Qt::ToolTipRole).toString().endsWith(u"UTC"_s));
    QCOMPARE(model.index(0, TimelineModel::SummaryColumn).data().toString(), u"event 185"_s);
}

// The search reads the detail too (a command's output, stderr, result rows), with the kind filter, and pairs a run.
void TestIncidentModels::timelineSearchFindsOutputText()
{
    TimelineModel model;
    TimelineFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter);
    model.setIncident(7, 1'000'000, 4);
    model.fetchMore({});
    auto events = makeEvents(7, 1, 4, u"command.finished"_s);
    events[0].kind = u"command.started"_s;
    events[0].detail = { { u"run"_s, u"r1"_s }, { u"command"_s, u"redis-cli --scan"_s } };
    events[1].detail = { { u"run"_s, u"r1"_s }, { u"excerpt"_s, u"rate_limit:203.0.113.7 412\n"_s } };
    events[2].detail = { { u"run"_s, u"r2"_s }, { u"stderr"_s, u"psql: error: Connection refused"_s } };
    events[3].detail
        = { { u"run"_s, u"r3"_s }, { u"resultRows"_s, QJsonArray { QJsonArray { u"12345"_s, u"petforce-api"_s } } } };
    model.appendPage(events);
    QCOMPARE(filter.rowCount(), 4);
    filter.setSearchText(u"203.0.113.7"_s);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data(TimelineModel::SeqRole).toLongLong(), 2);
    filter.setSearchText(u"connection REFUSED"_s); // every word, any case
    QCOMPARE(filter.rowCount(), 1);
    filter.setSearchText(u"petforce-api"_s);
    QCOMPARE(filter.index(0, 0).data(TimelineModel::SeqRole).toLongLong(), 4);
    filter.setSearchText(u"refused nowhere"_s);
    QCOMPARE(filter.rowCount(), 0);
    filter.setSearchText(u"redis-cli"_s);
    filter.setKind(u"command.finished"_s);
    QCOMPARE(filter.rowCount(), 0); // only the started holds the command
    filter.setKind({});
    filter.setSearchText({});
    QCOMPARE(filter.rowCount(), 4);
    QCOMPARE(model.pairedRun(model.event(0)).value_or(TimelineEvent {}).seq, 2);
    QCOMPARE(model.pairedRun(model.event(1)).value_or(TimelineEvent {}).seq, 1);
    QVERIFY(!model.pairedRun(model.event(2)));
}

QTEST_GUILESS_MAIN(TestIncidentModels)
#include "tst_incidentmodels.moc"
