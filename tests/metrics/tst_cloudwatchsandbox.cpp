// SPDX-License-Identifier: MIT
// The CloudWatch source through the real `aws` (whichever is first on PATH; tests/CMakeLists.txt runs this once per
// CLI) against the sandbox's moto: one get-metric-data read gives the seeded series' values, the endpoint reaching
// moto as --endpoint-url (CLI v2 before 2.13 ignores AWS_ENDPOINT_URL), and the timestamps parse as either CLI
// prints them (v1: epoch seconds; v2: ISO 8601).
#include "services/cloudwatchmetricsource.h"
#include "support/sandboxenv.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCloudWatchSandbox : public QObject {
    Q_OBJECT
    QMap<QString, QString> m_env;
    int m_major = 0;

    AwsCliOptions options() const
    {
        AwsCliOptions o;
        o.endpointUrl = m_env.value(u"AWS_ENDPOINT_URL"_s);
        o.region = m_env.value(u"AWS_DEFAULT_REGION"_s, u"us-east-1"_s);
        return o;
    }
    static QList<MetricDefinition> metrics()
    {
        MetricDefinition cpu;
        cpu.name = u"cpu"_s;
        cpu.cwNamespace = u"AWS/ECS"_s;
        cpu.cwMetric = u"CPUUtilization"_s;
        cpu.cwDimensions = { u"ServiceName=petforce-api"_s };
        cpu.cwStat = u"Average"_s;
        MetricDefinition requests;
        requests.name = u"requests"_s;
        requests.cwNamespace = u"PetForce/API"_s;
        requests.cwMetric = u"RequestCount"_s;
        requests.cwDimensions = { u"Service=petforce-api"_s };
        requests.cwStat = u"Sum"_s;
        return { cpu, requests };
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_env = SandboxEnv::load(&why);
        if (m_env.isEmpty())
            QSKIP(qPrintable(why));
        PETFORCE_SANDBOX_NEEDS_AWS(); // every function here reads moto's CloudWatch
        QProcess aws;
        aws.setProcessChannelMode(QProcess::MergedChannels);
        aws.start(u"aws"_s, { u"--version"_s });
        QVERIFY(aws.waitForFinished(60000));
        const QString version = QString::fromUtf8(aws.readAll()).trimmed();
        const QRegularExpressionMatch m = QRegularExpression(u"^aws-cli/(\\d+)\\."_s).match(version);
        QVERIFY2(m.hasMatch(), qPrintable(version));
        m_major = m.captured(1).toInt();
        if (qEnvironmentVariableIsSet("PETFORCE_TEST_AWS_CLI"))
            QCOMPARE(u"v%1"_s.arg(m_major), qEnvironmentVariable("PETFORCE_TEST_AWS_CLI"));
        qInfo("%s", qPrintable(version));
    }

    // The source's own read: values for both series, no failure.
    void refreshReadsSeries()
    {
        CloudWatchMetricSource source(options(), 60);
        source.setTimeoutMs(60000);
        source.setMetrics(metrics());
        QHash<QString, double> values;
        QString error;
        bool done = false;
        connect(&source, &MetricSource::refreshed, this, [&](const QHash<QString, double>& v, qint64) {
            values = v;
            done = true;
        });
        connect(&source, &MetricSource::failed, this, [&](const QString& e) {
            error = e;
            done = true;
        });
        QVERIFY(source.refresh());
        QTRY_VERIFY_WITH_TIMEOUT(done, 90000);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(values.contains(u"cpu"_s) && values.contains(u"requests"_s),
            qPrintable(QStringList(values.keys()).join(u',')));
        QVERIFY(values.value(u"requests"_s) > 0);
    }

    // The same query read by the test: this CLI's timestamp format, parsed to a recent time.
    void timestampsParse()
    {
        CloudWatchMetricSource source(options(), 60);
        source.setMetrics(metrics());
        const QDateTime end = QDateTime::currentDateTimeUtc();
        QProcess aws;
        const QStringList args = options().programArguments({ u"cloudwatch"_s, u"get-metric-data"_s, u"--start-time"_s,
            end.addSecs(-600).toString(Qt::ISODate), u"--end-time"_s, end.toString(Qt::ISODate),
            u"--metric-data-queries"_s, QString::fromUtf8(source.queriesJson()), u"--output"_s, u"json"_s });
        aws.start(args.first(), args.mid(1));
        QVERIFY(aws.waitForFinished(60000));
        const QByteArray out = aws.readAllStandardOutput();
        QVERIFY2(aws.exitCode() == 0, aws.readAllStandardError().constData());
        const QJsonArray results = QJsonDocument::fromJson(out).object().value(u"MetricDataResults"_s).toArray();
        QVERIFY(!results.isEmpty());
        const QJsonValue stamp = results.at(0).toObject().value(u"Timestamps"_s).toArray().at(0);
        QVERIFY2(m_major == 2 ? stamp.isString() : stamp.isDouble(), out.left(400).constData());
        qint64 newest = 0;
        const auto values = source.parseOutput(out, &newest);
        QCOMPARE(values.size(), 2);
        const qint64 age = end.toMSecsSinceEpoch() - newest;
        QVERIFY2(age >= -60000 && age < 600000, qPrintable(u"newest datapoint %1 ms old"_s.arg(age)));
    }
};

QTEST_GUILESS_MAIN(TestCloudWatchSandbox)
#include "tst_cloudwatchsandbox.moc"
