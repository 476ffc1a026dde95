// SPDX-License-Identifier: MIT
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString dataFile(const QString& name) { return qEnvironmentVariable("RUNBOOK_TEST_DATA") + u'/' + name; }
QString seedFile()
{
    return qEnvironmentVariable("PETFORCE_SOURCE_DIR") + u"/resources/runbooks/petforce-operational-runbook.md"_s;
}

struct Result {
    int exitCode = -1;
    bool crashed = true;
    QByteArray out;
    QString err;
};

// Runs `petforce-console --check-runbook FILE` as CI would: no display at all.
Result check(const QString& file)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.remove(u"QT_QPA_PLATFORM"_s);
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("PETFORCE_CONSOLE"), { u"--check-runbook"_s, file });
    Result r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.crashed = p.exitStatus() != QProcess::NormalExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCheckRunbook : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void seedMatchesReviewedJson();
    void secondRunbook();
    void malformed_data();
    void malformed();
    void unreadable();
    void neverCrashes();
};

void TestCheckRunbook::seedMatchesReviewedJson()
{
    const Result r = check(seedFile());
    QVERIFY(!r.crashed);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QCOMPARE(r.exitCode, 0);
    const QByteArray expected = readAll(dataFile(u"seed-expected.json"_s));
    QVERIFY(!expected.isEmpty());
    if (r.out != expected) {
        // Leave the actual output next to the test for a diff, and point at the first difference.
        const QString actualPath = QDir::current().filePath(u"seed-actual.json"_s);
        QFile f(actualPath);
        if (f.open(QIODevice::WriteOnly))
            f.write(r.out);
        const QList<QByteArray> a = r.out.split('\n');
        const QList<QByteArray> e = expected.split('\n');
        for (qsizetype i = 0; i < std::max(a.size(), e.size()); ++i) {
            if (a.value(i) != e.value(i)) {
                QFAIL(qPrintable(
                    u"line %1 differs:\n  expected: %2\n  actual:   %3\n(actual output in %4)"_s.arg(i + 1).arg(
                        QString::fromUtf8(e.value(i)), QString::fromUtf8(a.value(i)), actualPath)));
            }
        }
    }
    // And it is JSON with the documented top level.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.object().keys(), QStringList({ u"catalogue"_s, u"runbooks"_s }));
    QCOMPARE(doc.object().value(u"runbooks"_s).toArray().size(), 5);
}

void TestCheckRunbook::secondRunbook()
{
    const Result r = check(dataFile(u"notifications-runbook.md"_s));
    QVERIFY(!r.crashed);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QCOMPARE(r.exitCode, 0);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    const QJsonArray runbooks = doc.value(u"runbooks"_s).toArray();
    QCOMPARE(runbooks.size(), 3);
    const QJsonObject first = runbooks.at(0).toObject();
    QCOMPARE(first.value(u"title"_s).toString(), u"Notification Queue Backlog"_s);
    QCOMPARE(first.value(u"severity"_s).toString(), u"P1"_s);
    const QJsonObject alert = first.value(u"alert"_s).toObject();
    QCOMPARE(alert.value(u"metric"_s).toString(), u"queue_depth"_s);
    QCOMPARE(alert.value(u"op"_s).toString(), u">="_s);
    QCOMPARE(alert.value(u"threshold"_s).toDouble(), 5000.0);
    QCOMPARE(alert.value(u"unit"_s).toString(), QString());
    const QJsonArray options = first.value(u"resolution"_s).toArray();
    QCOMPARE(options.size(), 2);
    const QJsonObject scale = options.at(0).toObject().value(u"steps"_s).toArray().at(0).toObject();
    QCOMPARE(scale.value(u"kind"_s).toString(), u"aws"_s);
    QCOMPARE(scale.value(u"risk"_s).toString(), u"write"_s);
    QCOMPARE(scale.value(u"parameters"_s).toArray().at(0).toObject().value(u"name"_s).toString(), u"desired_count"_s);
    QCOMPARE(runbooks.at(2).toObject().value(u"alert"_s).toObject().value(u"threshold"_s).toDouble(), 50.0);
    QCOMPARE(doc.value(u"catalogue"_s).toArray().size(), 2);
}

void TestCheckRunbook::malformed_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    QTest::newRow("unclosed fence") << u"malformed-unclosed-fence.md"_s << 12 << u"never closed"_s;
    QTest::newRow("incident without severity") << u"malformed-no-severity.md"_s << 5 << u"has no severity"_s;
    QTest::newRow("unknown annotation") << u"malformed-unknown-annotation.md"_s << 13 << u"unknown annotation"_s;
}

void TestCheckRunbook::malformed()
{
    QFETCH(QString, file);
    QFETCH(int, line);
    QFETCH(QString, message);
    const QString path = dataFile(file);
    const Result r = check(path);
    QVERIFY(!r.crashed);
    QCOMPARE(r.exitCode, 1);
    const QString expected = u"%1:%2: error: "_s.arg(path).arg(line);
    bool found = false;
    for (const QString& l : r.err.split(u'\n', Qt::SkipEmptyParts)) {
        QVERIFY2(l.startsWith(path + u':'), qPrintable(l)); // every message names the file and a line
        found = found || (l.startsWith(expected) && l.contains(message));
    }
    QVERIFY2(found, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out).isObject(), true); // what could be read is still printed
}

void TestCheckRunbook::unreadable()
{
    const Result missing = check(u"/nonexistent/runbook.md"_s);
    QVERIFY(!missing.crashed);
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.startsWith(u"/nonexistent/runbook.md: error: cannot read the runbook: no such file"_s));
    QVERIFY(missing.out.isEmpty());
    const Result folder = check(QDir::tempPath());
    QCOMPARE(folder.exitCode, 2);
    QVERIFY(folder.err.contains(u"not a regular file"_s));
}

void TestCheckRunbook::neverCrashes()
{
    // Random bytes, truncations and byte flips of the seed, through the real executable.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray seed = readAll(seedFile());
    QRandomGenerator random(4);
    for (int i = 0; i < 24; ++i) {
        QByteArray data;
        if (i % 3 == 0) {
            data = seed.left(random.bounded(int(seed.size())));
        } else if (i % 3 == 1) {
            data = seed;
            for (int k = random.bounded(1, 60); k > 0; --k)
                data[random.bounded(int(data.size()))] = char(random.bounded(256));
        } else {
            for (int k = random.bounded(1, 3000); k > 0; --k)
                data += char(random.bounded(256));
        }
        const QString path = dir.filePath(u"fuzz-%1.md"_s.arg(i));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
        f.close();
        const Result r = check(path);
        QVERIFY2(!r.crashed, qPrintable(path));
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(u"%1: exit %2"_s.arg(path).arg(r.exitCode)));
        QVERIFY(QJsonDocument::fromJson(r.out).isObject());
    }
}

QTEST_GUILESS_MAIN(TestCheckRunbook)
#include "tst_checkrunbook.moc"
