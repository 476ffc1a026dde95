// SPDX-License-Identifier: MIT
#include "services/commandspec.h"

#include <QFileInfo>
#include <QSet>

using namespace Qt::StringLiterals;

bool CommandSpec::isInherited(const QString& name)
{
    static const QSet<QString> names {
        u"PATH"_s,
        u"HOME"_s,
        u"LANG"_s,
        u"LANGUAGE"_s,
        u"TERM"_s,
        u"TZ"_s,
        u"TMPDIR"_s,
        u"USER"_s,
        u"LOGNAME"_s,
        u"XDG_CONFIG_HOME"_s,
        u"XDG_CACHE_HOME"_s,
        u"XDG_DATA_HOME"_s,
        u"XDG_STATE_HOME"_s,
        u"XDG_RUNTIME_DIR"_s,
        // Network reachability, not identity: aws, gh and curl need them behind a proxy.
        u"http_proxy"_s,
        u"https_proxy"_s,
        u"no_proxy"_s,
        u"HTTP_PROXY"_s,
        u"HTTPS_PROXY"_s,
        u"NO_PROXY"_s,
        u"SSL_CERT_FILE"_s,
        u"SSL_CERT_DIR"_s,
        u"CURL_CA_BUNDLE"_s,
        u"REQUESTS_CA_BUNDLE"_s,
        // Which AWS profile, region, config and endpoint: names and paths, no key.
        u"AWS_PROFILE"_s,
        u"AWS_DEFAULT_PROFILE"_s,
        u"AWS_REGION"_s,
        u"AWS_DEFAULT_REGION"_s,
        u"AWS_CONFIG_FILE"_s,
        u"AWS_SHARED_CREDENTIALS_FILE"_s,
        u"AWS_ENDPOINT_URL"_s,
        u"AWS_CA_BUNDLE"_s,
        u"AWS_DEFAULT_OUTPUT"_s,
    };
    return names.contains(name) || name.startsWith(u"LC_"_s);
}

QStringList CommandSpec::awsCredentialNames()
{
    return { u"AWS_ACCESS_KEY_ID"_s, u"AWS_SECRET_ACCESS_KEY"_s, u"AWS_SESSION_TOKEN"_s, u"AWS_ROLE_ARN"_s,
        u"AWS_ROLE_SESSION_NAME"_s, u"AWS_WEB_IDENTITY_TOKEN_FILE"_s, u"AWS_CONTAINER_CREDENTIALS_FULL_URI"_s,
        u"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"_s, u"AWS_CONTAINER_AUTHORIZATION_TOKEN"_s };
}

QStringList CommandSpec::displayNames() { return { u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"XAUTHORITY"_s }; }

QMap<QString, QString> CommandSpec::childEnvironment(const CommandSpec& spec, const QMap<QString, QString>& console)
{
    QStringList extra = spec.inherit;
    if (spec.kind == Kind::Program && !spec.arguments.isEmpty()
        && QFileInfo(spec.arguments.constFirst()).fileName() == u"aws"_s)
        extra += awsCredentialNames();
    QMap<QString, QString> env;
    for (auto it = console.cbegin(); it != console.cend(); ++it) {
        if ((isInherited(it.key()) || extra.contains(it.key())) && !spec.removeEnvironment.contains(it.key()))
            env.insert(it.key(), it.value());
    }
    env.insert(spec.environment);
    return env;
}
