// SPDX-License-Identifier: MIT
#include "services/commandrunner.h"

#include "services/boundedbytes.h"
#include "services/runsfolder.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
std::atomic<quint64> g_runCounter { 0 };

// In the child, between fork and exec: a session and process group of its own, so that stop and timeouts reach
// every process the command starts; and no descriptor of the console's beyond 0–2. They are marked
// close-on-exec rather than closed, because QProcess's own start-up pipe must stay open until exec.
void childSetup()
{
    ::setsid();
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 65536; ++fd)
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
}

QString missingFromBashStderr(const QByteArray& stderrTail)
{
    // bash: "bash: line 1: redis-cli: command not found", "bash: /opt/x/aws: No such file or directory"; in a
    // function imported from the environment (AwsCliOptions::shellEnvironment): "environment: aws: command not found"
    static const QRegularExpression re(
        u"(?:^|\\n)[^\\n]*?(?:bash|environment): (?:line \\d+: )?([^\\s:][^:\\n]*): (?:command not found|No such file or directory)"_s);
    QRegularExpressionMatch last;
    auto it = re.globalMatch(QString::fromUtf8(stderrTail));
    while (it.hasNext())
        last = it.next();
    return last.hasMatch() ? QFileInfo(last.captured(1).trimmed()).fileName() : QString();
}
} // namespace

class CommandRunnerPrivate {
public:
    struct Stream {
        QFile file;
        QCryptographicHash hash { QCryptographicHash::Sha256 };
        qint64 bytes = 0;
        QByteArray tail;
        bool truncated = false;
        bool writeFailed = false;
        qint64 written = 0; // to the file, up to the cap
        bool cut = false;
    };

    explicit CommandRunnerPrivate(CommandRunner* q)
        : q(q)
    {
        timeoutTimer.setSingleShot(true);
        timeoutTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early: a deadline is a promise
        graceTimer.setSingleShot(true);
        QObject::connect(&timeoutTimer, &QTimer::timeout, q, [this] {
            timedOut = true;
            terminateGroup();
        });
        QObject::connect(&graceTimer, &QTimer::timeout, q, [this] { signalGroup(SIGKILL); });
    }

    ~CommandRunnerPrivate()
    {
        if (!process)
            return;
        // Let the process die on its own time: it is killed now and deletes itself once reaped, so the
        // destructor never waits (QProcess's own destructor would).
        process->disconnect();
        signalGroup(SIGKILL);
        process->setParent(nullptr);
        QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
        QObject::connect(process, &QProcess::errorOccurred, process, &QObject::deleteLater);
        process = nullptr;
    }

    CommandRunner* q;
    CommandSpec spec;
    QProcess* process = nullptr;
    Stream out, err;
    QTimer timeoutTimer, graceTimer;
    QElapsedTimer elapsed;
    qint64 pid = 0;
    bool running = false;
    bool timedOut = false;
    bool stoppedByUser = false;

    Stream& stream(CommandStream s) { return s == CommandStream::Stdout ? out : err; }

    void reset(const CommandSpec& s)
    {
        spec = s;
        for (Stream* st : { &out, &err }) {
            if (st->file.isOpen())
                st->file.close();
            st->hash.reset();
            st->bytes = 0;
            st->tail.clear();
            st->truncated = false;
            st->writeFailed = false;
            st->written = 0;
            st->cut = false;
        }
        pid = 0;
        timedOut = false;
        stoppedByUser = false;
    }

    void signalGroup(int sig)
    {
        if (pid <= 0)
            return;
        // Before the child's setsid() the group does not exist yet: signal the child itself.
        if (::kill(pid_t(-pid), sig) != 0 && errno == ESRCH)
            ::kill(pid_t(pid), sig);
    }

    void terminateGroup()
    {
        if (!process || graceTimer.isActive())
            return;
        signalGroup(SIGTERM);
        graceTimer.start(qMax(0, spec.killGraceMs));
    }

    QString defaultBase() const
    {
        QString folder = spec.runsFolder;
        if (folder.isEmpty())
            folder = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/runs"_s;
        return folder + u'/' + QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd-HHmmss-zzz"_s) + u'-'
            + QString::number(QCoreApplication::applicationPid()) + u'-' + QString::number(++g_runCounter);
    }

    QString openOutputs()
    {
        const QString base = spec.outputBasePath.isEmpty() ? defaultBase() : spec.outputBasePath;
        QDir().mkpath(QFileInfo(base).absolutePath());
        for (auto [st, suffix] : { std::pair { &out, u".stdout"_s }, std::pair { &err, u".stderr"_s } }) {
            st->file.setFileName(base + suffix);
            if (!st->file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return u"cannot write the output file %1: %2"_s.arg(st->file.fileName(), st->file.errorString());
        }
        return {};
    }

    void drain(CommandStream s)
    {
        if (!process)
            return;
        const QByteArray chunk
            = s == CommandStream::Stdout ? process->readAllStandardOutput() : process->readAllStandardError();
        if (chunk.isEmpty())
            return;
        Stream& st = stream(s);
        if (!st.cut) {
            // Past the cap the file stops with a note, the pipe is still read: the command is neither blocked
            // nor killed by SIGPIPE, so it ends as it would have (its timeout still bounds it).
            const qint64 cap = outputCap();
            const QByteArrayView part
                = cap > 0 && st.written + chunk.size() > cap ? QByteArrayView(chunk).first(cap - st.written) : chunk;
            writeFile(st, part);
            if (part.size() < chunk.size()) {
                st.cut = true;
                writeFile(st,
                    u"\n[output cut at %1: the console kept reading the command's output; its last bytes follow "
                    "when it ends]\n"_s.arg(RunsFolder::sizeText(cap))
                        .toUtf8());
            }
        }
        st.bytes += chunk.size();
        // The last tailCapBytes (and up to a quarter more, so that the bytes are moved once per quarter of the cap,
        // not once per chunk), in one allocation reused chunk after chunk; tailOf() cuts it to the cap.
        const qsizetype cap = qMax<qsizetype>(0, spec.tailCapBytes);
        BoundedBytes::append(st.tail, chunk, cap + cap / 4, cap);
        st.truncated = st.bytes > cap;
        Q_EMIT q->outputReceived(s, chunk);
    }

    qint64 outputCap() const
    {
        return spec.outputCapBytes < 0 ? RunsFolder::limits().streamCapBytes : spec.outputCapBytes;
    }

    static void writeFile(Stream& st, QByteArrayView bytes)
    {
        if (bytes.isEmpty())
            return;
        if (!st.writeFailed && st.file.write(bytes.data(), bytes.size()) != bytes.size())
            st.writeFailed = true;
        st.hash.addData(bytes);
        st.written += bytes.size();
    }

    // Where the last tailCapBytes of the stream start in st.tail, never inside a UTF-8 sequence when bytes were
    // dropped.
    qsizetype tailStart(const Stream& st) const
    {
        const qsizetype cap = qMax<qsizetype>(0, spec.tailCapBytes);
        if (st.bytes <= cap)
            return 0;
        qsizetype from = std::max<qsizetype>(0, st.tail.size() - cap);
        for (int i = 0; i < 3 && from < st.tail.size() && (static_cast<unsigned char>(st.tail.at(from)) & 0xC0) == 0x80;
             ++i)
            ++from;
        return from;
    }
    QByteArray tailOf(const Stream& st) const
    {
        const qsizetype from = tailStart(st);
        return from == 0 ? st.tail : st.tail.sliced(from);
    }

    CommandStreamOutput output(Stream& st)
    {
        // The tail cut to the cap in place (no copy of it at the end of a flood), then shared with the result.
        BoundedBytes::dropFront(st.tail, tailStart(st));
        CommandStreamOutput o;
        if (st.cut) {
            // The file: the first cap bytes, the note, then the last bytes (those after the cap only).
            const qint64 cap = outputCap();
            const qint64 after = st.bytes - cap;
            writeFile(st, QByteArrayView(st.tail).last(qMin<qint64>(after, st.tail.size())));
            o.cut = true;
            o.cutAtBytes = cap;
        }
        st.file.close();
        o.bytes = st.bytes;
        o.path = st.file.fileName();
        o.sha256 = st.hash.result().toHex();
        o.tail = st.tail;
        o.tailTruncated = st.truncated;
        return o;
    }

    void fail(const QString& error, const QString& missing)
    {
        CommandResult r;
        r.error = error;
        r.missingProgram = missing;
        for (Stream* st : { &out, &err }) {
            if (st->file.isOpen()) {
                st->file.close();
                st->file.remove();
            }
        }
        QTimer::singleShot(0, q, [this, r] {
            running = false;
            Q_EMIT q->finished(r);
        });
    }

    void complete(bool startFailed)
    {
        timeoutTimer.stop();
        graceTimer.stop();
        drain(CommandStream::Stdout);
        drain(CommandStream::Stderr);
        CommandResult r;
        r.started = !startFailed;
        r.pid = pid;
        r.durationMs = elapsed.elapsed();
        r.timedOut = timedOut;
        r.stoppedByUser = stoppedByUser && !timedOut;
        if (startFailed) {
            r.error = u"could not start %1: %2"_s.arg(process->program(), process->errorString());
        } else if (process->exitStatus() == QProcess::CrashExit) {
            r.signalled = true;
            r.signal = process->exitCode(); // Qt reports the signal number here on Unix
        } else {
            r.exitCode = process->exitCode();
        }
        // Whatever the command left behind in its group (a background job holding the pipes) ends with it.
        signalGroup(SIGKILL);
        r.out = output(out);
        r.err = output(err);
        if (out.writeFailed || err.writeFailed)
            r.error = u"the output file is incomplete (write failed)"_s;

        // What was missing, and how to get it.
        QString missing;
        if (spec.kind == CommandSpec::Kind::Shell && r.started && !r.signalled && r.exitCode == 127)
            missing = missingFromBashStderr(err.tail);
        if (missing.isEmpty() && err.tail.contains("SessionManagerPlugin is not found"))
            missing = u"session-manager-plugin"_s;
        if (!missing.isEmpty()) {
            r.missingProgram = missing;
            r.error = u"%1: not found. %2"_s.arg(missing, CommandRunner::installHint(missing));
        }

        process->disconnect();
        process->deleteLater();
        process = nullptr;
        pid = 0;
        running = false;
        Q_EMIT q->finished(r);
    }
};

CommandRunner::CommandRunner(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<CommandRunnerPrivate>(this))
{
}

CommandRunner::~CommandRunner() = default;

QString CommandRunner::findProgram(const QString& program, const QMap<QString, QString>& environment)
{
    if (program.isEmpty())
        return {};
    if (program.contains(u'/')) {
        const QFileInfo fi(program);
        return fi.isFile() && fi.isExecutable() ? fi.absoluteFilePath() : QString();
    }
    const QString path = environment.value(u"PATH"_s, qEnvironmentVariable("PATH"));
    const QStringList dirs = path.split(u':', Qt::SkipEmptyParts);
    if (dirs.isEmpty())
        return {};
    return QStandardPaths::findExecutable(program, dirs);
}

QString CommandRunner::installHint(const QString& program)
{
    const QString name = QFileInfo(program).fileName();
    if (name == u"aws"_s)
        return u"Install the AWS CLI (apt-get install awscli, or AWS's own installer for v2) so that `aws` is on "
               "the PATH, and configure your profile (aws configure / aws sso login)."_s;
    if (name == u"session-manager-plugin"_s)
        return u"Install AWS's Session Manager plugin for the AWS CLI (session-manager-plugin, see AWS's "
               "\"Install the Session Manager plugin\" guide); `aws ecs execute-command` and `aws ssm "
               "start-session` need it."_s;
    if (name == u"redis-cli"_s || name == u"redis-benchmark"_s)
        return u"Install the Redis tools: apt-get install redis-tools"_s;
    if (name == u"psql"_s || name == u"pg_dump"_s || name == u"pg_isready"_s || name == u"pg_restore"_s)
        return u"Install the PostgreSQL client: apt-get install postgresql-client"_s;
    if (name == u"gh"_s)
        return u"Install the GitHub CLI (apt-get install gh) and log in with `gh auth login`."_s;
    if (name == u"jq"_s || name == u"curl"_s)
        return u"Install it: apt-get install %1"_s.arg(name);
    if (name == u"dig"_s || name == u"nslookup"_s)
        return u"Install the DNS tools: apt-get install dnsutils"_s;
    if (name == u"bash"_s)
        return u"Install bash: apt-get install bash"_s;
    return u"Install `%1` or put it on the PATH."_s.arg(name);
}

bool CommandRunner::start(const CommandSpec& spec)
{
    if (d->running)
        return false;
    d->reset(spec);
    d->running = true;

    QStringList argv;
    if (spec.kind == CommandSpec::Kind::Shell) {
        QString bash = findProgram(u"bash"_s, spec.environment);
        if (bash.isEmpty())
            bash = findProgram(u"bash"_s);
        if (bash.isEmpty() && QFileInfo(u"/bin/bash"_s).isExecutable())
            bash = u"/bin/bash"_s;
        if (bash.isEmpty()) {
            d->fail(u"bash: not found. "_s + installHint(u"bash"_s), u"bash"_s);
            return true;
        }
        argv = QStringList { bash, u"--noprofile"_s, u"--norc"_s, u"-o"_s, u"pipefail"_s, u"-c"_s, spec.script };
    } else {
        if (spec.arguments.isEmpty() || spec.arguments.constFirst().isEmpty()) {
            d->fail(u"no program to run"_s, QString());
            return true;
        }
        const QString program = findProgram(spec.arguments.constFirst(), spec.environment);
        if (program.isEmpty()) {
            const QString name = QFileInfo(spec.arguments.constFirst()).fileName();
            d->fail(u"%1: not found. %2"_s.arg(name, installHint(name)), name);
            return true;
        }
        argv = spec.arguments;
        argv[0] = program;
    }

    const QString fileError = d->openOutputs();
    if (!fileError.isEmpty()) {
        d->fail(fileError, QString());
        return true;
    }
    RunsFolder::pruneInBackground(RunsFolder::pathOr(spec.runsFolder),
        spec.runsFolderCapBytes < 0 ? RunsFolder::limits().folderCapBytes : spec.runsFolderCapBytes,
        { QFileInfo(d->out.file).absoluteFilePath(), QFileInfo(d->err.file).absoluteFilePath() });

    // Only the allow list of the console's environment, never all of it (CommandSpec::childEnvironment).
    const QProcessEnvironment system = QProcessEnvironment::systemEnvironment();
    QMap<QString, QString> console;
    for (const QString& name : system.keys())
        console.insert(name, system.value(name));
    QProcessEnvironment env;
    const QMap<QString, QString> child = CommandSpec::childEnvironment(spec, console);
    for (auto it = child.cbegin(); it != child.cend(); ++it)
        env.insert(it.key(), it.value());

    auto* p = new QProcess(this);
    d->process = p;
    p->setProgram(argv.takeFirst());
    p->setArguments(argv);
    p->setProcessEnvironment(env);
    if (!spec.workingDirectory.isEmpty())
        p->setWorkingDirectory(spec.workingDirectory);
    p->setStandardInputFile(QProcess::nullDevice());
    p->setChildProcessModifier(&childSetup);
    connect(p, &QProcess::started, this, [this] {
        d->pid = d->process->processId();
        Q_EMIT started(d->pid);
    });
    connect(p, &QProcess::readyReadStandardOutput, this, [this] { d->drain(CommandStream::Stdout); });
    connect(p, &QProcess::readyReadStandardError, this, [this] { d->drain(CommandStream::Stderr); });
    connect(p, &QProcess::finished, this, [this] { d->complete(false); });
    connect(p, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) // may come from inside start(): report it from the event loop
            QTimer::singleShot(0, this, [this] {
                if (d->process)
                    d->complete(true);
            });
    });
    d->elapsed.start();
    p->start();
    if (d->process)
        d->pid = d->process->processId();
    if (d->process && spec.timeoutMs > 0)
        d->timeoutTimer.start(spec.timeoutMs);
    return true;
}

void CommandRunner::stop()
{
    if (!d->process)
        return;
    if (!d->timedOut)
        d->stoppedByUser = true;
    d->terminateGroup();
}

bool CommandRunner::isRunning() const { return d->running; }

qint64 CommandRunner::processId() const { return d->process ? d->pid : 0; }

QByteArray CommandRunner::tail(CommandStream stream) const { return d->tailOf(d->stream(stream)); }

qint64 CommandRunner::bytes(CommandStream stream) const { return d->stream(stream).bytes; }

#include "moc_commandrunner.cpp"
