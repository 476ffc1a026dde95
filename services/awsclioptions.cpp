// SPDX-License-Identifier: MIT
#include "services/awsclioptions.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace {
QString shellQuote(const QString& s)
{
    QString quoted = s;
    quoted.replace(u"'"_s, u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}
} // namespace

bool AwsCliOptions::isValid(QString* why) const
{
    if (endpointUrl.isEmpty())
        return true;
    const QUrl url(endpointUrl, QUrl::StrictMode);
    const bool ok = url.isValid() && (url.scheme() == u"http"_s || url.scheme() == u"https"_s) && !url.host().isEmpty()
        && url.userInfo().isEmpty();
    if (!ok && why)
        *why = u"the endpoint override must be an http(s) URL with a host: %1"_s.arg(endpointUrl);
    return ok;
}

QStringList AwsCliOptions::arguments() const
{
    QStringList args { u"--cli-connect-timeout"_s, QString::number(connectTimeoutS), u"--cli-read-timeout"_s,
        QString::number(readTimeoutS) };
    if (!endpointUrl.isEmpty() && isValid())
        args << u"--endpoint-url"_s << endpointUrl;
    return args;
}

QStringList AwsCliOptions::programArguments(const QStringList& awsArguments) const
{
    return QStringList { u"aws"_s } + arguments() + awsArguments;
}

QMap<QString, QString> AwsCliOptions::environment() const
{
    QMap<QString, QString> env;
    env.insert(u"AWS_MAX_ATTEMPTS"_s, QString::number(qMax(1, maxAttempts)));
    env.insert(u"AWS_RETRY_MODE"_s, u"standard"_s);
    env.insert(u"AWS_PAGER"_s, QString());
    env.insert(u"AWS_CLI_AUTO_PROMPT"_s, u"off"_s); // v2's cli_auto_prompt would wait for keys (v1 ignores it)
    // Both CLIs are Python: on a pipe its stdout is block-buffered, and `logs tail --follow` (v2) would show a
    // new line only ~8 KiB later (measured: 78 s instead of < 5 s once the console's own variables stopped
    // reaching children, the image's PYTHONUNBUFFERED among them).
    env.insert(u"PYTHONUNBUFFERED"_s, u"1"_s);
    if (!profile.isEmpty())
        env.insert(u"AWS_PROFILE"_s, profile);
    if (!region.isEmpty()) {
        env.insert(u"AWS_REGION"_s, region);
        env.insert(u"AWS_DEFAULT_REGION"_s, region);
    }
    if (!endpointUrl.isEmpty() && isValid())
        env.insert(u"AWS_ENDPOINT_URL"_s, endpointUrl);
    return env;
}

QMap<QString, QString> AwsCliOptions::shellEnvironment() const
{
    QMap<QString, QString> env = environment();
    QStringList quoted;
    const QStringList args = arguments();
    for (const QString& a : args)
        quoted.append(shellQuote(a));
    // bash imports exported functions from BASH_FUNC_<name>%% variables, also with --noprofile --norc.
    env.insert(u"BASH_FUNC_aws%%"_s, u"() {  command aws %1 \"$@\"\n}"_s.arg(quoted.join(u' ')));
    return env;
}

bool AwsCliOptions::isSafeParameterValue(const QString& value)
{
    const QString v = value.trimmed().toLower();
    for (const QString& prefix : { u"file://"_s, u"fileb://"_s, u"http://"_s, u"https://"_s }) {
        if (v.startsWith(prefix))
            return false;
    }
    return true;
}
