// SPDX-License-Identifier: MIT
// Issue 16, "Also:": what the diagnosis steps print, as the step's output view shows it, from the real programs
// against the sandbox: `redis-cli --latency` (bare numbers when not on a terminal) gets its names, and the
// CloudWatch Logs times of `aws logs filter-log-events` (epoch milliseconds) show as local dates with the zone.
#include "support/sandboxenv.h"
#include "ui/stepoutputview.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QStringList headers(const QTableWidget* table)
{
    QStringList out;
    for (int c = 0; c < table->columnCount(); ++c)
        out.append(table->horizontalHeaderItem(c)->text());
    return out;
}

QByteArray runProgram(const QString& program, const QStringList& arguments, QString* error)
{
    QProcess p;
    p.start(program, arguments);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = program + u": "_s + QString::fromUtf8(p.readAllStandardError());
        return {};
    }
    return p.readAllStandardOutput();
}
} // namespace

class TestStepOutputLabels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void redisLatencyIsLabelled_data();
    void redisLatencyIsLabelled();
    void cloudWatchLogTimesAreDates();
    void otherOutputIsLeftAlone();

private:
    QMap<QString, QString> m_env;
};

void TestStepOutputLabels::initTestCase()
{
    QString why;
    m_env = SandboxEnv::load(&why);
    if (m_env.isEmpty())
        QSKIP(qPrintable(why));
}

void TestStepOutputLabels::redisLatencyIsLabelled_data()
{
    QTest::addColumn<QStringList>("mode");
    QTest::addColumn<bool>("history");
    QTest::newRow("--latency") << QStringList { u"--latency"_s } << false;
    // --latency-history runs until stopped: a window of 1 s, cut by the timeout as a stopped step would be.
    QTest::newRow("--latency-history") << QStringList { u"--latency-history"_s, u"-i"_s, u"1"_s } << true;
}

void TestStepOutputLabels::redisLatencyIsLabelled()
{
    QFETCH(QStringList, mode);
    QFETCH(bool, history);
    const QStringList args
        = QStringList { u"-h"_s, m_env.value(u"REDIS_HOST"_s, u"127.0.0.1"_s), u"-p"_s, m_env.value(u"REDIS_PORT"_s) }
        + mode;
    QProcess cli;
    cli.start(u"redis-cli"_s, args);
    QVERIFY(cli.waitForStarted(10000));
    QByteArray out;
    if (history) {
        // Its output is a pipe's (4 KiB blocks, ~5 s of samples): stop it as the Stop button would once one came.
        QVERIFY(QTest::qWaitFor(
            [&] {
                out += cli.readAllStandardOutput();
                return out.size() >= 4096;
            },
            30000));
        cli.terminate();
    }
    QVERIFY(cli.waitForFinished(30000));
    out += cli.readAllStandardOutput();
    // What redis-cli prints off a terminal: "min max avg samples", nothing to say which is which.
    QVERIFY2(QRegularExpression(u"^\\d+ \\d+ \\d+\\.\\d\\d \\d+$"_s, QRegularExpression::MultilineOption)
                 .match(QString::fromLatin1(out))
                 .hasMatch(),
        out.constData());

    StepOutputView view;
    view.appendOutput(CommandStream::Stdout, out);
    view.finishOutput(out, false);
    QTableWidget* table = view.table();
    QCOMPARE(view.tabs()->currentWidget(), table);
    QStringList expected { u"min (ms)"_s, u"max (ms)"_s, u"avg (ms)"_s, u"samples"_s };
    if (history)
        expected.append(u"window (s)"_s);
    QCOMPARE(headers(table), expected);
    QVERIFY(table->rowCount() >= 1);
    const int last = table->rowCount() - 1;
    QVERIFY(table->item(last, 3)->text().toInt() > 0);
    QVERIFY(table->item(last, 0)->text().toInt() <= table->item(last, 1)->text().toInt());
    QVERIFY(table->toolTip().contains(u"milliseconds"_s));
    // The output itself is shown as it came (its latest lines: the view keeps a bounded tail).
    const QString shown = view.text(CommandStream::Stdout).trimmed();
    QVERIFY(!shown.isEmpty());
    QVERIFY(QString::fromLatin1(out).trimmed().endsWith(shown.section(u'\n', -50)));
}

void TestStepOutputLabels::cloudWatchLogTimesAreDates()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    QString error;
    // The runbook's "Check rate limiter logs" without its filter (the seed's log lines), JSON as the CLI prints it.
    const QByteArray json = runProgram(u"aws"_s,
        { u"--endpoint-url"_s, m_env.value(u"AWS_ENDPOINT_URL"_s), u"logs"_s, u"filter-log-events"_s,
            u"--log-group-name"_s, u"/ecs/petforce-production"_s, u"--limit"_s, u"5"_s, u"--output"_s, u"json"_s },
        &error);
    QVERIFY2(!json.isEmpty(), qPrintable(error));
    QVERIFY2(QRegularExpression(u"\"timestamp\":\\s*\\d{13}"_s).match(QString::fromUtf8(json)).hasMatch(),
        json.left(400).constData());

    StepOutputView view;
    view.appendOutput(CommandStream::Stdout, json);
    view.finishOutput(json, false);
    QTableWidget* table = view.table();
    const QStringList h = headers(table);
    const int ts = int(h.indexOf(u"timestamp"_s));
    QVERIFY2(ts >= 0, qPrintable(h.join(u", "_s)));
    QVERIFY(table->rowCount() > 0);
    const QString shown = table->item(0, ts)->text();
    // "2026-12-02 04:41:07.123 UTC": a date, a time and the zone — not 1764650467123.
    static const QRegularExpression date(u"^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{3})? \\S+$"_s);
    QVERIFY2(date.match(shown).hasMatch(), qPrintable(shown));
    const qint64 ms
        = QJsonDocument::fromJson(json).object().value(u"events"_s).toArray().at(0)[u"timestamp"_s].toInteger();
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms).toLocalTime();
    QVERIFY2(shown.startsWith(local.toString(u"yyyy-MM-dd HH:mm:ss"_s)), qPrintable(shown));
    QVERIFY(shown.endsWith(local.timeZoneAbbreviation()));
    // Prefilling from the answer still gets the raw value.
    QCOMPARE(view.columnValues(u"timestamp"_s).value(0), QString::number(ms));
}

void TestStepOutputLabels::otherOutputIsLeftAlone()
{
    // Four numbers that are not redis-cli's format, and a count that is not a time.
    StepOutputView view;
    const QByteArray text = "3 4 5 6\n";
    view.appendOutput(CommandStream::Stdout, text);
    view.finishOutput(text, false);
    QCOMPARE(view.table()->columnCount(), 0);
    const QByteArray json = R"({"Items": [{"count": 1764650467123, "when": 1764650467123}]})";
    StepOutputView other;
    other.finishOutput(json, false);
    QCOMPARE(other.table()->item(0, 0)->text(), u"1764650467123"_s);
    QCOMPARE(other.table()->item(0, 1)->text(), u"1764650467123"_s); // "when": not a name CloudWatch gives a time
}

QTEST_MAIN(TestStepOutputLabels)
#include "tst_stepoutputlabels.moc"
