// SPDX-License-Identifier: MIT
#include "models/incidentfiltermodel.h"

#include "models/incidentlistmodel.h"

IncidentFilterModel::IncidentFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(IncidentListModel::SortRole);
    setDynamicSortFilter(true);
}

void IncidentFilterModel::setShow(Show show)
{
    if (show == m_show)
        return;
    m_show = show;
    invalidateFilter();
}

bool IncidentFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_show == Show::All)
        return true;
    const bool open = sourceModel()->index(sourceRow, 0, sourceParent).data(IncidentListModel::IsOpenRole).toBool();
    return m_show == Show::Open ? open : !open;
}
