// SPDX-License-Identifier: MIT
#include "models/parametertype.h"

#include <QTest>

using namespace Qt::StringLiterals;

// The hostile values, and a few more of the same families.
static const QList<std::pair<const char*, QString>>& hostileValues()
{
    static const QList<std::pair<const char*, QString>> values {
        { "sql injection", u"12345; DROP TABLE households"_s },
        { "sql tautology", u"1 OR 1=1"_s },
        { "command substitution", u"$(reboot)"_s },
        { "backticks", u"`id`"_s },
        { "newline", u"12\n34"_s },
        { "lone newline", u"\n"_s },
        { "carriage return", u"42\r"_s },
        { "arabic-indic digits", u"\u0661\u0662\u0663\u0664\u0665"_s },
        { "fullwidth digits", u"\uFF11\uFF12\uFF13"_s },
        { "devanagari digits", u"\u0967\u0968"_s },
        { "file url", u"file:///etc/passwd"_s },
        { "fileb url", u"fileb://secrets.bin"_s },
        { "https url", u"https://evil.example/x"_s },
        { "http url", u"http://169.254.169.254/latest"_s },
        { "leading dash", u"-1"_s },
        { "option", u"--endpoint-url=http://evil"_s },
        { "cidr mask 33", u"192.168.1.1/33"_s },
        { "cidr host bits", u"10.0.0.1/8"_s },
        { "empty", QString() },
        { "leading space", u" 42"_s },
        { "escape sequence", u"\x1b[31m42"_s },
        { "zero width space", u"12\u200B34"_s },
        { "nul", QString(QChar(0)) + u"1"_s },
    };
    return values;
}

// Hostile values that are harmless, well-formed text (free text may contain spaces, '=' and non-ASCII letters).
static bool acceptableAsText(const QString& value)
{
    return value == u"1 OR 1=1" || value == u"192.168.1.1/33" || value == u"10.0.0.1/8"
        || value == u"\u0661\u0662\u0663\u0664\u0665" || value == u"\uFF11\uFF12\uFF13" || value == u"\u0967\u0968";
}

class TestParameterType : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names();
    void hostile_data();
    void hostile();
    void accepted_data();
    void accepted();
    void refusedShapes_data();
    void refusedShapes();
    void wideNetworkRefused();
};

void TestParameterType::names()
{
    QCOMPARE(ParameterType::all().size(), 10);
    for (ParameterType::Kind k : ParameterType::all()) {
        QCOMPARE(ParameterType::fromName(ParameterType::name(k)), std::optional<ParameterType::Kind>(k));
        QVERIFY(!ParameterType::description(k).isEmpty());
    }
    QCOMPARE(ParameterType::name(ParameterType::InstanceClass), u"instance-class"_s);
    QVERIFY(!ParameterType::fromName(u"float"));
}

void TestParameterType::hostile_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("refused");
    for (ParameterType::Kind k : ParameterType::all()) {
        for (const auto& [label, value] : hostileValues()) {
            const bool refused = k != ParameterType::Text || !acceptableAsText(value);
            QTest::addRow("%s: %s", qPrintable(ParameterType::name(k)), label) << int(k) << value << refused;
        }
    }
}

void TestParameterType::hostile()
{
    QFETCH(int, type);
    QFETCH(QString, value);
    QFETCH(bool, refused);
    const ParameterCheck check = ParameterType::validate(ParameterType::Kind(type), value);
    QCOMPARE(!check.ok, refused);
    if (refused) {
        QVERIFY(!check.reason.isEmpty());
        QVERIFY(!check.needsExtraConfirmation);
        // The reason never echoes a control character back to the screen.
        for (QChar c : check.reason)
            QVERIFY(c.unicode() >= 0x20);
    }
}

void TestParameterType::accepted_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("value");
    const auto row = [](ParameterType::Kind k, const QString& v) {
        QTest::addRow("%s %s", qPrintable(ParameterType::name(k)), qPrintable(v)) << int(k) << v;
    };
    row(ParameterType::Pid, u"12345"_s);
    row(ParameterType::Pid, u"1"_s);
    row(ParameterType::Pid, u"2147483647"_s);
    row(ParameterType::Integer, u"0"_s);
    row(ParameterType::Integer, u"200"_s);
    row(ParameterType::Cidr, u"192.168.1.1/32"_s);
    row(ParameterType::Cidr, u"10.0.0.0/8"_s);
    row(ParameterType::Cidr, u"172.16.0.0/12"_s);
    row(ParameterType::IpAddress, u"192.168.1.1"_s);
    row(ParameterType::Version, u"v1.1.0"_s);
    row(ParameterType::Version, u"2.10.3"_s);
    row(ParameterType::Version, u"v1.2.0-rc.1"_s);
    row(ParameterType::Identifier, u"petforce-api:42"_s);
    row(ParameterType::Identifier, u"petforce-restore"_s);
    row(ParameterType::Identifier, u"arn:aws:ecs:us-east-1:123456789012:task/petforce-production/0a1b2c3d"_s);
    row(ParameterType::Identifier, u"8f14e45fceea167a5a36dedd4bea2543"_s);
    row(ParameterType::Arn, u"arn:aws:ecs:us-east-1:123456789012:task-definition/petforce-api:42"_s);
    row(ParameterType::Arn, u"arn:aws:wafv2:us-east-1:123456789012:regional/ipset/blocked/a1b2"_s);
    row(ParameterType::InstanceClass, u"db.t3.large"_s);
    row(ParameterType::InstanceClass, u"cache.r6g.xlarge"_s);
    row(ParameterType::DatabaseUrl, u"postgresql://console@db.internal:5432/petforce"_s);
    row(ParameterType::DatabaseUrl, u"postgres://127.0.0.1/petforce?sslmode=require"_s);
    row(ParameterType::Text, u"ops@example.com"_s);
    row(ParameterType::Text, u"Rollback after bad deploy 42"_s);
}

void TestParameterType::accepted()
{
    QFETCH(int, type);
    QFETCH(QString, value);
    const ParameterCheck check = ParameterType::validate(ParameterType::Kind(type), value);
    QVERIFY2(check.ok, qPrintable(check.reason));
    QVERIFY(check.reason.isEmpty());
    QVERIFY(!check.needsExtraConfirmation);
}

void TestParameterType::refusedShapes_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("reasonContains");
    QTest::newRow("pid zero") << int(ParameterType::Pid) << u"0"_s << u"process id"_s;
    QTest::newRow("pid too big") << int(ParameterType::Pid) << u"2147483648"_s << u"process id"_s;
    QTest::newRow("pid leading zero") << int(ParameterType::Pid) << u"0123"_s << u"process id"_s;
    QTest::newRow("pid hex") << int(ParameterType::Pid) << u"0x10"_s << u"process id"_s;
    QTest::newRow("integer sign") << int(ParameterType::Integer) << u"+5"_s << u"whole number"_s;
    QTest::newRow("cidr no mask") << int(ParameterType::Cidr) << u"10.0.0.0"_s << u"IPv4 network"_s;
    QTest::newRow("cidr octet") << int(ParameterType::Cidr) << u"256.0.0.0/8"_s << u"IPv4 network"_s;
    QTest::newRow("cidr host bits") << int(ParameterType::Cidr) << u"10.0.0.1/8"_s << u"host bits"_s;
    QTest::newRow("cidr mask 33") << int(ParameterType::Cidr) << u"192.168.1.1/33"_s << u"0 to 32"_s;
    QTest::newRow("cidr ipv6") << int(ParameterType::Cidr) << u"2001:db8::/32"_s << u"IPv4 network"_s;
    QTest::newRow("ip leading zero") << int(ParameterType::IpAddress) << u"010.0.0.1"_s << u"IPv4 address"_s;
    QTest::newRow("version two parts") << int(ParameterType::Version) << u"v1.1"_s << u"version"_s;
    QTest::newRow("identifier slash slash") << int(ParameterType::Identifier) << u"a//b"_s << u"resource name"_s;
    QTest::newRow("identifier dots") << int(ParameterType::Identifier) << u"../../etc"_s << u"resource name"_s;
    QTest::newRow("identifier space") << int(ParameterType::Identifier) << u"a b"_s << u"resource name"_s;
    QTest::newRow("arn plain") << int(ParameterType::Arn) << u"petforce-api"_s << u"Amazon Resource Name"_s;
    QTest::newRow("class upper") << int(ParameterType::InstanceClass) << u"DB.T3.LARGE"_s << u"instance class"_s;
    QTest::newRow("class other") << int(ParameterType::InstanceClass) << u"m5.large"_s << u"instance class"_s;
    QTest::newRow("url password") << int(ParameterType::DatabaseUrl) << u"postgresql://u:secret@db/x"_s
                                  << u"password"_s;
    QTest::newRow("url scheme") << int(ParameterType::DatabaseUrl) << u"mysql://db/x"_s << u"postgresql://"_s;
    QTest::newRow("text quote") << int(ParameterType::Text) << u"it's"_s << u"not allowed"_s;
    QTest::newRow("text pipe") << int(ParameterType::Text) << u"a | b"_s << u"not allowed"_s;
}

void TestParameterType::refusedShapes()
{
    QFETCH(int, type);
    QFETCH(QString, value);
    QFETCH(QString, reasonContains);
    const ParameterCheck check = ParameterType::validate(ParameterType::Kind(type), value);
    QVERIFY(!check.ok);
    QVERIFY2(check.reason.contains(reasonContains), qPrintable(check.reason));
}

void TestParameterType::wideNetworkRefused()
{
    // Every address: refused with a clear reason, never "valid but confirm" (issue 15, finding 8).
    for (const QString& all : { u"0.0.0.0/0"_s, u"::/0"_s, u"10.0.0.0/0"_s }) {
        const ParameterCheck check = ParameterType::validate(ParameterType::Cidr, all);
        QVERIFY2(!check.ok, qPrintable(all));
        QVERIFY(!check.needsExtraConfirmation);
        QVERIFY2(check.reason.contains(u"every address on the internet"_s), qPrintable(check.reason));
    }
    QVERIFY(ParameterType::validate(ParameterType::Cidr, u"192.168.1.1/32").ok);
    QVERIFY(!ParameterType::validate(ParameterType::Cidr, u"192.168.1.1/32").needsExtraConfirmation);
    // 0.0.0.0/0 with host bits is still refused.
    QVERIFY(!ParameterType::validate(ParameterType::Cidr, u"1.0.0.0/0").ok);
}

QTEST_GUILESS_MAIN(TestParameterType)
#include "tst_parametertype.moc"
