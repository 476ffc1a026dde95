// SPDX-License-Identifier: MIT
#pragma once

#include "services/environmentconfig.h"

#include <QFileSystemWatcher>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <optional>

class EnvironmentListModel;

// Follows the local sandbox's environment file, <sandbox dir>/env.json ({"set": {NAME: value}, "unset": [NAME]},
// what `scripts/sandbox env` prints; written by `scripts/sandbox up`, removed by `down`). The sandbox's profile
// takes its ports, endpoint and database URL from the console's environment (${NAME} in environments.yaml,
// url_env, password_env), read when the console started; after `scripts/sandbox up --fresh` they point at ports
// nobody listens on. When the file says otherwise than the console's environment, the environment gets the file's
// values, the profiles are read again and the list model is reset (setProfiles): the metric sources and the DBA
// session reconnect on its modelReset, runbook steps run with the new profile. reloaded() says so, for the status
// bar. Only followed when the console was started with the sandbox's environment ($PETFORCE_SANDBOX_DIR set).
//
// GUI thread. The file is read on BackgroundIo's worker. Does not own the model.
class SandboxEnvironment : public QObject {
    Q_OBJECT
public:
    struct Values {
        QMap<QString, QString> set;
        QStringList unset;
    };
    static QString envFilePath(const QString& sandboxDir); // <dir>/env.json
    // The file's values; nullopt with *error when it is not such a file.
    static std::optional<Values> parse(const QByteArray& json, QString* error = nullptr);
    // The names whose value in the console's environment differs from values (set to another value or unset).
    static QStringList differences(const Values& values);

    // sandboxDir empty: $PETFORCE_SANDBOX_DIR (nothing is followed when that is empty too).
    explicit SandboxEnvironment(
        EnvironmentListModel* environments, const QString& sandboxDir = {}, QObject* parent = nullptr);

    QString sandboxDir() const { return m_dir; }
    bool isFollowing() const { return !m_dir.isEmpty(); }
    // How the profiles are read again; EnvironmentConfig::loadDefault() unless a test sets another.
    void setConfigLoader(std::function<EnvironmentConfig()> loader) { m_loader = std::move(loader); }

    void start(); // watches the file, and reads it once now
    // Reads the file again soon (a change of it, or a sandbox source that stopped answering). Coalesced.
    void recheck();

Q_SIGNALS:
    // The environment and the profiles were read again: "The sandbox restarted on new ports (…): …".
    void reloaded(const QString& message);
    // The file is gone (`scripts/sandbox down`) or unreadable: the sandbox's servers are not there. Once per state.
    void unavailable(const QString& message);

private:
    void read();
    void apply(const Values& values);
    void watch();

    EnvironmentListModel* m_environments;
    QString m_dir;
    std::function<EnvironmentConfig()> m_loader;
    QFileSystemWatcher m_watcher;
    QTimer m_debounce;
    bool m_reading = false;
    bool m_again = false;
    QString m_lastProblem;
};
