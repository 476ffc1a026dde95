// SPDX-License-Identifier: MIT
#include "models/dbasession.h"

QList<int> DbaSession::parseIntArray(const QString& text)
{
    QList<int> out;
    QString t = text.trimmed();
    if (t.startsWith(QLatin1Char('{')) && t.endsWith(QLatin1Char('}')))
        t = t.mid(1, t.size() - 2);
    for (const QString& part : t.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (ok)
            out.append(v);
    }
    return out;
}

DbaConnectionSummary DbaConnectionSummary::from(
    const QList<DbaSession>& sessions, int maxConnections, int superuserReserved)
{
    DbaConnectionSummary s;
    s.maxConnections = maxConnections;
    s.superuserReserved = superuserReserved;
    for (const DbaSession& session : sessions) {
        ++s.total;
        if (session.isClientBackend())
            ++s.clientBackends;
        if (session.own)
            ++s.own;
        const QString state = session.state.isEmpty() ? QStringLiteral("(none)") : session.state;
        ++s.byState[state];
        ++s.byApplicationState[qMakePair(session.application, state)];
    }
    return s;
}
