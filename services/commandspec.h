// SPDX-License-Identifier: MIT
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

// What a CommandRunner runs. A plain value; no thread affinity.
struct CommandSpec {
    enum class Kind {
        // Runbook text, trusted, run as written through `bash --noprofile --norc -o pipefail -c TEXT`. Operator
        // values reach it only through environment, referenced in the text in double quotes ("$INSTANCE").
        Shell,
        // An argument vector run with no shell: arguments[0] is the program (name looked up on the PATH of the
        // command's environment, or a path), the rest are passed verbatim.
        Program,
    };
    Kind kind = Kind::Shell;
    QString script; // Shell
    QStringList arguments; // Program
    // The child's environment is never the console's whole environment (issue 15, finding 6). It is built from
    // the console's variables named by the allow list (isInherited(): PATH, HOME, locale, TERM, TMPDIR, USER,
    // LOGNAME, XDG folders, proxies and CA bundles, the AWS profile/region/config-file variables), plus those named
    // in `inherit`, minus removeEnvironment, and then `environment` added. A Program spec whose program is `aws`
    // also inherits awsCredentialNames(). Secrets go in `environment` or by name in `inherit`, never into arguments.
    QMap<QString, QString> environment;
    QStringList inherit; // more names taken from the console's environment (awsCredentialNames(), REDISCLI_AUTH)
    QStringList removeEnvironment; // names never taken from the console's environment
    QString workingDirectory; // empty: the console's
    int timeoutMs = 0; // 0: none. On expiry the whole process group gets SIGTERM, then SIGKILL.
    int killGraceMs = 3000; // between SIGTERM and SIGKILL on stop or timeout
    qsizetype tailCapBytes = 256 * 1024; // per stream, kept in memory for the view
    // Full output goes to <outputBasePath>.stdout and <outputBasePath>.stderr. Empty: a new base under runsFolder.
    QString outputBasePath;
    QString runsFolder; // empty: <AppLocalDataLocation>/runs
    // Each stream's file stops at this many bytes (-1: RunsFolder::limits(), 256 MiB by default; 0: no cap); then
    // it says "output cut at …", the pipe is still read (the command goes on, its tail kept in memory) and, at the
    // end, the tail is written after that note.
    qint64 outputCapBytes = -1;
    // Before the run, the oldest run files of runsFolder go until it holds at most this much (-1:
    // RunsFolder::limits(), 2 GiB by default; 0: no cap), on the BackgroundIo worker.
    qint64 runsFolderCapBytes = -1;

    // The allow list: true for the names every child takes from the console's environment.
    static bool isInherited(const QString& name);
    // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and the other credential sources of the CLI: only
    // for children that call `aws`.
    static QStringList awsCredentialNames();
    // DISPLAY, WAYLAND_DISPLAY, XAUTHORITY: only for a terminal emulator the console opens.
    static QStringList displayNames();
    // What the child sees: console filtered as above, then environment (pure; any thread).
    static QMap<QString, QString> childEnvironment(const CommandSpec& spec, const QMap<QString, QString>& console);

    static CommandSpec shell(const QString& script, const QMap<QString, QString>& environment = {})
    {
        CommandSpec s;
        s.kind = Kind::Shell;
        s.script = script;
        s.environment = environment;
        return s;
    }
    static CommandSpec program(const QStringList& arguments, const QMap<QString, QString>& environment = {})
    {
        CommandSpec s;
        s.kind = Kind::Program;
        s.arguments = arguments;
        s.environment = environment;
        return s;
    }
};
