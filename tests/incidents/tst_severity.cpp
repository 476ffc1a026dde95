// SPDX-License-Identifier: MIT
#include "models/incident.h"
#include "models/responseflow.h"
#include "models/severity.h"

#include <QTest>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestSeverity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runbookTable_data();
    void runbookTable();
    void codes_data();
    void codes();
    void responseFlow();
    void draftValidation_data();
    void draftValidation();
};

void TestSeverity::runbookTable_data()
{
    QTest::addColumn<Severity>("severity");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("description");
    QTest::addColumn<qint64>("responseMinutes");
    QTest::addColumn<QString>("examples");
    QTest::newRow("P0") << Severity::P0 << u"P0 - Critical"_s << u"Complete service outage"_s << qint64(5)
                        << u"Database down, API returning 500s"_s;
    QTest::newRow("P1") << Severity::P1 << u"P1 - High"_s << u"Major feature broken"_s << qint64(15)
                        << u"Join household broken, auth broken"_s;
    QTest::newRow("P2") << Severity::P2 << u"P2 - Medium"_s << u"Minor feature degraded"_s << qint64(60)
                        << u"Analytics slow, email delayed"_s;
    QTest::newRow("P3") << Severity::P3 << u"P3 - Low"_s << u"Non-critical issue"_s << qint64(24 * 60)
                        << u"UI bug, typo, cosmetic issue"_s;
}

void TestSeverity::runbookTable()
{
    QFETCH(Severity, severity);
    const SeverityLevel level = SeverityTable::defaults().level(severity);
    QFETCH(QString, label);
    QCOMPARE(level.label(), label);
    QFETCH(QString, description);
    QCOMPARE(level.description, description);
    QFETCH(qint64, responseMinutes);
    QCOMPARE(std::chrono::duration_cast<std::chrono::minutes>(level.responseTime).count(), responseMinutes);
    QFETCH(QString, examples);
    QCOMPARE(level.examples, examples);
}

void TestSeverity::codes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("expected"); // -1: refused
    QTest::newRow("P0") << u"P0"_s << 0;
    QTest::newRow("lower p1") << u"p1"_s << 1;
    QTest::newRow("label") << u"P2 - Medium"_s << 2;
    QTest::newRow("padded") << u"  P3 "_s << 3;
    QTest::newRow("P4") << u"P4"_s << -1;
    QTest::newRow("P10") << u"P10"_s << -1;
    QTest::newRow("empty") << QString() << -1;
    QTest::newRow("arabic digit") << u"P\u0661"_s << -1;
}

void TestSeverity::codes()
{
    QFETCH(QString, text);
    QFETCH(int, expected);
    const auto parsed = severityFromCode(text);
    if (expected < 0) {
        QVERIFY(!parsed);
    } else {
        QVERIFY(parsed);
        QCOMPARE(int(*parsed), expected);
        QCOMPARE(severityCode(*parsed), u"P"_s + QString::number(expected));
    }
}

void TestSeverity::responseFlow()
{
    const ResponseFlow& flow = ResponseFlow::defaults();
    QCOMPARE(flow.stepCount(), 6);
    const QStringList names { u"Acknowledge"_s, u"Assess"_s, u"Communicate"_s, u"Mitigate"_s, u"Verify"_s,
        u"Document"_s };
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(flow.step(i).name, names.at(i));
    QCOMPARE(flow.step(0).target, std::optional<std::chrono::milliseconds>(1min));
    QCOMPARE(flow.step(1).target, std::optional<std::chrono::milliseconds>(5min));
    QCOMPARE(flow.step(1).targetText, u"2-5 min"_s);
    QVERIFY(!flow.step(3).target); // Mitigate varies
    QCOMPARE(flow.step(5).target, std::optional<std::chrono::milliseconds>(1h));
    QVERIFY(flow.step(0).actions.contains(u"Slack #incidents"_s));
    QCOMPARE(flow.indexOf(u"verify"), 4);
    QCOMPARE(flow.indexOf(u"nope"), -1);
    QVERIFY(flow.step(99).name.isEmpty());
}

void TestSeverity::draftValidation_data()
{
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("environment");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ok") << u"API returning 500s"_s << u"production"_s << true;
    QTest::newRow("empty title") << u"   "_s << u"production"_s << false;
    QTest::newRow("newline") << u"two\nlines"_s << u"production"_s << false;
    QTest::newRow("too long") << QString(201, u'x') << u"production"_s << false;
    QTest::newRow("no environment") << u"Title"_s << QString() << false;
}

void TestSeverity::draftValidation()
{
    IncidentDraft draft;
    QFETCH(QString, title);
    draft.title = title;
    QFETCH(QString, environment);
    draft.environment = environment;
    QFETCH(bool, valid);
    QCOMPARE(draft.validationError().isEmpty(), valid);
}

QTEST_GUILESS_MAIN(TestSeverity)
#include "tst_severity.moc"
