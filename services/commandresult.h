// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

// Which output stream of a command.
enum class CommandStream { Stdout, Stderr };

// What one output stream produced.
struct CommandStreamOutput {
    qint64 bytes = 0; // all of it, as written to path
    QString path; // the full output (empty if the command never started)
    QByteArray sha256; // lower-case hex SHA-256 of the file at path, computed as it streamed
    bool cut = false; // the file stopped at cutAtBytes (CommandSpec::outputCapBytes); bytes counts all of it
    qint64 cutAtBytes = 0;
    QByteArray tail; // the last tailCapBytes bytes (raw: show through DisplayText)
    bool tailTruncated = false; // bytes > tail.size()
};

// The outcome of one CommandRunner run, delivered by value on the runner's thread.
struct CommandResult {
    bool started = false; // false: never ran (missing program, output file not writable...): see error
    QString error; // for people: why it failed to start, or what was missing, and how to fix it
    QString missingProgram; // "aws", "redis-cli", "session-manager-plugin"... when that was the cause
    int exitCode = -1; // when exited normally
    bool signalled = false; // ended by a signal (crash, or our SIGTERM/SIGKILL)
    int signal = 0; // that signal's number
    bool timedOut = false; // the spec's timeout ended it
    bool stoppedByUser = false; // CommandRunner::stop() ended it
    qint64 pid = 0; // also the process group id and session id
    qint64 durationMs = 0;
    CommandStreamOutput out;
    CommandStreamOutput err;

    bool ok() const { return started && !signalled && !timedOut && !stoppedByUser && exitCode == 0; }
    QString summary() const; // "exit 0", "exit 3", "killed by signal 15", "timed out after 5 s", "aws: not found…"
    // "stderr cut at 256 MiB in its file (3.1 GiB in all)"; empty when neither stream was cut.
    QString cutNote() const;
};

Q_DECLARE_METATYPE(CommandResult)
Q_DECLARE_METATYPE(CommandStream)
