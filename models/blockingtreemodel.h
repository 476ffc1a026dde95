// SPDX-License-Identifier: MIT
#pragma once

#include "models/dbasession.h"

#include <QHash>
#include <QStandardItemModel>

// Sessions that wait on locks, each under the session that blocks it (pg_blocking_pids), to any depth. The
// top-level rows are the root blockers: sessions that block others and wait on no one (or, in a cycle, the
// cycle's lowest pid). A session blocked by several appears under each. Rebuilt when the sessions in the tree
// changed; otherwise only the ages are updated in place. The Blocks column counts every session waiting behind a
// row, directly or behind another waiter ("3 (1 directly)"). GUI thread.
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
    // Every session that waits on a lock, and those of them that wait only behind other waiters.
    int waitingCount() const { return m_waiting; }
    int indirectWaitingCount() const { return m_indirect; }
    // The sessions waiting behind pid, directly or not (each once).
    int waitingBehind(int pid) const { return int(m_behind.value(pid)); }

private:
    QList<QStandardItem*> makeRow(const DbaSession& s, int direct, bool root) const;
    int m_waiting = 0;
    int m_indirect = 0;
    QHash<int, qsizetype> m_behind;
    QList<DbaSession> m_involved; // the sessions the tree was built from (waiting ones and their blockers)
};
