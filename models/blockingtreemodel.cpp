// SPDX-License-Identifier: MIT
#include "models/blockingtreemodel.h"

#include "models/dbasessionmodel.h"

#include <QFont>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

BlockingTreeModel::BlockingTreeModel(QObject* parent)
    : QStandardItemModel(parent)
{
    setHorizontalHeaderLabels(
        { tr("PID"), tr("State"), tr("Application"), tr("Waiting on"), tr("Query age"), tr("Blocks"), tr("Query") });
}

QList<QStandardItem*> BlockingTreeModel::makeRow(const DbaSession& s, int direct, bool root) const
{
    const int behind = waitingBehind(s.pid);
    const QString blocks = behind == 0 ? QString()
        : behind == direct             ? QString::number(behind)
                                       : tr("%1 (%2 directly)").arg(behind).arg(direct);
    QList<QStandardItem*> row;
    row << new QStandardItem(QString::number(s.pid));
    row << new QStandardItem(s.state);
    row << new QStandardItem(s.application);
    row << new QStandardItem(s.waitEventType.isEmpty() ? QString() : s.waitEventType + u": "_s + s.waitEvent);
    row << new QStandardItem(DbaSessionModel::formatAge(s.queryAgeS));
    row << new QStandardItem(blocks);
    row << new QStandardItem(s.query.simplified().left(200));
    for (QStandardItem* item : row) {
        item->setEditable(false);
        item->setData(s.pid, PidRole);
        item->setData(s.backendStartText, BackendStartRole);
        item->setData(root, RootRole);
        item->setToolTip(s.query.left(2000));
    }
    if (root) {
        QFont f;
        f.setBold(true);
        row.first()->setFont(f);
        row.first()->setText(u"%1 (root blocker)"_s.arg(s.pid));
    }
    return row;
}

void BlockingTreeModel::setSessions(const QList<DbaSession>& sessions)
{
    QHash<int, const DbaSession*> byPid;
    QHash<int, QList<int>> blocks; // blocker → the sessions it blocks
    QSet<int> waiting;
    for (const DbaSession& s : sessions) {
        if (s.blockedBy.isEmpty())
            continue;
        waiting.insert(s.pid);
        for (int blocker : s.blockedBy)
            blocks[blocker].append(s.pid);
    }
    // Only the sessions in the tree matter: waiting ones and their blockers.
    QList<DbaSession> involved;
    for (const DbaSession& s : sessions)
        if (!s.blockedBy.isEmpty() || blocks.contains(s.pid)) {
            byPid.insert(s.pid, &s);
            involved.append(s);
        }
    m_waiting = int(waiting.size());
    // Everyone behind each blocker, through the waiters in between (each counted once, cycles included).
    m_behind.clear();
    for (auto it = blocks.cbegin(); it != blocks.cend(); ++it) {
        QSet<int> seen;
        QList<int> next = it.value();
        while (!next.isEmpty()) {
            const int pid = next.takeLast();
            if (pid == it.key() || seen.contains(pid))
                continue;
            seen.insert(pid);
            next += blocks.value(pid);
        }
        m_behind.insert(it.key(), seen.size());
    }
    m_indirect = 0;
    for (const DbaSession& s : sessions)
        if (!s.blockedBy.isEmpty()
            && std::all_of(s.blockedBy.cbegin(), s.blockedBy.cend(), [&](int b) { return waiting.contains(b); }))
            ++m_indirect;

    // The same tree as last time (the usual case): only the ages move on; update them in place.
    const bool sameTree = involved.size() == m_involved.size()
        && std::equal(involved.cbegin(), involved.cend(), m_involved.cbegin(),
            [](const DbaSession& a, const DbaSession& b) { return a.sameExceptAges(b); });
    if (sameTree && involved.isEmpty() == (rowCount() == 0)) {
        std::function<void(QStandardItem*)> updateAges = [&](QStandardItem* parent) {
            for (int r = 0; r < parent->rowCount(); ++r) {
                QStandardItem* ageItem = parent->child(r, AgeColumn);
                if (const DbaSession* s = byPid.value(ageItem->data(PidRole).toInt())) {
                    const QString age = DbaSessionModel::formatAge(s->queryAgeS);
                    if (ageItem->text() != age)
                        ageItem->setText(age);
                }
                updateAges(parent->child(r, 0));
            }
        };
        updateAges(invisibleRootItem());
        m_involved = involved;
        return;
    }
    m_involved = involved;
    removeRows(0, rowCount());

    // Roots: blockers that are not waiting themselves.
    QList<int> roots;
    for (auto it = blocks.cbegin(); it != blocks.cend(); ++it)
        if (!waiting.contains(it.key()))
            roots.append(it.key());
    std::sort(roots.begin(), roots.end());

    QSet<int> placed;
    std::function<void(QStandardItem*, int, QSet<int>&)> addChildren
        = [&](QStandardItem* parent, int pid, QSet<int>& path) {
              QList<int> children = blocks.value(pid);
              std::sort(children.begin(), children.end());
              for (int child : children) {
                  if (path.contains(child))
                      continue; // a cycle (deadlock about to be detected)
                  const DbaSession* s = byPid.value(child);
                  if (!s)
                      continue;
                  placed.insert(child);
                  QList<QStandardItem*> row = makeRow(*s, int(blocks.value(child).size()), false);
                  parent->appendRow(row);
                  path.insert(child);
                  addChildren(row.first(), child, path);
                  path.remove(child);
              }
          };
    const auto addRoot = [&](int pid) {
        DbaSession unknown;
        unknown.pid = pid;
        unknown.query = tr("(not visible in pg_stat_activity)");
        const DbaSession* s = byPid.value(pid, &unknown);
        QList<QStandardItem*> row = makeRow(*s, int(blocks.value(pid).size()), true);
        appendRow(row);
        placed.insert(pid);
        QSet<int> path { pid };
        addChildren(row.first(), pid, path);
    };
    for (int pid : std::as_const(roots))
        addRoot(pid);
    // Waiting sessions not reached from a root are in a cycle: show the cycle from its lowest pid.
    QList<int> rest(waiting.cbegin(), waiting.cend());
    std::sort(rest.begin(), rest.end());
    for (int pid : std::as_const(rest))
        if (!placed.contains(pid) && blocks.contains(pid))
            addRoot(pid);
}

QList<int> BlockingTreeModel::rootPids() const
{
    QList<int> out;
    for (int r = 0; r < rowCount(); ++r)
        out.append(item(r, 0)->data(PidRole).toInt());
    return out;
}

#include "moc_blockingtreemodel.cpp"
