// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookdiagnostic.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// The environment profiles from a YAML file (docs/RUNBOOKS.md, "Environments"): the user's
// environments.yaml in the config folder, else the example shipped at :/config/environments.yaml.
// The file never holds a password: a profile names a keychain entry (password_secret) or an environment variable
// (password_env); a password in the file or in a URL is an error and the profile is refused.
//
// Synchronous and small (a few kilobytes): call from any thread.
class EnvironmentConfig {
public:
    static QString userConfigPath(); // <AppConfigLocation>/environments.yaml
    static QString shippedConfigPath(); // :/config/environments.yaml

    static EnvironmentConfig load(const QByteArray& yaml, const QString& source);
    static EnvironmentConfig loadFile(const QString& path);
    // The user's file when it exists, else the shipped example.
    static EnvironmentConfig loadDefault();

    QString source() const { return m_source; }
    const QList<EnvironmentProfile>& profiles() const { return m_profiles; }
    std::optional<EnvironmentProfile> profile(const QString& name) const;
    QString defaultProfile() const { return m_default; } // "default:", else sandbox if present, else the first
    const QList<RunbookDiagnostic>& diagnostics() const { return m_diagnostics; }
    bool hasErrors() const { return RunbookDiagnostic::hasErrors(m_diagnostics); }

private:
    QString m_source;
    QList<EnvironmentProfile> m_profiles;
    QString m_default;
    QList<RunbookDiagnostic> m_diagnostics;
};
