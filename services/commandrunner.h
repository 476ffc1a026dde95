// SPDX-License-Identifier: MIT
#pragma once

#include "services/commandresult.h"
#include "services/commandspec.h"

#include <QObject>

#include <memory>

class CommandRunnerPrivate;

// Runs one command at a time: runbook shell text or an argument vector (the only place QProcess is used).
// Lives on the thread that creates it (the GUI thread in the program) and never blocks it: output arrives through
// QProcess signals, is written to a file per stream with its SHA-256 computed on the way, streamed to the caller
// in chunks, and kept as a bounded tail in memory.
//
// The command runs in a session and process group of its own (setsid), with stdin on /dev/null and no
// descriptor of the console's beyond 0–2. Stop and timeouts send SIGTERM to the whole group, then SIGKILL after
// the grace period; when the command ends, whatever it left running in its group is killed, so nothing outlives a
// run. The child's environment is CommandSpec::childEnvironment(): the allow list of the console's variables plus
// the spec's own, never the console's whole environment. A missing program is reported with how to install it: before
// starting for Program specs, and from bash's exit status 127 for Shell specs.
class CommandRunner : public QObject {
    Q_OBJECT
public:
    explicit CommandRunner(QObject* parent = nullptr);
    ~CommandRunner() override; // a command still running is killed with its group (SIGKILL), without signals

    // Starts the command; returns false (and does nothing) if one is still running. Everything else — including
    // a missing program — is reported through finished(), never synchronously.
    bool start(const CommandSpec& spec);
    // SIGTERM to the group, SIGKILL after spec.killGraceMs → finished() with stoppedByUser.
    void stop();

    bool isRunning() const;
    qint64 processId() const; // the command's pid (= its process group), 0 when not running
    QByteArray tail(CommandStream stream) const; // the bounded tail so far (raw bytes)
    qint64 bytes(CommandStream stream) const; // bytes so far

    // What `missing` needs to be installed, for people ("Install the AWS CLI: …").
    static QString installHint(const QString& program);
    // The full path of program on the PATH of environment (or of the console if environment has none); empty
    // when not found. A program given as a path is checked as is.
    static QString findProgram(const QString& program, const QMap<QString, QString>& environment = {});

Q_SIGNALS:
    void started(qint64 pid);
    // A chunk of raw output as it arrives; turn into text with DisplayText (one per stream).
    void outputReceived(CommandStream stream, const QByteArray& chunk);
    void finished(const CommandResult& result);

private:
    friend class CommandRunnerPrivate;
    std::unique_ptr<CommandRunnerPrivate> d;
};
