// SPDX-License-Identifier: MIT
// The store shared by several processes: racing first opens, concurrent writers, and permissions that hold even
// for root (the child becomes the user nobody).
#include "services/incidentstore.h"
#include "storetestsupport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace StoreTest;

namespace {
constexpr int ChildTimeoutMs = 30000;

// A running store_appender and what it printed.
struct Child {
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();

    void start(const QStringList& arguments)
    {
        process->setProgram(appenderPath());
        process->setArguments(arguments);
        process->setProcessChannelMode(QProcess::SeparateChannels);
        process->start();
    }
    QStringList lines() const
    {
        QStringList result;
        for (const QString& line : QString::fromUtf8(m_output).split(u'\n')) {
            if (!line.isEmpty())
                result.append(line);
        }
        return result;
    }
    QList<qint64> seqs() const
    {
        QList<qint64> result;
        for (const QString& line : lines()) {
            if (line.startsWith(u"SEQ "_s))
                result.append(line.mid(4).toLongLong());
        }
        return result;
    }
    void collect() { m_output += process->readAllStandardOutput(); }
    QByteArray m_output;
};

bool waitForAll(std::vector<Child>& children)
{
    for (Child& child : children) {
        if (child.process->state() != QProcess::NotRunning) {
            QSignalSpy finished(child.process.get(), &QProcess::finished);
            if (child.process->state() != QProcess::NotRunning && !finished.wait(ChildTimeoutMs))
                return false;
        }
        child.collect();
    }
    return true;
}
} // namespace

class TestStoreProcesses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void racingFirstOpens();
    void concurrentWriters();
    void unwritable_data();
    void unwritable();
    void diskFull();
};

void TestStoreProcesses::initTestCase()
{
    QVERIFY2(QFileInfo(appenderPath()).isExecutable(), qPrintable(appenderPath()));
}

void TestStoreProcesses::racingFirstOpens()
{
    // Three processes open a store that does not exist yet, at the same moment, again and again: each must open,
    // migrate or find it migrated, and write.
    constexpr int Rounds = 12;
    constexpr int PerRound = 3;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int round = 0; round < Rounds; ++round) {
        const QString path = dir.filePath(u"race-%1/incidents.sqlite"_s.arg(round));
        std::vector<Child> children(PerRound);
        // Started one after the other, the children wait for a common instant and open together.
        const QString at = QString::number(QDateTime::currentMSecsSinceEpoch() + 250);
        for (Child& child : children)
            child.start({ path, u"--count"_s, u"2"_s, u"--at"_s, at });
        QVERIFY(waitForAll(children));

        QSet<qint64> printed;
        for (const Child& child : children) {
            const QString output
                = child.lines().join(u" | "_s) + u" / "_s + QString::fromUtf8(child.process->readAllStandardError());
            QVERIFY2(child.process->exitStatus() == QProcess::NormalExit && child.process->exitCode() == 0,
                qPrintable(u"round %1: %2"_s.arg(round).arg(output)));
            QVERIFY2(
                child.lines().value(0) == u"OPEN %1"_s.arg(IncidentStore::currentSchemaVersion()), qPrintable(output));
            for (const qint64 seq : child.seqs())
                printed.insert(seq);
        }
        IncidentStore store(path);
        QVERIFY2(store.open(), qPrintable(store.lastError().message));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        const QList<TimelineEvent> all = store.eventsSince(0, -1);
        QSet<qint64> stored;
        for (const TimelineEvent& e : all)
            stored.insert(e.seq);
        QCOMPARE(stored, printed);
        QVERIFY(!QFileInfo::exists(path + u".lock"_s));
    }
}

void TestStoreProcesses::concurrentWriters()
{
    // Two processes append to one incident at the same time: neither loses an event.
    constexpr int PerChild = 60;
    QTemporaryDir dir;
    const QString path = dir.filePath(u"incidents.sqlite"_s);
    qint64 id = 0;
    {
        IncidentStore store(path);
        QVERIFY(store.open());
        id = store.createIncident(draft(u"Shared"_s), u"alice"_s, 1000).incident.id;
    }
    std::vector<Child> children(2);
    for (Child& child : children)
        child.start({ path, u"--count"_s, QString::number(PerChild), u"--incident"_s, QString::number(id) });
    QVERIFY(waitForAll(children));
    QSet<qint64> printed;
    for (const Child& child : children) {
        QCOMPARE(child.process->exitCode(), 0);
        QCOMPARE(child.seqs().size(), PerChild);
        for (const qint64 seq : child.seqs())
            printed.insert(seq);
    }
    QCOMPARE(printed.size(), 2 * PerChild);

    IncidentStore store(path);
    QVERIFY(store.open());
    QCOMPARE(store.eventCount(id), qint64(1 + 2 * PerChild));
    QSet<qint64> stored;
    for (const TimelineEvent& e : store.events(id, 0, -1))
        stored.insert(e.seq);
    QVERIFY(printed.subtract(stored).isEmpty());
    QCOMPARE(store.incident(id)->lastSeq, store.maxSeq());
    QCOMPARE(store.integrityCheck(), u"ok"_s);
}

void TestStoreProcesses::unwritable_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("read-only folder, no store yet") << u"folder-new"_s;
    QTest::newRow("read-only folder with a store") << u"folder-existing"_s;
    QTest::newRow("read-only store file") << u"file"_s;
}

void TestStoreProcesses::unwritable()
{
    // chmod does not stop root, so the child opens the store as the user nobody when the test runs as root; as a
    // normal user it opens it as that user. Either way the permissions below apply to it.
    QFETCH(QString, what);
    QTemporaryDir dir;
    QVERIFY(QFile::setPermissions(dir.path(),
        QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
            | QFile::ExeOther));
    const QString folder = dir.filePath(u"store"_s);
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + u"/incidents.sqlite"_s;
    if (what != u"folder-new"_s) {
        IncidentStore store(path);
        QVERIFY(store.open());
        QVERIFY(store.createIncident(draft(u"Keep me"_s), u"alice"_s, 1000).ok);
    }
    const QFile::Permissions readOnly
        = QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
    if (what == u"file"_s) {
        QVERIFY(QFile::setPermissions(folder, readOnly | QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther));
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
    } else {
        QVERIFY(QFile::setPermissions(folder, readOnly));
    }
    const QByteArray before = fileBytes(path);
    const QStringList filesBefore = QDir(folder).entryList(QDir::Files | QDir::Hidden);

    std::vector<Child> children(1);
    children.front().start({ path, u"--open-only"_s, u"--as-nobody"_s });
    QVERIFY(waitForAll(children));
    const QStringList lines = children.front().lines();
    const QString output
        = lines.join(u" | "_s) + u" / "_s + QString::fromUtf8(children.front().process->readAllStandardError());
    QVERIFY2(lines.value(0).startsWith(u"ERROR Unwritable "_s), qPrintable(output));
    QVERIFY2(lines.value(0).contains(what == u"file"_s ? path : folder), qPrintable(output));
    QCOMPARE(children.front().process->exitCode(), 2);
    QCOMPARE(fileBytes(path), before);
    // Nothing appeared beside the store either (no -wal/-shm owned by the user who could not write it).
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden), filesBefore);

    QFile::setPermissions(folder, readOnly | QFile::WriteOwner);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
}

void TestStoreProcesses::diskFull()
{
    // A full disk, for real: the child runs in a private mount namespace (unshare, no privileges needed where user
    // namespaces are enabled) over a 256 KiB tmpfs, and appends until it cannot.
    const QString unshare = QStandardPaths::findExecutable(u"unshare"_s);
    if (unshare.isEmpty())
        QSKIP("no unshare(1) on this machine");
    QTemporaryDir dir;
    QProcess child;
    child.setProgram(unshare);
    child.setArguments({ u"-rm"_s, u"sh"_s, u"-c"_s,
        u"mount -t tmpfs -o size=256k tmpfs \"$1\" || exit 99; exec \"$2\" \"$1/incidents.sqlite\" --count 100000"_s,
        u"sh"_s, dir.path(), appenderPath() });
    QSignalSpy finished(&child, &QProcess::finished);
    child.start();
    QVERIFY(finished.wait(ChildTimeoutMs));
    const QString err = QString::fromUtf8(child.readAllStandardError());
    if (child.exitCode() == 99 || err.contains(u"unshare"_s))
        QSKIP(qPrintable(u"no private mount namespace here: "_s + err.trimmed()));
    const QStringList lines = QString::fromUtf8(child.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() > 3, qPrintable(lines.join(u" | "_s) + err));
    QVERIFY(lines.at(lines.size() - 2).startsWith(u"SEQ "_s)); // it wrote until the disk was full
    QVERIFY2(lines.last().startsWith(u"ERROR Io "_s) && lines.last().contains(u"full"_s), qPrintable(lines.last()));
    QCOMPARE(child.exitCode(), 3);
}

QTEST_GUILESS_MAIN(TestStoreProcesses)
#include "tst_storeprocesses.moc"
