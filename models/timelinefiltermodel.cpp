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

void TimelineFilterModel::setSearchText(const QString& text)
{
    if (text == m_search)
        return;
    m_search = text;
    m_words = text.simplified().split(u' ', Qt::SkipEmptyParts);
    invalidateFilter();
}

bool TimelineFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_kind.isEmpty() && index.data(TimelineModel::KindRole).toString() != m_kind)
        return false;
    if (m_words.isEmpty())
        return true;
    return TimelineModel::matches(index.data(TimelineModel::EventRole).value<TimelineEvent>(), m_words);
}
