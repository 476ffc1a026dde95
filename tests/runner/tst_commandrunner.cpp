// SPDX-License-Identifier: MIT
#include "services/awsclioptions.h"
#include "services/commandrunner.h"
#include "services/displaytext.h"
#include "support/procstatus.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
// Live (non-zombie) processes whose process group is pgid, from /proc.
// Live (not zombie) processes in the group; with COMM, only those whose command name is COMM.
int liveProcessesInGroup(qint64 pgid, const QByteArray& comm = {})
{
    int count = 0;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& e : entries) {
        bool isPid = false;
        e.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile f(u"/proc/"_s + e + u"/stat"_s);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0)
            continue;
        const QList<QByteArray> fields = stat.mid(close + 2).split(' '); // state ppid pgrp session ...
        const qsizetype open = stat.indexOf('(');
        if (!comm.isEmpty() && (open < 0 || stat.mid(open + 1, close - open - 1) != comm))
            continue;
        if (fields.size() > 2 && fields.at(2).toLongLong() == pgid && fields.at(0) != "Z")
            ++count;
    }
    return count;
}

qint64 statusKb(const char* field) { return ProcStatus::kb(field); }

QByteArray sha256sumOf(const QString& path)
{
    QProcess p;
    p.start(u"sha256sum"_s, { path });
    if (!p.waitForFinished(60000))
        return {};
    return p.readAllStandardOutput().split(' ').constFirst();
}

// A value that would run extra commands if it were ever spliced into shell text.
const QString Hostile = u"it's \"quoted\"; touch PWNED1 && echo $(touch PWNED2) `touch PWNED3` $HOME * \\ end"_s;
} // namespace

class TestCommandRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void stdoutAndStderrApart();
    void exitStatus_data();
    void exitStatus();
    void programWithoutShell();
    void childSeesOnlyItsOwnStdio();
    void ownSessionAndGroup();
    void stopEndsWholeGroup_data();
    void stopEndsWholeGroup();
    void timeoutEndsWholeGroup();
    void leftoversEndWithTheCommand();
    void largeOutputBoundedTail();
    void unsafeBytesShownSafely();
    void missingProgram_data();
    void missingProgram();
    void hostileValueIsOneLiteralArgument_data();
    void hostileValueIsOneLiteralArgument();
    void awsOptions();
    void awsShellWrapper();
    void outputPathChosenByCaller();
    void secondStartRefusedWhileRunning();
    void sessionManagerPluginMissing();
    void destroyedWhileRunning();
    void childEnvironmentAllowList();

private:
    CommandResult run(CommandRunner& runner, CommandSpec spec, int timeoutMs = 20000);
    CommandResult run(CommandSpec spec, int timeoutMs = 20000)
    {
        CommandRunner runner;
        return run(runner, std::move(spec), timeoutMs);
    }
    // A stand-in program that appends "CALL", its name and each argument, NUL-terminated, to $RECORD_FILE.
    QString makeRecorder(const QString& name);
    QStringList recordedCalls(const QString& recordFile);

    QTemporaryDir m_tmp;
    QString m_bin; // the recorders' folder, put first on PATH
};

void TestCommandRunner::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_bin = m_tmp.filePath(u"bin"_s);
    QVERIFY(QDir().mkpath(m_bin));
}

CommandResult TestCommandRunner::run(CommandRunner& runner, CommandSpec spec, int timeoutMs)
{
    if (spec.runsFolder.isEmpty())
        spec.runsFolder = m_tmp.filePath(u"runs"_s);
    QSignalSpy finished(&runner, &CommandRunner::finished);
    if (!runner.start(spec) || !finished.wait(timeoutMs) || finished.isEmpty()) {
        CommandResult r;
        r.error = u"test: no result in time"_s;
        return r;
    }
    return finished.constFirst().constFirst().value<CommandResult>();
}

QString TestCommandRunner::makeRecorder(const QString& name)
{
    const QString path = m_bin + u'/' + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write("#!/bin/sh\n"
            "{ printf 'CALL\\0%s\\0' \"${0##*/}\"; for a in \"$@\"; do printf '%s\\0' \"$a\"; done; } >> "
            "\"$RECORD_FILE\"\n");
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser);
    return path;
}

QStringList TestCommandRunner::recordedCalls(const QString& recordFile)
{
    QFile f(recordFile);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QByteArray data = f.readAll();
    if (data.endsWith('\0'))
        data.chop(1);
    QStringList items;
    const QList<QByteArray> parts = data.split('\0');
    for (const QByteArray& p : parts)
        items.append(QString::fromUtf8(p));
    return items;
}

void TestCommandRunner::stdoutAndStderrApart()
{
    CommandRunner runner;
    QByteArray streamedOut, streamedErr;
    connect(&runner, &CommandRunner::outputReceived, this, [&](CommandStream s, const QByteArray& chunk) {
        (s == CommandStream::Stdout ? streamedOut : streamedErr) += chunk;
    });
    QSignalSpy started(&runner, &CommandRunner::started);
    const CommandResult r = run(runner, CommandSpec::shell(u"echo out; echo err >&2; echo out2"_s));
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(started.size(), 1);
    QCOMPARE(r.out.tail, QByteArray("out\nout2\n"));
    QCOMPARE(r.err.tail, QByteArray("err\n"));
    QCOMPARE(streamedOut, r.out.tail);
    QCOMPARE(streamedErr, r.err.tail);
    QCOMPARE(r.out.bytes, 9);
    QVERIFY(!r.out.tailTruncated);
    for (const CommandStreamOutput* o : { &r.out, &r.err }) {
        QFile f(o->path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QCOMPARE(content, o->tail);
        QCOMPARE(o->sha256, QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    }
    QVERIFY(r.out.path.endsWith(u".stdout"_s));
    QVERIFY(r.err.path.endsWith(u".stderr"_s));
    QVERIFY(r.out.path.startsWith(m_tmp.filePath(u"runs"_s)));
    QVERIFY(r.durationMs >= 0);
    QVERIFY(r.pid > 0);
}

void TestCommandRunner::exitStatus_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<int>("signal");
    QTest::newRow("exit 0") << u"true"_s << 0 << 0;
    QTest::newRow("exit 3") << u"exit 3"_s << 3 << 0;
    QTest::newRow("pipefail") << u"false | true"_s << 1 << 0;
    QTest::newRow("signalled") << u"kill -TERM $$"_s << -1 << int(SIGTERM);
    QTest::newRow("crashed") << u"kill -SEGV $$"_s << -1 << int(SIGSEGV);
}

void TestCommandRunner::exitStatus()
{
    QFETCH(QString, script);
    QFETCH(int, exitCode);
    QFETCH(int, signal);
    const CommandResult r = run(CommandSpec::shell(script));
    QVERIFY(r.started);
    QCOMPARE(r.exitCode, exitCode);
    QCOMPARE(r.signalled, signal != 0);
    QCOMPARE(r.signal, signal);
    QCOMPARE(r.ok(), exitCode == 0);
    QVERIFY(!r.timedOut && !r.stoppedByUser);
}

void TestCommandRunner::programWithoutShell()
{
    CommandSpec spec
        = CommandSpec::program({ u"printenv"_s, u"PETFORCE_VALUE"_s }, { { u"PETFORCE_VALUE"_s, Hostile } });
    CommandResult r = run(spec);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(QString::fromUtf8(r.out.tail), Hostile + u'\n');
    // An argument vector is never interpreted by a shell: `*` and `$HOME` stay as they are.
    r = run(CommandSpec::program({ u"echo"_s, u"$HOME"_s, u"*"_s, u";"_s, u"id"_s }));
    QCOMPARE(r.out.tail, QByteArray("$HOME * ; id\n"));
    // Environment removal.
    spec = CommandSpec::program({ u"printenv"_s, u"HOME"_s });
    spec.removeEnvironment = { u"HOME"_s };
    r = run(spec);
    QCOMPARE(r.exitCode, 1);
}

void TestCommandRunner::childSeesOnlyItsOwnStdio()
{
    // A descriptor the console holds without close-on-exec must not reach the command.
    const int leaked = ::open("/dev/null", O_RDONLY);
    QVERIFY(leaked > 2);
    const CommandResult r = run(CommandSpec::shell(u"ls /proc/self/fd; cat; read -r x; echo \"read=$?\""_s));
    ::close(leaked);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    const QList<QByteArray> lines = r.out.tail.split('\n');
    // ls itself opens one descriptor (3) to read the folder; nothing else beyond 0-2.
    QVERIFY2(!lines.contains(QByteArray::number(leaked)) || leaked == 3, r.out.tail.constData());
    for (const QByteArray& l : lines) {
        bool isNumber = false;
        const int fd = l.toInt(&isNumber);
        QVERIFY2(!isNumber || fd <= 3, r.out.tail.constData());
    }
    QVERIFY(r.out.tail.endsWith("read=1\n")); // stdin is at end of file at once
}

void TestCommandRunner::ownSessionAndGroup()
{
    const CommandResult r = run(CommandSpec::shell(u"read -r stat < /proc/$$/stat; echo \"$$ ${stat##*) }\""_s));
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    const QList<QByteArray> f = r.out.tail.trimmed().split(' '); // pid state ppid pgrp session
    QVERIFY(f.size() > 4);
    QCOMPARE(f.at(0).toLongLong(), r.pid);
    QCOMPARE(f.at(3).toLongLong(), r.pid); // its own process group
    QCOMPARE(f.at(4).toLongLong(), r.pid); // and session
    QVERIFY(f.at(4).toLongLong() != qint64(::getsid(0)));
}

void TestCommandRunner::stopEndsWholeGroup_data()
{
    // Each script ends with two `sleep`s in the group; counting them (not all processes: a subshell that is about
    // to exit counted once and made the wait end early) tells when the group is whole.
    QTest::addColumn<QString>("script");
    QTest::newRow("background job") << u"sleep 1000 & sleep 1000"_s;
    QTest::newRow("daemonised grandchild") << u"(sleep 1000 &) ; sleep 1000"_s; // bash may exec the last sleep
    QTest::newRow("ignores SIGTERM") << u"trap '' TERM; sleep 1000 & sleep 1000"_s;
}

void TestCommandRunner::stopEndsWholeGroup()
{
    QFETCH(QString, script);
    CommandRunner runner;
    QSignalSpy started(&runner, &CommandRunner::started);
    QSignalSpy finished(&runner, &CommandRunner::finished);
    CommandSpec spec = CommandSpec::shell(script);
    spec.runsFolder = m_tmp.filePath(u"runs"_s);
    spec.killGraceMs = 500;
    QVERIFY(runner.start(spec));
    QVERIFY(started.wait(5000));
    const qint64 pgid = runner.processId();
    QVERIFY(pgid > 0);
    // Generous for a loaded 2-core machine.
    QTRY_VERIFY_WITH_TIMEOUT(liveProcessesInGroup(pgid, "sleep") == 2, 30000);
    QElapsedTimer t;
    t.start();
    runner.stop();
    QVERIFY(finished.wait(5000));
    QVERIFY(t.elapsed() < 4000);
    const auto r = finished.constFirst().constFirst().value<CommandResult>();
    QVERIFY(r.stoppedByUser);
    QVERIFY(!r.ok());
    QVERIFY(r.signalled);
    QTRY_COMPARE_WITH_TIMEOUT(liveProcessesInGroup(pgid), 0, 3000);
    QVERIFY(!runner.isRunning());
}

void TestCommandRunner::timeoutEndsWholeGroup()
{
    CommandSpec spec = CommandSpec::shell(u"sleep 1000 & sleep 1000"_s);
    spec.timeoutMs = 300;
    spec.killGraceMs = 500;
    QElapsedTimer t;
    t.start();
    const CommandResult r = run(spec, 10000);
    QVERIFY(r.started);
    QVERIFY(r.timedOut);
    QVERIFY(!r.stoppedByUser);
    QVERIFY(t.elapsed() < 5000);
    QVERIFY(r.summary().startsWith(u"timed out"_s));
    QTRY_COMPARE_WITH_TIMEOUT(liveProcessesInGroup(r.pid), 0, 3000);
}

void TestCommandRunner::leftoversEndWithTheCommand()
{
    // The command exits, leaving a background job that holds stdout: the run still ends, and so does the job.
    const CommandResult r = run(CommandSpec::shell(u"(sleep 1000 &) ; echo done"_s), 10000);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.out.tail, QByteArray("done\n"));
    QTRY_COMPARE_WITH_TIMEOUT(liveProcessesInGroup(r.pid), 0, 3000);
}

void TestCommandRunner::largeOutputBoundedTail()
{
    constexpr qint64 Total = 100LL * 1024 * 1024;
    constexpr qsizetype Cap = 64 * 1024;
    CommandRunner runner;
    qint64 streamed = 0;
    qsizetype maxTail = 0;
    connect(&runner, &CommandRunner::outputReceived, this, [&](CommandStream, const QByteArray& chunk) {
        streamed += chunk.size();
        maxTail = qMax(maxTail, runner.tail(CommandStream::Stdout).size());
    });
    // Reset the peak resident size, so that VmHWM measures this run only.
    QFile clear(u"/proc/self/clear_refs"_s);
    const bool peakReset = clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
    clear.close();
    const qint64 rssBefore = statusKb("VmRSS:");
    CommandSpec spec = CommandSpec::shell(u"head -c %1 < <(yes 'PetForce household 0123456789 ünïcödé')"_s.arg(Total));
    spec.tailCapBytes = Cap;
    QElapsedTimer t;
    t.start();
    const CommandResult r = run(runner, spec, 60000);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    qInfo("100 MB streamed in %lld ms", t.elapsed());
    QCOMPARE(r.out.bytes, Total);
    QCOMPARE(streamed, Total);
    QVERIFY(r.out.tailTruncated);
    QVERIFY(r.out.tail.size() <= Cap && r.out.tail.size() > Cap - 4);
    QVERIFY(maxTail <= Cap);
    QCOMPARE(QFileInfo(r.out.path).size(), Total);
    QCOMPARE(r.out.sha256, sha256sumOf(r.out.path));
#if defined(__SANITIZE_ADDRESS__)
    const bool measurable = false; // AddressSanitizer's quarantine keeps freed chunks resident: the peak says nothing
#else
    const bool measurable = peakReset;
#endif
    if (measurable) {
        const qint64 peakKb = statusKb("VmHWM:");
        qInfo("resident before %lld kB, peak during the run %lld kB", rssBefore, peakKb);
        QVERIFY2(peakKb - rssBefore < 32 * 1024, "memory grew with the output");
    }
    QFile::remove(r.out.path);
}

void TestCommandRunner::unsafeBytesShownSafely()
{
    const CommandResult r
        = run(CommandSpec::shell(u"printf 'ok\\xff\\033[31mred\\033[0m\\a\\033]0;title\\007\\r\\n'"_s));
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(DisplayText::fromBytes(r.out.tail), u"ok\uFFFDred\u2407\n"_s);
}

void TestCommandRunner::missingProgram_data()
{
    QTest::addColumn<bool>("shell");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("missing");
    QTest::addColumn<QString>("hint");
    QTest::newRow("aws argv") << false << u"aws"_s << u"aws"_s << u"AWS CLI"_s;
    QTest::newRow("redis-cli argv") << false << u"redis-cli"_s << u"redis-cli"_s << u"apt-get install redis-tools"_s;
    QTest::newRow("psql text") << true << u"psql -c 'select 1' | head -1"_s << u"psql"_s
                               << u"apt-get install postgresql-client"_s;
    QTest::newRow("gh text") << true << u"echo start; gh pr list"_s << u"gh"_s << u"GitHub CLI"_s;
    QTest::newRow("path text") << true << u"/opt/nowhere/aws ecs list-tasks"_s << u"aws"_s << u"AWS CLI"_s;
}

void TestCommandRunner::missingProgram()
{
    QFETCH(bool, shell);
    QFETCH(QString, command);
    QFETCH(QString, missing);
    QFETCH(QString, hint);
    const QString emptyBin = m_tmp.filePath(u"empty-bin"_s);
    QVERIFY(QDir().mkpath(emptyBin));
    // The text may use `head`, but the tool itself is nowhere on PATH (even where it is installed).
    const QString tools = m_tmp.filePath(u"tools-bin"_s);
    QVERIFY(QDir().mkpath(tools));
    QFile::link(CommandRunner::findProgram(u"head"_s), tools + u"/head"_s);
    CommandSpec spec = shell ? CommandSpec::shell(command, { { u"PATH"_s, emptyBin + u':' + tools } })
                             : CommandSpec::program({ command, u"--version"_s }, { { u"PATH"_s, emptyBin } });
    const CommandResult r = run(spec);
    QCOMPARE(r.missingProgram, missing);
    QVERIFY2(r.error.contains(hint), qPrintable(r.error));
    QVERIFY(!r.ok());
    if (shell)
        QCOMPARE(r.exitCode, 127);
    else
        QVERIFY(!r.started);
}

void TestCommandRunner::hostileValueIsOneLiteralArgument_data()
{
    QTest::addColumn<bool>("shell");
    QTest::newRow("runbook text, value in env") << true;
    QTest::newRow("argument vector") << false;
}

void TestCommandRunner::hostileValueIsOneLiteralArgument()
{
    QFETCH(bool, shell);
    QVERIFY(!makeRecorder(u"petforce-recorder"_s).isEmpty());
    const QString work = m_tmp.filePath(u"work"_s);
    QVERIFY(QDir().mkpath(work));
    const QString record = m_tmp.filePath(u"record-%1"_s.arg(shell));
    QFile::remove(record);
    const QMap<QString, QString> env { { u"PATH"_s, m_bin + u':' + qEnvironmentVariable("PATH") },
        { u"RECORD_FILE"_s, record }, { u"PETFORCE_VALUE"_s, Hostile } };
    CommandSpec spec = shell
        ? CommandSpec::shell(u"petforce-recorder --name \"$PETFORCE_VALUE\" --region eu-west-1"_s, env)
        : CommandSpec::program({ u"petforce-recorder"_s, u"--name"_s, Hostile, u"--region"_s, u"eu-west-1"_s }, env);
    spec.workingDirectory = work;
    const CommandResult r = run(spec);
    QVERIFY2(r.ok(), qPrintable(r.summary() + QString::fromUtf8(r.err.tail)));
    const QStringList calls = recordedCalls(record);
    QCOMPARE(calls.count(u"CALL"_s), 1); // exactly one command ran
    QCOMPARE(
        calls, QStringList({ u"CALL"_s, u"petforce-recorder"_s, u"--name"_s, Hostile, u"--region"_s, u"eu-west-1"_s }));
    QCOMPARE(QDir(work).entryList(QDir::Files), QStringList()); // no PWNED files
}

void TestCommandRunner::awsOptions()
{
    AwsCliOptions o;
    o.connectTimeoutS = 3;
    o.readTimeoutS = 15;
    o.maxAttempts = 2;
    o.region = u"eu-west-1"_s;
    QCOMPARE(o.arguments(), QStringList({ u"--cli-connect-timeout"_s, u"3"_s, u"--cli-read-timeout"_s, u"15"_s }));
    o.endpointUrl = u"http://127.0.0.1:5000"_s;
    QVERIFY(o.isValid());
    QCOMPARE(o.programArguments({ u"rds"_s, u"describe-db-instances"_s }),
        QStringList({ u"aws"_s, u"--cli-connect-timeout"_s, u"3"_s, u"--cli-read-timeout"_s, u"15"_s,
            u"--endpoint-url"_s, u"http://127.0.0.1:5000"_s, u"rds"_s, u"describe-db-instances"_s }));
    const auto env = o.environment();
    QCOMPARE(env.value(u"AWS_MAX_ATTEMPTS"_s), u"2"_s);
    QCOMPARE(env.value(u"AWS_REGION"_s), u"eu-west-1"_s);
    QCOMPARE(env.value(u"AWS_DEFAULT_REGION"_s), u"eu-west-1"_s);
    QCOMPARE(env.value(u"AWS_ENDPOINT_URL"_s), u"http://127.0.0.1:5000"_s);
    QVERIFY(env.contains(u"AWS_PAGER"_s) && env.value(u"AWS_PAGER"_s).isEmpty());
    QCOMPARE(env.value(u"AWS_CLI_AUTO_PROMPT"_s), u"off"_s);
    o.endpointUrl = u"file:///etc/passwd"_s;
    QVERIFY(!o.isValid());
    QVERIFY(!o.arguments().contains(u"--endpoint-url"_s));
    QVERIFY(!AwsCliOptions::isSafeParameterValue(u"file://secrets.json"_s));
    QVERIFY(!AwsCliOptions::isSafeParameterValue(u" FILEB://x"_s));
    QVERIFY(AwsCliOptions::isSafeParameterValue(u"petforce-prod-db"_s));
}

void TestCommandRunner::awsShellWrapper()
{
    // Runbook text calls `aws` as written; the exported wrapper adds the timeouts and the endpoint.
    QVERIFY(!makeRecorder(u"aws"_s).isEmpty());
    const QString record = m_tmp.filePath(u"record-aws"_s);
    QFile::remove(record);
    AwsCliOptions o;
    o.endpointUrl = u"http://127.0.0.1:5000/it's"_s;
    QMap<QString, QString> env = o.shellEnvironment();
    env.insert(u"PATH"_s, m_bin + u':' + qEnvironmentVariable("PATH"));
    env.insert(u"RECORD_FILE"_s, record);
    env.insert(u"DB_INSTANCE"_s, u"petforce-prod"_s);
    const CommandResult r = run(CommandSpec::shell(
        u"aws rds describe-db-instances --db-instance-identifier \"$DB_INSTANCE\" | cat; echo \"$AWS_MAX_ATTEMPTS\""_s,
        env));
    QVERIFY2(r.ok(), qPrintable(r.summary() + QString::fromUtf8(r.err.tail)));
    QCOMPARE(r.out.tail, QByteArray("2\n"));
    QCOMPARE(recordedCalls(record),
        QStringList({ u"CALL"_s, u"aws"_s, u"--cli-connect-timeout"_s, u"5"_s, u"--cli-read-timeout"_s, u"30"_s,
            u"--endpoint-url"_s, u"http://127.0.0.1:5000/it's"_s, u"rds"_s, u"describe-db-instances"_s,
            u"--db-instance-identifier"_s, u"petforce-prod"_s }));
}

void TestCommandRunner::outputPathChosenByCaller()
{
    CommandSpec spec = CommandSpec::shell(u"echo chosen"_s);
    spec.outputBasePath = m_tmp.filePath(u"chosen/step-7"_s);
    const CommandResult r = run(spec);
    QVERIFY(r.ok());
    QCOMPARE(r.out.path, m_tmp.filePath(u"chosen/step-7.stdout"_s));
    QCOMPARE(r.err.path, m_tmp.filePath(u"chosen/step-7.stderr"_s));
    QCOMPARE(QFileInfo(r.err.path).size(), 0);
    QCOMPARE(r.err.sha256, QCryptographicHash::hash(QByteArray(), QCryptographicHash::Sha256).toHex());
}

void TestCommandRunner::secondStartRefusedWhileRunning()
{
    CommandRunner runner;
    QSignalSpy finished(&runner, &CommandRunner::finished);
    CommandSpec spec = CommandSpec::shell(u"sleep 1000"_s);
    spec.runsFolder = m_tmp.filePath(u"runs"_s);
    QVERIFY(runner.start(spec));
    QVERIFY(!runner.start(spec));
    QTRY_VERIFY(runner.processId() > 0);
    const qint64 pgid = runner.processId();
    runner.stop();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(liveProcessesInGroup(pgid), 0, 3000);
}

void TestCommandRunner::sessionManagerPluginMissing()
{
    // What aws prints for `ecs execute-command` when the plugin is not installed.
    const QString bin = m_tmp.filePath(u"smp-bin"_s);
    QVERIFY(QDir().mkpath(bin));
    QFile f(bin + u"/aws"_s);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#!/bin/sh\necho '\nSessionManagerPlugin is not found. Please refer to SessionManager Documentation "
            "here: http://docs.aws.amazon.com/console/systems-manager/session-manager-plugin-not-found\n' >&2\n"
            "exit 255\n");
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    f.close();
    const CommandResult r = run(
        CommandSpec::program({ u"aws"_s, u"ecs"_s, u"execute-command"_s, u"--interactive"_s }, { { u"PATH"_s, bin } }));
    QVERIFY(r.started);
    QCOMPARE(r.exitCode, 255);
    QCOMPARE(r.missingProgram, u"session-manager-plugin"_s);
    QVERIFY2(r.error.contains(u"Session Manager plugin"_s), qPrintable(r.error));
}

void TestCommandRunner::destroyedWhileRunning()
{
    auto runner = std::make_unique<CommandRunner>();
    CommandSpec spec = CommandSpec::shell(u"sleep 1000 & sleep 1000"_s);
    spec.runsFolder = m_tmp.filePath(u"runs"_s);
    QSignalSpy started(runner.get(), &CommandRunner::started);
    QVERIFY(runner->start(spec));
    QVERIFY(started.wait(5000));
    const qint64 pgid = runner->processId();
    QTRY_VERIFY(liveProcessesInGroup(pgid) > 0);
    QElapsedTimer t;
    t.start();
    runner.reset(); // must not wait for the process
    QVERIFY(t.elapsed() < 500);
    QTRY_COMPARE_WITH_TIMEOUT(liveProcessesInGroup(pgid), 0, 3000);
}

// Issue 15, finding 6: the console's environment reaches a child only through the allow list; the AWS keys only a
// Program `aws` or a spec that names them; removeEnvironment wins over inherit; the spec's own variables always.
void TestCommandRunner::childEnvironmentAllowList()
{
    qputenv("PETFORCE_CANARY_SECRET", "canary-runner");
    qputenv("AWS_SECRET_ACCESS_KEY", "aws-canary");
    qputenv("LC_TIME", "C.UTF-8");
    auto environOf = [](const CommandResult& r) {
        QMap<QString, QString> env;
        for (const QByteArray& e : r.out.tail.split('\0')) {
            if (e.indexOf('=') > 0)
                env.insert(QString::fromUtf8(e.left(e.indexOf('='))), QString::fromUtf8(e.mid(e.indexOf('=') + 1)));
        }
        return env;
    };
    CommandSpec shell = CommandSpec::shell(u"cat /proc/self/environ"_s, { { u"PF_VALUE"_s, u"mine"_s } });
    QMap<QString, QString> env = environOf(run(shell));
    QCOMPARE(env.value(u"PF_VALUE"_s), u"mine"_s);
    QCOMPARE(env.value(u"HOME"_s), qEnvironmentVariable("HOME"));
    QCOMPARE(env.value(u"LC_TIME"_s), u"C.UTF-8"_s);
    QVERIFY(!env.contains(u"PETFORCE_CANARY_SECRET"_s));
    QVERIFY(!env.contains(u"AWS_SECRET_ACCESS_KEY"_s));
    shell.inherit = CommandSpec::awsCredentialNames();
    QCOMPARE(environOf(run(shell)).value(u"AWS_SECRET_ACCESS_KEY"_s), u"aws-canary"_s);
    shell.removeEnvironment = { u"AWS_SECRET_ACCESS_KEY"_s, u"HOME"_s };
    env = environOf(run(shell));
    QVERIFY(!env.contains(u"AWS_SECRET_ACCESS_KEY"_s) && !env.contains(u"HOME"_s));

    // A Program `aws` (the console's own reads): the credentials, still no canary.
    QVERIFY(QDir().mkpath(m_tmp.filePath(u"envbin"_s)));
    QFile f(m_tmp.filePath(u"envbin/aws"_s));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("#!/bin/sh\ncat /proc/self/environ\n");
    f.close();
    QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    env = environOf(run(CommandSpec::program({ f.fileName(), u"--version"_s })));
    QCOMPARE(env.value(u"AWS_SECRET_ACCESS_KEY"_s), u"aws-canary"_s);
    QVERIFY(!env.contains(u"PETFORCE_CANARY_SECRET"_s));
    qunsetenv("PETFORCE_CANARY_SECRET");
    qunsetenv("AWS_SECRET_ACCESS_KEY");
    qunsetenv("LC_TIME");
}

QTEST_GUILESS_MAIN(TestCommandRunner)
#include "tst_commandrunner.moc"
