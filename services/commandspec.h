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
    // Added to (or replacing in) the console's own environment. Secrets go here, never into arguments.
    QMap<QString, QString> environment;
    QStringList removeEnvironment; // names taken out of the console's environment
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
