// SPDX-License-Identifier: MIT
// Damaged stores are never trusted: a 10 MB store with three pages overwritten (before open, or while open) is
// refused for writing, never checkpointed into, refused by --export-postmortem, and can be moved aside; a big
// healthy store is readable while its background check runs and writable after it.
#include "services/incidentstore.h"
#include "services/storeclient.h"
#include "services/storesalvage.h"
#include "storetestsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace StoreTest;

namespace {
constexpr qint64 T0 = 1'750'000'000'000;
} // namespace

class TestStoreDamage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void openRefusesDamagedStore();
    void clientStopsWritingAndNeverCheckpoints();
    void exportPostmortemFails();
    void moveAsideStartsAFreshStore();
    void damageSeenAfterOpenStopsWriting();
    void bigHealthyStoreIsUsableWhileChecked();
    void exportWhatCanBeRead();

private:
    QString storePath() const { return m_dir->filePath(u"incidents.sqlite"_s); }
    bool copyTemplate(const QString& from);

    QTemporaryDir m_templates;
    QString m_damaged; // 10 MB, damaged
    QString m_healthy; // 10 MB, healthy
    QString m_big; // 50 MB, healthy
    qint64 m_incidentId = 0;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreDamage::initTestCase()
{
    QVERIFY(m_templates.isValid());
    m_healthy = m_templates.filePath(u"healthy.sqlite"_s);
    QElapsedTimer built;
    built.start();
    QVERIFY(buildStore(m_healthy, 10 * 1024 * 1024, 2000, &m_incidentId));
    qInfo("built a %lld-byte store through IncidentStore in %lld ms", QFileInfo(m_healthy).size(), built.elapsed());
    m_damaged = m_templates.filePath(u"damaged.sqlite"_s);
    QVERIFY(QFile::copy(m_healthy, m_damaged));
    QVERIFY(damageMiddle(m_damaged));
}

void TestStoreDamage::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreDamage::cleanup() { m_dir.reset(); }

bool TestStoreDamage::copyTemplate(const QString& from) { return QFile::copy(from, storePath()); }

void TestStoreDamage::openRefusesDamagedStore()
{
    QVERIFY(copyTemplate(m_damaged));
    const QByteArray before = sha256(storePath());
    {
        IncidentStore store(storePath());
        QVERIFY(!store.open()); // the whole file is checked, whatever its size
        QCOMPARE(store.lastError().code, StoreError::Code::Corrupt);
        QVERIFY2(store.lastError().message.contains(u"move it aside"_s), qPrintable(store.lastError().message));
        QVERIFY(!store.addNote(m_incidentId, u"lost?"_s, u"alice"_s, T0).ok);
    }
    QCOMPARE(sha256(storePath()), before);
}

void TestStoreDamage::clientStopsWritingAndNeverCheckpoints()
{
    QVERIFY(copyTemplate(m_damaged));
    const QByteArray before = sha256(storePath());
    {
        StoreClient client(storePath());
        QSignalSpy opened(&client, &StoreClient::opened);
        QSignalSpy damaged(&client, &StoreClient::damaged);
        QSignalSpy failed(&client, &StoreClient::writeFailed);
        QSignalSpy appended(&client, &StoreClient::eventsAppended);
        client.open();
        QVERIFY(opened.wait(10000)); // read-only at once: the window can show what it can
        QTRY_COMPARE_WITH_TIMEOUT(damaged.size(), 1, 20000);
        const StoreError error = damaged.constFirst().at(0).value<StoreError>();
        QCOMPARE(error.code, StoreError::Code::Corrupt);
        QVERIFY2(error.message.contains(storePath()) && error.message.contains(u"move it aside"_s),
            qPrintable(error.message));

        client.addNote(m_incidentId, u"Rolled back the deploy"_s);
        client.addNote(m_incidentId, u"Paged the DB on-call"_s);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 10000);
        for (const QList<QVariant>& f : std::as_const(failed)) {
            const StoreError e = f.at(1).value<StoreError>();
            QCOMPARE(e.code, StoreError::Code::Corrupt);
            QVERIFY2(e.message.contains(u"stopped writing"_s), qPrintable(e.message));
        }
        QCOMPARE(appended.size(), 0);
    }
    // The client (and its connections) are gone: nothing was checkpointed into the file.
    QCOMPARE(sha256(storePath()), before);
    qInfo("sha256 before open and after exit: %s", before.constData());
}

void TestStoreDamage::exportPostmortemFails()
{
    const QString console = qEnvironmentVariable("PETFORCE_CONSOLE");
    QVERIFY2(QFileInfo(console).isExecutable(), qPrintable(console));
    QVERIFY(copyTemplate(m_damaged));
    const QByteArray before = sha256(storePath());
    QProcess p;
    p.start(console,
        { u"--store"_s, storePath(), u"--export-postmortem"_s, QString::number(m_incidentId), u"--output"_s,
            m_dir->filePath(u"pm.md"_s) });
    QVERIFY(p.waitForFinished(60000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() != 0, qPrintable(err));
    QVERIFY2(err.contains(u"damaged"_s) && err.contains(u"move it aside"_s), qPrintable(err));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(u"pm.md"_s)));
    QCOMPARE(sha256(storePath()), before);
}

void TestStoreDamage::moveAsideStartsAFreshStore()
{
    QVERIFY(copyTemplate(m_damaged));
    const QByteArray before = sha256(storePath());
    StoreClient client(storePath());
    QSignalSpy opened(&client, &StoreClient::opened);
    QSignalSpy damaged(&client, &StoreClient::damaged);
    QSignalSpy moved(&client, &StoreClient::movedAside);
    QSignalSpy changed(&client, &StoreClient::incidentChanged);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(damaged.size(), 1, 20000);
    client.moveAside();
    QVERIFY(moved.wait(10000));
    const QString aside = moved.constFirst().at(0).toString();
    QVERIFY2(aside.startsWith(storePath() + u".corrupt-"_s), qPrintable(aside));
    QCOMPARE(sha256(aside), before); // renamed intact
    QTRY_COMPARE(opened.size(), 2);
    client.createIncident(draft(u"Fresh start"_s));
    QVERIFY(changed.wait(10000));
    QCOMPARE(changed.constFirst().at(0).value<Incident>().id, 1);
    QCOMPARE(sha256(aside), before);
}

void TestStoreDamage::damageSeenAfterOpenStopsWriting()
{
    QVERIFY(copyTemplate(m_healthy));
    QByteArray before;
    {
        StoreClient client(storePath());
        QSignalSpy passed(&client, &StoreClient::checkPassed);
        QSignalSpy damaged(&client, &StoreClient::damaged);
        QSignalSpy failed(&client, &StoreClient::writeFailed);
        QSignalSpy appended(&client, &StoreClient::eventsAppended);
        QSignalSpy loaded(&client, &StoreClient::eventsLoaded);
        client.open();
        QVERIFY(passed.wait(30000));
        client.addNote(m_incidentId, u"Written before the damage"_s);
        QVERIFY(appended.wait(10000)); // in the log, not yet in the file

        QVERIFY(damageMiddle(storePath()));
        before = sha256(storePath());
        client.requestEvents(m_incidentId, 0, -1); // the whole timeline: reads the damaged pages
        QVERIFY(loaded.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(damaged.size(), 1, 10000);
        QCOMPARE(damaged.constFirst().at(0).value<StoreError>().code, StoreError::Code::Corrupt);

        client.addNote(m_incidentId, u"Written after the damage"_s);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.constFirst().at(1).value<StoreError>().code, StoreError::Code::Corrupt);
        QCOMPARE(appended.size(), 1);
        QCOMPARE(sha256(storePath()), before);
    }
    // Closed: the note written before the damage stays in the log, never checkpointed into the file.
    QVERIFY(QFileInfo(storePath() + u"-wal"_s).size() > 0);
    QCOMPARE(sha256(storePath()), before);
    qInfo("sha256 after the damage and after exit: %s", before.constData());
}

void TestStoreDamage::bigHealthyStoreIsUsableWhileChecked()
{
    qint64 id = 0;
    QElapsedTimer built;
    built.start();
    QVERIFY(buildStore(storePath(), 50 * 1024 * 1024, 16000, &id));
    const qint64 bytes = QFileInfo(storePath()).size();
    qInfo("built a %lld-byte store through IncidentStore in %lld ms", bytes, built.elapsed());

    QElapsedTimer timer;
    timer.start();
    QVERIFY(!IncidentStore::checkFile(storePath()).isError());
    const qint64 checkMs = timer.elapsed();
    qInfo("PRAGMA quick_check: %lld ms for %.1f MB (%.2f ms per MB)", checkMs, bytes / 1048576.0,
        checkMs / (bytes / 1048576.0));

    StoreClient client(storePath());
    QSignalSpy opened(&client, &StoreClient::opened);
    QSignalSpy progress(&client, &StoreClient::checkProgress);
    QSignalSpy passed(&client, &StoreClient::checkPassed);
    QSignalSpy incidents(&client, &StoreClient::incidentsLoaded);
    QSignalSpy appended(&client, &StoreClient::eventsAppended);
    QSignalSpy failed(&client, &StoreClient::writeFailed);
    client.open();
    QVERIFY(opened.wait(10000));
    client.requestIncidents();
    client.addNote(id, u"Typed while the check runs"_s); // waits for the check, then is written
    QVERIFY(incidents.wait(10000));
    QCOMPARE(incidents.constFirst().at(1).value<QList<Incident>>().size(), 1);
    qInfo("incidents read %s the check passed", passed.isEmpty() ? "before" : "after");
    QVERIFY(progress.size() >= 1);
    QTRY_COMPARE_WITH_TIMEOUT(passed.size(), 1, 60000);
    qInfo("background check: %lld ms, %lld progress reports, last %d%%", passed.constFirst().at(0).toLongLong(),
        qint64(progress.size()), progress.constLast().at(0).toInt());
    QTRY_COMPARE_WITH_TIMEOUT(appended.size(), 1, 10000);
    QCOMPARE(failed.size(), 0);
    client.addNote(id, u"Typed after the check"_s);
    QTRY_COMPARE_WITH_TIMEOUT(appended.size(), 2, 10000);

    // A note typed while the check runs and the console quitting at once: written once the check has passed.
    bool quitDuringCheck = false;
    {
        StoreClient quitting(storePath());
        QSignalSpy reopened(&quitting, &StoreClient::opened);
        QSignalSpy checked(&quitting, &StoreClient::checkPassed);
        quitting.open();
        QVERIFY(reopened.wait(10000));
        quitting.addNote(id, u"Typed just before quitting"_s);
        quitDuringCheck = checked.isEmpty();
    }
    qInfo("quit %s the check had passed", quitDuringCheck ? "before" : "after");
    IncidentStore reread(storePath());
    QVERIFY(reread.open());
    const QList<TimelineEvent> last = reread.events(id, reread.maxSeq() - 1, 5);
    QCOMPARE(last.size(), 1);
    QCOMPARE(last.constFirst().summary, u"Typed just before quitting"_s);
}

namespace {
struct Exported {
    QSet<qint64> seqs;
    int incidents = 0;
    qint64 lost = 0;
    bool complete = false;
    QString first;
};

Exported readExport(const QString& path)
{
    Exported e;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return e;
    while (!f.atEnd()) {
        const QJsonObject line = QJsonDocument::fromJson(f.readLine()).object();
        const QString type = line.value(u"type"_s).toString();
        if (e.first.isEmpty())
            e.first = type;
        if (type == u"row" && line.value(u"table"_s).toString() == u"events")
            e.seqs.insert(line.value(u"row"_s).toObject().value(u"seq"_s).toInteger());
        else if (type == u"row" && line.value(u"table"_s).toString() == u"incidents")
            ++e.incidents;
        else if (type == u"end") {
            e.lost = line.value(u"lost"_s).toInteger();
            e.complete = line.value(u"complete"_s).toBool();
        }
    }
    return e;
}
} // namespace

void TestStoreDamage::exportWhatCanBeRead()
{
    // The healthy store first: everything, nothing lost.
    qint64 total = 0;
    {
        IncidentStore store(m_healthy);
        QVERIFY(store.open());
        total = store.maxSeq();
    }
    const QString whole = m_dir->filePath(u"whole.jsonl"_s);
    const StoreSalvage::Result healthy = StoreSalvage::exportReadable(m_healthy, whole);
    QVERIFY2(healthy.ok, qPrintable(healthy.error));
    QCOMPARE(healthy.events, total);
    QVERIFY(healthy.lost.isEmpty());
    const Exported all = readExport(whole);
    QCOMPARE(all.first, u"salvage"_s);
    QCOMPARE(all.seqs.size(), total);
    QVERIFY(all.complete);

    // The damaged one: the rows before and after the three damaged pages, the lost range named; file untouched.
    QVERIFY(copyTemplate(m_damaged));
    const QByteArray before = sha256(storePath());
    StoreSalvage salvage;
    QSignalSpy progress(&salvage, &StoreSalvage::progress);
    QSignalSpy finished(&salvage, &StoreSalvage::finished);
    const QString out = m_dir->filePath(u"readable.jsonl"_s);
    QVERIFY(salvage.start(storePath(), out));
    QVERIFY(!salvage.start(storePath(), out)); // one at a time
    QVERIFY(finished.wait(60000));
    const auto result = finished.constFirst().at(0).value<StoreSalvage::Result>();
    QVERIFY2(result.ok, qPrintable(result.error));
    QVERIFY(!progress.isEmpty());
    QVERIFY(!result.lost.isEmpty());
    const Exported part = readExport(out);
    QVERIFY(!part.complete);
    QCOMPARE(part.incidents, 1);
    QVERIFY2(part.seqs.size() > total / 2 && part.seqs.size() < total,
        qPrintable(u"%1 of %2"_s.arg(part.seqs.size()).arg(total)));
    QVERIFY(part.seqs.contains(1) && part.seqs.contains(total)); // both sides of the damage
    for (const StoreSalvage::Lost& l : result.lost) {
        for (qint64 s = l.from; s <= l.to; ++s)
            QVERIFY(!part.seqs.contains(s));
    }
    QCOMPARE(part.seqs.size() + result.lostRows, total);
    const QString text = StoreSalvage::summary(result);
    QVERIFY2(text.contains(u"could not be read"_s), qPrintable(text));
    qInfo("%s", qPrintable(text));
    QCOMPARE(sha256(storePath()), before);

    // Somewhere it cannot be written: a clear message, no partial file.
    const StoreSalvage::Result refused = StoreSalvage::exportReadable(storePath(), u"/proc/no/such.jsonl"_s);
    QVERIFY(!refused.ok);
    QVERIFY2(refused.error.contains(u"/proc/no/such.jsonl"_s), qPrintable(refused.error));
}

QTEST_GUILESS_MAIN(TestStoreDamage)
#include "tst_storedamage.moc"
