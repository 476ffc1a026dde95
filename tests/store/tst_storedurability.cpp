// SPDX-License-Identifier: MIT
// Durability: a child appends events in a loop, printing each seq after its commit returned, and is killed with
// SIGKILL at random moments, 50 times. After each kill the file is intact and every printed event is in it.
#include "services/incidentstore.h"
#include "storetestsupport.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace StoreTest;

class TestStoreDurability : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedAppenderLosesNothing();
};

void TestStoreDurability::killedAppenderLosesNothing()
{
    constexpr int Kills = 50;
    QVERIFY2(QFileInfo(appenderPath()).isExecutable(), qPrintable(appenderPath()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"incidents.sqlite"_s);

    // The seed is printed so that a failing run can be repeated (PETFORCE_TEST_SEED=...).
    const quint32 seed = qEnvironmentVariableIsSet("PETFORCE_TEST_SEED")
        ? quint32(qEnvironmentVariableIntValue("PETFORCE_TEST_SEED"))
        : QRandomGenerator::global()->generate();
    qInfo("seed %u", seed);
    QRandomGenerator random(seed);

    QElapsedTimer elapsed;
    elapsed.start();
    QSet<qint64> printed; // every seq any child printed, over all runs
    int killedWhileAppending = 0;
    for (int run = 0; run < Kills; ++run) {
        QProcess child;
        child.setProgram(appenderPath());
        child.setArguments({ path }); // the first run creates the store and the incident; later runs reuse it
        QSignalSpy finished(&child, &QProcess::finished);
        child.start();
        QVERIFY2(child.waitForStarted(10000), qPrintable(child.errorString()));
        // Anywhere from start-up (opening, migrating) to well into the appending.
        const int delayMs = int(random.bounded(5, 300));
        QTimer::singleShot(delayMs, &child, [&child] { child.kill(); }); // QProcess::kill() sends SIGKILL
        QVERIFY(finished.wait(30000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        int seqsThisRun = 0;
        const QList<QByteArray> lines = child.readAllStandardOutput().split('\n');
        // Only complete lines count: the last one may have been cut by the kill.
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            if (lines.at(i).startsWith("SEQ ")) {
                printed.insert(lines.at(i).mid(4).toLongLong());
                ++seqsThisRun;
            }
            QVERIFY2(!lines.at(i).startsWith("ERROR"), lines.at(i).constData());
        }
        if (seqsThisRun > 0)
            ++killedWhileAppending;

        if (!QFileInfo::exists(path))
            continue; // killed before the file was created
        IncidentStore store(path);
        QVERIFY2(store.open(),
            qPrintable(u"run %1 (killed after %2 ms): %3"_s.arg(run).arg(delayMs).arg(store.lastError().message)));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        QSet<qint64> stored;
        for (const TimelineEvent& e : store.eventsSince(0, -1))
            stored.insert(e.seq);
        QSet<qint64> missing = printed;
        missing.subtract(stored);
        QVERIFY2(missing.isEmpty(),
            qPrintable(
                u"run %1 (killed after %2 ms): %3 printed events missing"_s.arg(run).arg(delayMs).arg(missing.size())));
    }
    qInfo("%d kills (%d while appending), %lld events confirmed, %lld ms", Kills, killedWhileAppending,
        qint64(printed.size()), qint64(elapsed.elapsed()));
    QVERIFY2(killedWhileAppending >= Kills / 3, "too few kills landed while appending: the delays need adjusting");
}

QTEST_GUILESS_MAIN(TestStoreDurability)
#include "tst_storedurability.moc"
