// SPDX-License-Identifier: MIT
#include "services/pgresult.h"

using namespace Qt::StringLiterals;

QString PgError::toString() const
{
    QString text = severity.isEmpty() ? u"ERROR"_s : severity;
    if (!sqlState.isEmpty())
        text += u' ' + sqlState;
    text += u": "_s + message;
    if (!detail.isEmpty())
        text += u" ("_s + detail + u')';
    return text;
}

int PgStatementResult::columnIndex(const QString& name) const
{
    for (int i = 0; i < columns.size(); ++i) {
        if (columns.at(i).name == name)
            return i;
    }
    return -1;
}

namespace {
const PgStatementResult& emptyStatement()
{
    static const PgStatementResult empty;
    return empty;
}
} // namespace

const QList<PgColumn>& PgResult::columns() const
{
    return statements.isEmpty() ? emptyStatement().columns : statements.constLast().columns;
}

const QList<QList<QVariant>>& PgResult::rows() const
{
    return statements.isEmpty() ? emptyStatement().rows : statements.constLast().rows;
}

QString PgResult::commandTag() const { return statements.isEmpty() ? QString() : statements.constLast().commandTag; }

qint64 PgResult::rowsAffected() const { return statements.isEmpty() ? -1 : statements.constLast().rowsAffected; }

qint64 PgResult::totalRows() const { return statements.isEmpty() ? 0 : statements.constLast().totalRows(); }

qint64 PgResult::rowsDropped() const { return statements.isEmpty() ? 0 : statements.constLast().rowsDropped; }

QString PgResult::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Ok:
        return u"ok"_s;
    case Outcome::Error:
        return u"error"_s;
    case Outcome::TimedOut:
        return u"timed out"_s;
    case Outcome::Cancelled:
        return u"cancelled"_s;
    case Outcome::ConnectionLost:
        return u"connection lost"_s;
    case Outcome::NotConnected:
        return u"not connected"_s;
    }
    return {};
}

QString PgResult::summary() const
{
    if (outcome == Outcome::Ok)
        return commandTag().isEmpty() ? u"ok"_s : commandTag();
    if (error.isError())
        return outcomeName(outcome) + u": "_s + error.toString();
    return outcomeName(outcome);
}
