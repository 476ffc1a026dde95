// SPDX-License-Identifier: MIT
#include "models/dbasessionmodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

DbaSessionModel::DbaSessionModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void DbaSessionModel::setSessions(const QList<DbaSession>& sessions)
{
    // pid → position in sessions; a row whose pid now belongs to another backend (other backend_start) ended.
    QHash<int, qsizetype> incoming;
    incoming.reserve(sessions.size());
    for (qsizetype i = 0; i < sessions.size(); ++i)
        incoming.insert(sessions.at(i).pid, i);
    const auto ended = [&](const DbaSession& row) {
        const auto it = incoming.constFind(row.pid);
        return it == incoming.constEnd() || sessions.at(*it).backendStartText != row.backendStartText;
    };

    // Remove ended sessions, bottom up, in contiguous blocks.
    bool removed = false;
    for (int row = int(m_rows.size()) - 1; row >= 0;) {
        if (!ended(m_rows.at(row))) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && ended(m_rows.at(first - 1)))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.remove(first, row - first + 1);
        endRemoveRows();
        removed = true;
        row = first - 1;
    }
    if (removed)
        reindex();

    // Update in place; collect the new ones. Ages move on every refresh: they are updated without a signal per
    // row, and announced once for the age columns of all rows; rows that changed otherwise are announced in
    // contiguous blocks.
    QList<DbaSession> added;
    QList<int> changed;
    bool agesMoved = false;
    for (const DbaSession& s : sessions) {
        const auto it = m_index.constFind(s.pid);
        if (it == m_index.constEnd()) {
            added.append(s);
            continue;
        }
        DbaSession& current = m_rows[*it];
        if (!current.sameExceptAges(s)) {
            current = s;
            changed.append(*it);
        } else if (!current.sameAges(s)) {
            current.transactionAgeS = s.transactionAgeS;
            current.queryAgeS = s.queryAgeS;
            current.stateAgeS = s.stateAgeS;
            agesMoved = true;
        }
    }
    std::sort(changed.begin(), changed.end());
    for (qsizetype i = 0; i < changed.size();) {
        qsizetype j = i;
        while (j + 1 < changed.size() && changed.at(j + 1) == changed.at(j) + 1)
            ++j;
        Q_EMIT dataChanged(index(changed.at(i), 0), index(changed.at(j), ColumnCount - 1));
        i = j + 1;
    }
    if (agesMoved && !m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, TransactionAgeColumn), index(int(m_rows.size()) - 1, StateAgeColumn));
    if (!added.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, int(m_rows.size() + added.size() - 1));
        m_rows.append(added);
        for (int i = first; i < m_rows.size(); ++i)
            m_index.insert(m_rows.at(i).pid, i);
        endInsertRows();
    }
    setStale(false);
}

void DbaSessionModel::reindex()
{
    m_index.clear();
    m_index.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).pid, i);
}

const DbaSession* DbaSessionModel::session(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int DbaSessionModel::rowOf(const QString& key) const
{
    const int row = m_index.value(key.section(QLatin1Char('@'), 0, 0).toInt(), -1);
    return row >= 0 && m_rows.at(row).key() == key ? row : -1;
}

void DbaSessionModel::setStale(bool stale)
{
    if (m_stale == stale)
        return;
    m_stale = stale;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1), { Qt::ForegroundRole });
}

QString DbaSessionModel::formatAge(double seconds)
{
    if (seconds < 0)
        return {};
    const qint64 s = qint64(seconds);
    if (s < 60)
        return u"%1 s"_s.arg(s);
    if (s < 3600)
        return u"%1 min %2 s"_s.arg(s / 60).arg(s % 60);
    return u"%1 h %2 min"_s.arg(s / 3600).arg((s % 3600) / 60);
}

int DbaSessionModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int DbaSessionModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant DbaSessionModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const DbaSession& s = m_rows.at(index.row());
    switch (role) {
    case PidRole:
        return s.pid;
    case BackendStartRole:
        return s.backendStartText;
    case KeyRole:
        return s.key();
    case StateRole:
        return s.state;
    case ApplicationRole:
        return s.application;
    case StateAgeRole:
        return s.stateAgeS;
    case QueryAgeRole:
        return s.queryAgeS;
    case QueryRole:
        return s.query;
    case OwnRole:
        return s.own;
    case ClientBackendRole:
        return s.isClientBackend();
    case Qt::ForegroundRole:
        if (m_stale)
            return QBrush(QColor(0x90, 0x90, 0x90));
        if (s.own || !s.isClientBackend())
            return QBrush(QColor(0x60, 0x60, 0x90));
        return {};
    case Qt::FontRole:
        if (s.own) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (s.own)
            return tr("This console's own connection");
        if (index.column() == QueryColumn)
            return s.query.left(2000);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == PidColumn || index.column() == TransactionAgeColumn || index.column() == QueryAgeColumn
            || index.column() == StateAgeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        switch (index.column()) {
        case PidColumn:
            return s.pid;
        case TransactionAgeColumn:
            return s.transactionAgeS;
        case QueryAgeColumn:
            return s.queryAgeS;
        case StateAgeColumn:
            return s.stateAgeS;
        case BackendStartColumn:
            return s.backendStart;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case PidColumn:
            return s.pid;
        case UserColumn:
            return s.user;
        case DatabaseColumn:
            return s.database;
        case ApplicationColumn:
            return s.own ? s.application + tr(" (this console)") : s.application;
        case ClientColumn:
            return s.clientAddress;
        case StateColumn:
            return s.state.isEmpty() ? s.backendType : s.state;
        case WaitEventTypeColumn:
            return s.waitEventType;
        case WaitEventColumn:
            return s.waitEvent;
        case BackendStartColumn:
            return s.backendStart.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case TransactionAgeColumn:
            return formatAge(s.transactionAgeS);
        case QueryAgeColumn:
            return formatAge(s.queryAgeS);
        case StateAgeColumn:
            return formatAge(s.stateAgeS);
        case BackendXminColumn:
            return s.backendXmin;
        case QueryColumn:
            return s.query.simplified().left(300);
        case ColumnCount:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant DbaSessionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case PidColumn:
        return tr("PID");
    case UserColumn:
        return tr("User");
    case DatabaseColumn:
        return tr("Database");
    case ApplicationColumn:
        return tr("Application");
    case ClientColumn:
        return tr("Client");
    case StateColumn:
        return tr("State");
    case WaitEventTypeColumn:
        return tr("Wait type");
    case WaitEventColumn:
        return tr("Wait event");
    case BackendStartColumn:
        return tr("Backend start");
    case TransactionAgeColumn:
        return tr("Transaction age");
    case QueryAgeColumn:
        return tr("Query age");
    case StateAgeColumn:
        return tr("In state");
    case BackendXminColumn:
        return tr("xmin");
    case QueryColumn:
        return tr("Query");
    case ColumnCount:
        break;
    }
    return {};
}

#include "moc_dbasessionmodel.cpp"
