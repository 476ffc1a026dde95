// SPDX-License-Identifier: MIT
#include "models/timelinefiltermodel.h"

#include "models/timelinemodel.h"

TimelineFilterModel::TimelineFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
}

void TimelineFilterModel::setKind(const QString& kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateFilter();
}

bool TimelineFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_kind.isEmpty())
        return true;
    return sourceModel()->index(sourceRow, 0, sourceParent).data(TimelineModel::KindRole).toString() == m_kind;
}
