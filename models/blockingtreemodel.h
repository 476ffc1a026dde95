// SPDX-License-Identifier: MIT
#pragma once

#include "models/dbasession.h"

#include <QStandardItemModel>

// Sessions that wait on locks, each under the session that blocks it (pg_blocking_pids), to any depth. The
// top-level rows are the root blockers: sessions that block others and wait on no one (or, in a cycle, the
// cycle's lowest pid). A session blocked by several appears under each. Rebuilt when the sessions in the tree
// changed; otherwise only the ages are updated in place. GUI thread.
class BlockingTreeModel : public QStandardItemModel {
    Q_OBJECT
public:
    enum Column {
        PidColumn,
        StateColumn,
        ApplicationColumn,
        WaitColumn,
        AgeColumn,
        BlockedCountColumn,
        QueryColumn,
        ColumnCount
    };
    enum Role { PidRole = Qt::UserRole + 1, BackendStartRole, RootRole };

    explicit BlockingTreeModel(QObject* parent = nullptr);

    void setSessions(const QList<DbaSession>& sessions);
    int rootCount() const { return rowCount(); }
    // pids of the top-level (root) blockers, in row order
    QList<int> rootPids() const;
    int waitingCount() const { return m_waiting; }

private:
    QList<QStandardItem*> makeRow(const DbaSession& s, int blockedCount, bool root) const;
    int m_waiting = 0;
    QList<DbaSession> m_involved; // the sessions the tree was built from (waiting ones and their blockers)
};
