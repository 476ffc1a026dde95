// SPDX-License-Identifier: MIT
// Issue 15, finding 4: one 10 MB event froze the window 3 s at 854 MB. Now an event's stored detail is capped
// (256 KiB of JSON; the whole event in a side file beside the store, referenced from the detail) and the timeline
// shows any event, also an older store's uncut one, without holding up the window.
#include "storetestsupport.h"

#include "models/timelinemodel.h"
#include "ui/timelinepane.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace StoreTest;

namespace {
constexpr qint64 T0 = 1'700'000'000'000;

// The longest time the window takes to show the events: loading them into the model, one paint of the pane, and
// every cell's text and tooltip.
qint64 showMs(const QList<TimelineEvent>& events, qint64 incidentId)
{
    TimelineModel model;
    TimelinePane pane(&model);
    pane.resize(900, 400);
    pane.show();
    model.setIncident(incidentId, T0, events.size());
    QElapsedTimer t;
    t.start();
    model.appendPage(events);
    pane.grab();
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int c = 0; c < TimelineModel::ColumnCount; ++c) {
            model.data(model.index(row, c), Qt::DisplayRole);
            model.data(model.index(row, c), Qt::ToolTipRole);
        }
    }
    return t.elapsed();
}
} // namespace

class TestEventBounds : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bigDetailGoesToSideFile();
    void olderUncutEventShownFast();
};

void TestEventBounds::bigDetailGoesToSideFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"incidents.sqlite"_s);
    IncidentStore store(path);
    QVERIFY(store.open());
    const StoreChange created = store.createIncident(draft(u"big output"_s), u"alice"_s, T0);
    QVERIFY(created.ok);
    const qint64 id = created.incident.id;

    const QString big = QString(u"0123456789abcdef"_s).repeated(10 * 1024 * 1024 / 16); // 10 MB
    const QJsonObject detail { { u"status"_s, u"ok"_s }, { u"output"_s, big }, { u"rows"_s, 3 } };
    QElapsedTimer t;
    t.start();
    const StoreChange c = store.appendEvent(id, u"command.finished"_s, u"big step: ok"_s, detail, u"alice"_s, T0 + 1);
    QVERIFY2(c.ok, qPrintable(c.error.message));
    qInfo("appendEvent with a 10 MB detail: %lld ms", t.elapsed());

    const QList<TimelineEvent> events = store.events(id);
    QCOMPARE(events.size(), 2);
    const TimelineEvent& e = events.constLast();
    const QByteArray stored = QJsonDocument(e.detail).toJson(QJsonDocument::Compact);
    QVERIFY2(stored.size() <= IncidentStore::EventDetailCapBytes, qPrintable(QString::number(stored.size())));
    QCOMPARE(e.detail.value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(e.detail.value(u"rows"_s).toInt(), 3);
    QVERIFY(e.detail.value(u"output"_s).toString().startsWith(u"0123456789abcdef"_s));
    QVERIFY(e.detail.value(u"output"_s).toString().size() < 8192);
    QCOMPARE(e.summary, u"big step: ok"_s);

    // The side file beside the store holds the whole event, and the reference says which and its SHA-256.
    const QJsonObject ref = e.detail.value(u"detailCut"_s).toObject();
    const QString side = IncidentStore::sideFolder(path) + u'/' + ref.value(u"file"_s).toString();
    QVERIFY2(QFileInfo(side).absolutePath() == QFileInfo(path).absolutePath() + u"/incidents.sqlite.details"_s,
        qPrintable(side));
    QFile f(side);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(side));
    const QByteArray whole = f.readAll();
    QCOMPARE(ref.value(u"bytes"_s).toInteger(), whole.size());
    QCOMPARE(ref.value(u"sha256"_s).toString(),
        QString::fromLatin1(QCryptographicHash::hash(whole, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(ref.value(u"cut"_s).toArray(), QJsonArray { u"output"_s });
    const QJsonObject saved = QJsonDocument::fromJson(whole).object();
    QCOMPARE(saved.value(u"detail"_s).toObject(), detail);
    QCOMPARE(saved.value(u"kind"_s).toString(), u"command.finished"_s);

    // A 100 KB summary: cut in the store, whole in the side file.
    const QString longSummary = QString(u'x').repeated(100000);
    const StoreChange s = store.appendEvent(id, u"alert"_s, longSummary, {}, u"alice"_s, T0 + 2);
    QVERIFY(s.ok);
    QCOMPARE(s.events.constFirst().summary.size(), IncidentStore::EventSummaryMaxChars);
    QVERIFY(s.events.constFirst().detail.contains(u"detailCut"_s));

    const qint64 ms = showMs(store.events(id), id);
    qInfo("timeline with the capped 10 MB event: %lld ms", ms);
    QVERIFY2(ms < 1000, qPrintable(QString::number(ms))); // a freeze, not a target: 3 s at 854 MB before
    store.close();
    QCOMPARE(store.lastError().code, StoreError::Code::None);
}

// An older store's event, written before the cap (10 MB summary and detail): still shown without a stall.
void TestEventBounds::olderUncutEventShownFast()
{
    TimelineEvent e;
    e.seq = 7;
    e.incidentId = 1;
    e.timeMs = T0;
    e.kind = u"alert"_s;
    e.actor = u"alice"_s;
    e.summary = QString(u"0123456789 "_s).repeated(1024 * 1024);
    e.detail = { { u"payload"_s, e.summary } };
    TimelineModel model;
    model.setIncident(1, T0, 1);
    model.appendPage({ e });
    QVERIFY(model.data(model.index(0, TimelineModel::SummaryColumn)).toString().size() <= 501);
    QVERIFY(model.data(model.index(0, TimelineModel::SummaryColumn), Qt::ToolTipRole).toString().size() < 10000);
    const qint64 ms = showMs({ e }, 1);
    qInfo("timeline with an uncut 10 MB event: %lld ms", ms);
    QVERIFY2(ms < 2000, qPrintable(QString::number(ms))); // 5.8 s with the old model code
}

QTEST_MAIN(TestEventBounds)
#include "tst_eventbounds.moc"
