// SPDX-License-Identifier: MIT
#include "services/runbooklibrary.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString dataFile(const QString& name) { return qEnvironmentVariable("RUNBOOK_TEST_DATA") + u'/' + name; }

bool writeFile(const QString& path, const QByteArray& content)
{
    QSaveFile f(path); // replaces the file atomically, as editors do
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size() && f.commit();
}

QByteArray incident(const QByteArray& title, const QByteArray& metric)
{
    return "# Extra\n\n## Common Incidents\n\n### 1. " + title + "\n\n**Alert**: `" + metric
        + " > 1`\n**Severity**: P3\n\n#### Diagnosis\n\n```bash\n# Look\naws ecs list-tasks --cluster c\n```\n";
}

QStringList titles(const RunbookLibrary& library)
{
    QStringList out;
    for (const Runbook& r : library.runbooks())
        out.append(r.title);
    return out;
}

} // namespace

class TestRunbookLibrary : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void loadsShippedAndFolders();
    void missingFolder();
    void reloadsOnChange();
    void latestLoadWins();

private:
    QString m_userDir;
};

void TestRunbookLibrary::initTestCase()
{
    QCoreApplication::setOrganizationName(u"PetForce"_s);
    QCoreApplication::setApplicationName(u"petforce-console"_s);
    m_userDir = RunbookLibrary::defaultUserDirectory();
    QVERIFY(m_userDir.contains(u"/petforce-console/runbooks"_s));
}

void TestRunbookLibrary::init() { QDir(m_userDir).removeRecursively(); }

void TestRunbookLibrary::loadsShippedAndFolders()
{
    QTemporaryDir extra;
    QVERIFY(extra.isValid());
    QVERIFY(QDir().mkpath(m_userDir));
    QVERIFY(QFile::copy(dataFile(u"notifications-runbook.md"_s), m_userDir + u"/notifications.md"_s));
    QVERIFY(QFile::copy(dataFile(u"malformed-no-severity.md"_s), extra.filePath(u"broken.md"_s)));
    QVERIFY(writeFile(extra.filePath(u"notes.txt"_s), "not a runbook")); // not *.md: ignored

    RunbookLibrary library;
    library.setDirectories({ RunbookLibrary::defaultUserDirectory(), extra.path() });
    QSignalSpy reloaded(&library, &RunbookLibrary::reloaded);
    library.reload();
    QVERIFY(library.isLoading());
    QVERIFY(reloaded.wait(30000));
    QVERIFY(!library.isLoading());

    const QList<RunbookDocument> docs = library.documents();
    QCOMPARE(docs.size(), 3);
    QCOMPARE(docs.at(0).sourceFile, u":/runbooks/petforce-operational-runbook.md"_s);
    QCOMPARE(docs.at(1).sourceFile, m_userDir + u"/notifications.md"_s);
    QCOMPARE(docs.at(2).sourceFile, extra.filePath(u"broken.md"_s));
    QCOMPARE(library.runbooks().size(), 5 + 3 + 1);
    QCOMPARE(library.runbookForMetric(u"queue_depth"_s)->title, u"Notification Queue Backlog"_s);
    QCOMPARE(library.runbookForMetric(u"error_rate"_s)->sourceFile, u":/runbooks/petforce-operational-runbook.md"_s);
    QVERIFY(!library.runbookForMetric(u"nothing"_s));

    const QList<RunbookDiagnostic> diagnostics = library.diagnostics();
    QCOMPARE(diagnostics.size(), 1);
    QCOMPARE(diagnostics.constFirst().file, extra.filePath(u"broken.md"_s));
    QCOMPARE(diagnostics.constFirst().line, 5);
    QVERIFY(library.lastLoadMilliseconds() >= 0);
    qInfo("loaded %lld runbook files in %lld ms", qint64(docs.size()), library.lastLoadMilliseconds());

    const QStringList watched = library.watchedPaths();
    QVERIFY(watched.contains(m_userDir));
    QVERIFY(watched.contains(extra.path()));
    QVERIFY(watched.contains(m_userDir + u"/notifications.md"_s));
    QVERIFY(!watched.contains(u":/runbooks/petforce-operational-runbook.md"_s));
}

void TestRunbookLibrary::missingFolder()
{
    RunbookLibrary library;
    library.setDirectories({ u"/nonexistent/petforce-runbooks"_s });
    QSignalSpy reloaded(&library, &RunbookLibrary::reloaded);
    library.reload();
    QVERIFY(reloaded.wait(30000));
    QCOMPARE(library.documents().size(), 1); // the shipped runbook still loads
    QCOMPARE(library.diagnostics().size(), 1);
    QCOMPARE(library.diagnostics().constFirst().level, RunbookDiagnostic::Level::Warning);
    QVERIFY(library.diagnostics().constFirst().message.contains(u"does not exist"_s));
}

void TestRunbookLibrary::reloadsOnChange()
{
    RunbookLibrary library; // the user's folder, created by the first load
    library.setIncludeShipped(false);
    library.setReloadDelay(50);
    QSignalSpy reloaded(&library, &RunbookLibrary::reloaded);
    library.reload();
    QVERIFY(reloaded.wait(30000));
    QVERIFY(QFileInfo(m_userDir).isDir());
    QCOMPARE(library.documents().size(), 0);

    // A new file appears.
    reloaded.clear();
    QVERIFY(writeFile(m_userDir + u"/extra.md"_s, incident("Disk Full", "disk_usage")));
    QTRY_VERIFY_WITH_TIMEOUT(titles(library) == QStringList { u"Disk Full"_s }, 30000);
    QVERIFY(reloaded.count() >= 1);

    // It is edited (replaced, as editors save).
    QVERIFY(writeFile(m_userDir + u"/extra.md"_s, incident("Disk Nearly Full", "disk_usage")));
    QTRY_VERIFY_WITH_TIMEOUT(titles(library) == QStringList { u"Disk Nearly Full"_s }, 30000);
    // ... and edited again: the file is still watched after being replaced.
    QVERIFY(writeFile(m_userDir + u"/extra.md"_s, incident("Disk Really Full", "disk_usage")));
    QTRY_VERIFY_WITH_TIMEOUT(titles(library) == QStringList { u"Disk Really Full"_s }, 30000);

    // A second file, then both removed.
    QVERIFY(writeFile(m_userDir + u"/more.md"_s, incident("Queue Stuck", "queue_depth")));
    QTRY_VERIFY_WITH_TIMEOUT(library.runbooks().size() == 2, 30000);
    QVERIFY(QFile::remove(m_userDir + u"/extra.md"_s));
    QVERIFY(QFile::remove(m_userDir + u"/more.md"_s));
    QTRY_VERIFY_WITH_TIMEOUT(library.runbooks().isEmpty(), 30000);
}

void TestRunbookLibrary::latestLoadWins()
{
    QVERIFY(QDir().mkpath(m_userDir));
    QVERIFY(writeFile(m_userDir + u"/a.md"_s, incident("First", "a_metric")));
    RunbookLibrary library;
    library.setIncludeShipped(false);
    QSignalSpy reloaded(&library, &RunbookLibrary::reloaded);
    library.reload();
    QVERIFY(writeFile(m_userDir + u"/a.md"_s, incident("Second", "a_metric")));
    library.reload(); // the first load's result, if it comes back later, is dropped
    QTRY_VERIFY_WITH_TIMEOUT(!library.isLoading(), 30000);
    QCOMPARE(titles(library), QStringList { u"Second"_s });
    QCOMPARE(reloaded.count(), 1);
}

QTEST_GUILESS_MAIN(TestRunbookLibrary)
#include "tst_runbooklibrary.moc"
