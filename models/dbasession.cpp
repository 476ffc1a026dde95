// SPDX-License-Identifier: MIT
#include "models/dbasession.h"

#include <limits>

QList<int> DbaSession::parseIntArray(const QString& text)
{
    // One pass, no temporary strings: the monitor reads every backend's pid this way on each refresh.
    QList<int> out;
    qint64 value = 0;
    bool negative = false;
    bool digits = false;
    bool junk = false;
    const auto flush = [&] {
        if (digits && !junk && value <= std::numeric_limits<int>::max())
            out.append(int(negative ? -value : value));
        value = 0;
        negative = digits = junk = false;
    };
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= u'0' && u <= u'9') {
            value = qMin<qint64>(value * 10 + (u - u'0'), qint64(std::numeric_limits<int>::max()) + 1);
            digits = true;
        } else if (u == u',' || u == u'}') {
            flush();
        } else if (u == u'-' && !digits) {
            negative = true;
        } else if (u != u'{' && u != u' ') {
            junk = true;
        }
    }
    flush();
    return out;
}

bool DbaSession::sameExceptAges(const DbaSession& o) const
{
    return pid == o.pid && own == o.own && backendStartText == o.backendStartText && state == o.state
        && waitEventType == o.waitEventType && waitEvent == o.waitEvent && backendXmin == o.backendXmin
        && blockedBy == o.blockedBy && query == o.query && application == o.application && user == o.user
        && database == o.database && clientAddress == o.clientAddress && backendType == o.backendType;
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
        ++(session.own ? s.ownByApplicationState : s.byApplicationState)[qMakePair(session.application, state)];
    }
    return s;
}
