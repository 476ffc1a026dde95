// SPDX-License-Identifier: MIT
#pragma once

#include "models/dbasession.h"

#include <QAbstractTableModel>
#include <QHash>

// The sessions of one database server (pg_stat_activity) as a table. A refresh updates rows in place, keyed by
// pid + backend_start: changed rows emit dataChanged (in contiguous blocks; ages that merely moved on, once for the
// age columns of all rows), ended sessions are removed and new ones appended, so that views keep their selection
// and scroll position. Stale data (the connection is lost) is greyed. GUI thread.
class DbaSessionModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        PidColumn,
        UserColumn,
        DatabaseColumn,
        ApplicationColumn,
        ClientColumn,
        StateColumn,
        WaitEventTypeColumn,
        WaitEventColumn,
        BackendStartColumn,
        TransactionAgeColumn,
        QueryAgeColumn,
        StateAgeColumn,
        BackendXminColumn,
        QueryColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        PidRole = Qt::UserRole + 1,
        BackendStartRole, // the server's text, for pid + backend_start identification
        KeyRole,
        StateRole,
        ApplicationRole,
        StateAgeRole, // seconds (double), -1 none
        QueryAgeRole,
        QueryRole, // whole query text
        OwnRole, // bool: this console's own connection
        ClientBackendRole, // bool
        SortRole, // numbers for the age columns, text otherwise
    };

    explicit DbaSessionModel(QObject* parent = nullptr);

    void setSessions(const QList<DbaSession>& sessions);
    const QList<DbaSession>& sessions() const { return m_rows; }
    const DbaSession* session(int row) const;
    int rowOf(const QString& key) const;

    // Greys every row (the last data after the connection was lost).
    void setStale(bool stale);
    bool isStale() const { return m_stale; }

    static QString formatAge(double seconds); // "4 s", "12 min 3 s", "2 h 5 min"

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void reindex();

    QList<DbaSession> m_rows;
    QHash<int, int> m_index; // pid → row (a pid is unique among the sessions of one refresh)
    bool m_stale = false;
};
