// SPDX-License-Identifier: MIT
#pragma once
// Test support: the local sandbox (scripts/sandbox) from inside a Qt test started by ctest with the `sandbox`
// fixture (petforce_add_qtest(... SANDBOX)). Tests may block here; product code never does this.

#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTest>

namespace SandboxEnv {

// Runs `scripts/sandbox --dir DIR ARGS...` and returns its exit code (-1: could not run); output in *output.
inline int run(const QStringList& arguments, QString* output = nullptr, int timeoutMs = 180000)
{
    const QString script = qEnvironmentVariable("PETFORCE_SANDBOX_SCRIPT");
    const QString dir = qEnvironmentVariable("PETFORCE_SANDBOX_DIR");
    if (script.isEmpty() || dir.isEmpty())
        return -1;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(script, QStringList { QStringLiteral("--dir"), dir } + arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        if (output)
            *output = QString::fromUtf8(process.readAll()) + QStringLiteral("\n(timed out)");
        return -1;
    }
    if (output)
        *output = QString::fromUtf8(process.readAll());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// The sandbox's connection variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, DATABASE_URL, REDIS_HOST,
// REDIS_PORT, AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION,
// PETFORCE_SANDBOX_DBA_URL, PETFORCE_IDLE_THRESHOLD...), also put into this process's environment so that
// children (the aws CLI, psql) reach the sandbox; what env unsets is unset here too. Without its AWS part the
// sandbox exports no AWS_* but PETFORCE_SANDBOX_AWS_OFF (see awsOff()). Empty, with *why set, when not run under
// the fixture.
inline QMap<QString, QString> load(QString* why = nullptr)
{
    QString output;
    const int rc = run({ QStringLiteral("env") }, &output, 30000);
    if (rc != 0) {
        if (why)
            *why = rc == -1 && qEnvironmentVariableIsEmpty("PETFORCE_SANDBOX_DIR")
                ? QStringLiteral("no sandbox: run through ctest (fixture sandbox) or set PETFORCE_SANDBOX_DIR/SCRIPT")
                : QStringLiteral("scripts/sandbox env failed: ") + output;
        return {};
    }
    QMap<QString, QString> vars;
    for (QString line : output.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.startsWith(QStringLiteral("unset "))) {
            for (const QString& name : line.mid(6).split(QLatin1Char(' '), Qt::SkipEmptyParts))
                qunsetenv(name.toLocal8Bit().constData());
            continue;
        }
        if (!line.startsWith(QStringLiteral("export ")))
            continue;
        line = line.mid(7);
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        QString value = line.mid(eq + 1);
        if (value.size() >= 2 && value.startsWith(QLatin1Char('\'')) && value.endsWith(QLatin1Char('\'')))
            value = value.mid(1, value.size() - 2).replace(QStringLiteral("'\\''"), QStringLiteral("'"));
        else if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
            value = value.mid(1, value.size() - 2);
        vars.insert(line.left(eq), value);
    }
    for (auto it = vars.cbegin(); it != vars.cend(); ++it)
        qputenv(it.key().toLocal8Bit().constData(), it.value().toLocal8Bit());
    return vars;
}

// Why the sandbox runs without its AWS part (scripts/sandbox found no moto_server), after load(); empty when it has
// one. A test function that needs the sandbox's AWS starts with PETFORCE_SANDBOX_NEEDS_AWS().
inline QString awsOff() { return qEnvironmentVariable("PETFORCE_SANDBOX_AWS_OFF"); }

} // namespace SandboxEnv

// Skips the test function (or, in a _data function, all its rows) with the sandbox's reason when its AWS is off.
#define PETFORCE_SANDBOX_NEEDS_AWS()                                                                                   \
    do {                                                                                                               \
        if (!SandboxEnv::awsOff().isEmpty())                                                                           \
            QSKIP(qPrintable(QStringLiteral("the sandbox's AWS part is off: ") + SandboxEnv::awsOff()));               \
    } while (false)
