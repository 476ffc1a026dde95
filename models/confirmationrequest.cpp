// SPDX-License-Identifier: MIT
#include "models/confirmationrequest.h"

#include "models/dbasessionmodel.h"

#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

ConfirmationRequest::Level ConfirmationRequest::level() const
{
    switch (risk) {
    case StepRisk::Read:
        return extraConfirmations.isEmpty() ? Level::None : Level::Show;
    case StepRisk::Write:
        return Level::Show;
    case StepRisk::Destructive:
        return Level::TypeName;
    }
    return Level::TypeName;
}

bool ConfirmationRequest::isProduction() const
{
    return environment.trimmed().compare(u"production"_s, Qt::CaseInsensitive) == 0;
}

bool ConfirmationRequest::typedNameMatches(const QString& typed) const
{
    const QString expected = target.isEmpty() ? environment.trimmed() : target.trimmed();
    return !expected.isEmpty() && typed.trimmed() == expected;
}

QString ConfirmationRequest::databaseName(const QString& url)
{
    const QString text = url.trimmed();
    if (text.startsWith(u"postgres://"_s) || text.startsWith(u"postgresql://"_s)) {
        const QUrl u(text);
        return u.path(QUrl::FullyDecoded).mid(1).section(u'/', 0, 0);
    }
    static const QRegularExpression dbname(u"(?:^|\\s)dbname\\s*=\\s*('(?:[^'\\\\]|\\\\.)*'|\\S+)"_s);
    const QRegularExpressionMatch m = dbname.match(text);
    if (!m.hasMatch())
        return {};
    QString v = m.captured(1);
    if (v.startsWith(u'\''))
        v = v.mid(1, v.size() - 2).replace(u"\\'"_s, u"'"_s).replace(u"\\\\"_s, u"\\"_s);
    return v;
}

QString ConfirmationRequest::targetName(const EnvironmentProfile& profile, const QStringList& fields)
{
    for (const QString& key : fields) {
        const auto f = EnvironmentProfile::fieldFromKey(key);
        if (!f)
            continue;
        const QString v = profile.value(*f);
        const QString name = *f == EnvironmentProfile::Field::DatabaseUrl ? databaseName(v) : v.trimmed();
        if (!name.isEmpty())
            return name;
    }
    return profile.name();
}

QStringList ConfirmationRequest::sessionColumns()
{
    return { u"pid"_s, u"user"_s, u"application"_s, u"state"_s, u"idle for"_s, u"query"_s };
}

QStringList ConfirmationRequest::sessionRow(int pid, const QString& user, const QString& application,
    const QString& state, double stateAgeS, const QString& query)
{
    // Idle time is the time in the idle state; an active session's column stays empty.
    const bool idle = state.startsWith(u"idle"_s);
    return { QString::number(pid), user, application, state, idle ? DbaSessionModel::formatAge(stateAgeS) : QString(),
        query.simplified().left(80) };
}
