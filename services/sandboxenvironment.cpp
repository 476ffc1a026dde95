// SPDX-License-Identifier: MIT
#include "services/sandboxenvironment.h"

#include "models/environmentlistmodel.h"
#include "services/backgroundio.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

using namespace Qt::StringLiterals;

namespace {
QString env(const QString& name) { return qEnvironmentVariable(name.toLocal8Bit().constData()); }

struct FileRead {
    bool exists = false;
    QByteArray bytes;
    QString error;
};
} // namespace

QString SandboxEnvironment::envFilePath(const QString& sandboxDir) { return sandboxDir + u"/env.json"_s; }

std::optional<SandboxEnvironment::Values> SandboxEnvironment::parse(const QByteArray& json, QString* error)
{
    QJsonParseError problem;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &problem);
    const QJsonValue set = doc.object().value(u"set"_s);
    if (problem.error != QJsonParseError::NoError || !set.isObject()) {
        if (error)
            *error = problem.error != QJsonParseError::NoError ? problem.errorString() : u"no \"set\" object"_s;
        return std::nullopt;
    }
    Values values;
    const QJsonObject object = set.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        values.set.insert(it.key(), it.value().toString());
    for (const QJsonValue& name : doc.object().value(u"unset"_s).toArray())
        if (!name.toString().isEmpty() && !values.set.contains(name.toString()))
            values.unset.append(name.toString());
    return values;
}

QStringList SandboxEnvironment::differences(const Values& values)
{
    QStringList names;
    for (auto it = values.set.cbegin(); it != values.set.cend(); ++it)
        if (!qEnvironmentVariableIsSet(it.key().toLocal8Bit().constData()) || env(it.key()) != it.value())
            names.append(it.key());
    for (const QString& name : values.unset)
        if (qEnvironmentVariableIsSet(name.toLocal8Bit().constData()))
            names.append(name);
    return names;
}

SandboxEnvironment::SandboxEnvironment(EnvironmentListModel* environments, const QString& sandboxDir, QObject* parent)
    : QObject(parent)
    , m_environments(environments)
    , m_dir(sandboxDir.isEmpty() ? qEnvironmentVariable("PETFORCE_SANDBOX_DIR") : sandboxDir)
    , m_loader([] { return EnvironmentConfig::loadDefault(); })
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250); // `up` writes several files in a row
    connect(&m_debounce, &QTimer::timeout, this, &SandboxEnvironment::read);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &SandboxEnvironment::recheck);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &SandboxEnvironment::recheck);
}

void SandboxEnvironment::start()
{
    if (!isFollowing())
        return;
    watch();
    read();
}

void SandboxEnvironment::recheck()
{
    if (isFollowing())
        m_debounce.start();
}

void SandboxEnvironment::watch()
{
    // The file is replaced by a rename, which ends a watch on it: the folder is watched too, and the file again.
    if (QFileInfo(m_dir).isDir() && !m_watcher.directories().contains(m_dir))
        m_watcher.addPath(m_dir);
    const QString file = envFilePath(m_dir);
    if (QFileInfo::exists(file) && !m_watcher.files().contains(file))
        m_watcher.addPath(file);
}

void SandboxEnvironment::read()
{
    if (m_reading) {
        m_again = true;
        return;
    }
    m_reading = true;
    BackgroundIo::run(
        this,
        [path = envFilePath(m_dir)] {
            FileRead r;
            QFile file(path);
            r.exists = file.exists();
            if (r.exists && !file.open(QIODevice::ReadOnly))
                r.error = file.errorString();
            else if (r.exists)
                r.bytes = file.read(64 * 1024);
            return r;
        },
        [this](const FileRead& r) {
            m_reading = false;
            watch();
            QString problem;
            std::optional<Values> values;
            if (!r.exists)
                problem = tr("The sandbox is not running (no %1): start it with scripts/sandbox up; the console "
                             "reconnects by itself.")
                              .arg(QDir::toNativeSeparators(envFilePath(m_dir)));
            else if (!r.error.isEmpty() || !(values = parse(r.bytes, &problem)))
                problem = tr("The sandbox's environment file %1 cannot be read (%2): restart the console with "
                             "scripts/run.")
                              .arg(QDir::toNativeSeparators(envFilePath(m_dir)), r.error.isEmpty() ? problem : r.error);
            if (!problem.isEmpty()) {
                if (problem != m_lastProblem)
                    Q_EMIT unavailable(problem);
                m_lastProblem = problem;
            } else {
                m_lastProblem.clear();
                if (!differences(*values).isEmpty())
                    apply(*values);
            }
            if (std::exchange(m_again, false))
                read();
        });
}

void SandboxEnvironment::apply(const Values& values)
{
    const QList<std::pair<QString, QString>> shown { { u"PGPORT"_s, tr("PostgreSQL") },
        { u"REDIS_PORT"_s, tr("Redis") }, { u"AWS_ENDPOINT_URL"_s, tr("AWS") } };
    QStringList moved;
    for (const auto& [name, what] : shown) {
        const QString before = env(name);
        const QString after = values.set.value(name);
        if (before != after && !after.isEmpty())
            moved.append(
                before.isEmpty() ? u"%1 %2"_s.arg(what, after) : u"%1 %2 \u2192 %3"_s.arg(what, before, after));
    }
    // qputenv takes Qt's environment lock; libpq and QProcess read the variables when they next connect or start.
    for (auto it = values.set.cbegin(); it != values.set.cend(); ++it)
        qputenv(it.key().toLocal8Bit().constData(), it.value().toLocal8Bit());
    for (const QString& name : values.unset)
        qunsetenv(name.toLocal8Bit().constData());

    const QString active = m_environments->activeName();
    const EnvironmentConfig config = m_loader();
    m_environments->setProfiles(config.profiles()); // → modelReset: the metrics and the DBA pane reconnect
    if (m_environments->activeName().isEmpty() && !active.isEmpty())
        m_environments->setActive(active);
    QString message = moved.isEmpty()
        ? tr("The sandbox restarted: its environment was read again")
        : tr("The sandbox restarted on new ports (%1): its environment was read again").arg(moved.join(u", "_s));
    if (!active.isEmpty() && m_environments->activeName() != active)
        message += tr("; the %1 environment is gone (see the terminal for why).").arg(active);
    else if (active == u"sandbox"_s)
        message += tr("; dashboards, the DBA pane and runbook steps use the new ports.");
    else
        message += u'.';
    for (const RunbookDiagnostic& d : config.diagnostics())
        if (d.level == RunbookDiagnostic::Level::Error)
            qWarning("%s", qPrintable(d.toString()));
    Q_EMIT reloaded(message);
}

#include "moc_sandboxenvironment.cpp"
