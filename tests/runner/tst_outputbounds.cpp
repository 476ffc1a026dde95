// SPDX-License-Identifier: MIT
// Issue 15, finding 4: `yes err >&2` filled a step's stderr file at ~115 MB/s with no cap, in the store's folder.
// Now each stream's file stops at its cap with a note (the pipe still read, the command not blocked), and the runs
// folder's total size is capped, oldest run files first, never anything else.
#include "services/backgroundio.h"
#include "services/commandrunner.h"
#include "services/runsfolder.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QByteArray sha256Of(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

CommandResult runToEnd(const CommandSpec& spec, int timeoutMs = 60000)
{
    CommandRunner runner;
    QSignalSpy finished(&runner, &CommandRunner::finished);
    runner.start(spec);
    if (!finished.wait(timeoutMs))
        return {};
    return finished.constFirst().constFirst().value<CommandResult>();
}

void writeFile(const QString& path, qint64 bytes, const QDateTime& modified)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.write(QByteArray(bytes, 'x')) == bytes);
    QVERIFY(f.setFileTime(modified, QFileDevice::FileModificationTime));
}
} // namespace

class TestOutputBounds : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stderrFloodCut();
    void finiteFloodNotBlocked();
    void runsFolderCapped();
};

// An endless flood: the file stops at the cap, the command keeps running until its timeout ends it.
void TestOutputBounds::stderrFloodCut()
{
    QTemporaryDir runs;
    constexpr qint64 Cap = 1 << 20;
    CommandSpec spec = CommandSpec::shell(u"yes err >&2"_s);
    spec.runsFolder = runs.path();
    spec.outputCapBytes = Cap;
    spec.timeoutMs = 1500;
    spec.tailCapBytes = 4096;
    QElapsedTimer elapsed;
    elapsed.start();
    const CommandResult r = runToEnd(spec);
    qInfo("yes err >&2 for 1.5 s: %lld MB produced, file %lld bytes", r.err.bytes >> 20, QFileInfo(r.err.path).size());
    QVERIFY(r.started);
    QVERIFY(r.timedOut);
    QVERIFY2(elapsed.elapsed() < 10000, "did not finish promptly");
    QVERIFY(r.err.cut);
    QCOMPARE(r.err.cutAtBytes, Cap);
    QVERIFY2(r.err.bytes > 4 * Cap, "the command was blocked: the pipe was not read after the cap");
    const qint64 size = QFileInfo(r.err.path).size();
    QVERIFY2(size >= Cap && size <= Cap + 200 + spec.tailCapBytes, qPrintable(QString::number(size)));
    QFile f(r.err.path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.startsWith("err\nerr\n"));
    QVERIFY(bytes.contains("[output cut at 1 MiB"));
    QVERIFY(bytes.endsWith("err\n")); // the tail after the note
    QCOMPARE(sha256Of(r.err.path), r.err.sha256);
    QVERIFY(!r.out.cut);
    QVERIFY2(r.cutNote().startsWith(u"stderr cut at 1 MiB in its file ("_s), qPrintable(r.cutNote()));
}

// A flood that ends: the command runs to its own end (exit 0), as fast as without the cap.
void TestOutputBounds::finiteFloodNotBlocked()
{
    QTemporaryDir runs;
    constexpr qint64 Bytes = qint64(64) << 20;
    CommandSpec spec = CommandSpec::shell(u"yes err | head -c %1 >&2; echo done"_s.arg(Bytes));
    spec.runsFolder = runs.path();
    spec.outputCapBytes = 2 << 20;
    QElapsedTimer elapsed;
    elapsed.start();
    const CommandResult r = runToEnd(spec);
    qInfo("64 MB on stderr with a 2 MiB cap: %lld ms", elapsed.elapsed());
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.err.bytes, Bytes);
    QVERIFY(r.err.cut);
    QVERIFY(QFileInfo(r.err.path).size() < (3 << 20));
    QCOMPARE(r.out.tail, QByteArray("done\n"));
    QVERIFY(!r.out.cut);
    QCOMPARE(sha256Of(r.err.path), r.err.sha256);
    QVERIFY(elapsed.elapsed() < 30000);
}

// Over its cap, the runs folder loses its oldest run files first; the store beside it, other files, links and the
// run being written are never touched.
void TestOutputBounds::runsFolderCapped()
{
    QTemporaryDir data;
    const QString runs = data.filePath(u"runs"_s);
    QVERIFY(QDir().mkpath(runs));
    const QString store = data.filePath(u"incidents.sqlite"_s);
    writeFile(store, 3 << 20, QDateTime::currentDateTime().addDays(-30));
    const QString inRunsNotARun = runs + u"/notes.txt"_s;
    writeFile(inRunsNotARun, 1 << 20, QDateTime::currentDateTime().addDays(-30));
    QVERIFY(QFile::link(store, runs + u"/old.tsv"_s)); // a link named like a run file: never followed or removed
    const QByteArray storeSha = sha256Of(store);
    const QDateTime now = QDateTime::currentDateTime();
    QStringList old;
    for (int i = 0; i < 10; ++i) {
        const QString path = runs + u"/run-%1.%2"_s.arg(i).arg(i % 3 == 0 ? u"tsv"_s : u"stdout"_s);
        writeFile(path, 1 << 20, now.addSecs(-3600 * (10 - i))); // run-0 oldest
        old.append(path);
    }

    CommandSpec spec = CommandSpec::shell(u"echo hello"_s);
    spec.runsFolder = runs;
    spec.runsFolderCapBytes = (qint64(4) << 20) + 1024; // the six oldest must go
    const CommandResult r = runToEnd(spec);
    QVERIFY(r.ok());
    QVERIFY(BackgroundIo::waitForDone(30000));

    for (int i = 0; i < 6; ++i)
        QVERIFY2(!QFile::exists(old.at(i)), qPrintable(old.at(i)));
    for (int i = 6; i < 10; ++i)
        QVERIFY2(QFile::exists(old.at(i)), qPrintable(old.at(i)));
    QVERIFY(QFile::exists(r.out.path));
    QVERIFY(QFile::exists(inRunsNotARun));
    QVERIFY(QFileInfo(runs + u"/old.tsv"_s).isSymLink());
    QCOMPARE(sha256Of(store), storeSha);

    const RunsFolder::Pruned now2 = RunsFolder::prune(runs, (qint64(4) << 20) + 1024);
    QCOMPARE(now2.removed, 0);
    QVERIFY(now2.remainingBytes <= (qint64(4) << 20) + 1024);
}

QTEST_GUILESS_MAIN(TestOutputBounds)
#include "tst_outputbounds.moc"
