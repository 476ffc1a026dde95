// SPDX-License-Identifier: MIT
#include "models/slowquerymodel.h"

#include <QBrush>
#include <QColor>

using namespace Qt::StringLiterals;

SlowQueryModel::SlowQueryModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SlowQueryModel::setStatements(const QList<SlowQueryStat>& stats)
{
    QHash<QString, QPair<qint64, double>> next;
    m_all = stats;
    for (SlowQueryStat& s : m_all) {
        const auto it = m_previous.constFind(s.key);
        if (it != m_previous.constEnd() && s.calls >= it->first) {
            s.deltaCalls = s.calls - it->first;
            s.deltaTotalMs = s.totalMs - it->second;
        }
        next.insert(s.key, qMakePair(s.calls, s.totalMs));
    }
    m_previous = next;
    m_stale = false;
    rebuild();
}

void SlowQueryModel::setMinimumMeanMs(double ms)
{
    m_minMean = ms;
    rebuild();
}

void SlowQueryModel::rebuild()
{
    beginResetModel();
    m_shown.clear();
    for (const SlowQueryStat& s : std::as_const(m_all))
        if (s.meanMs >= m_minMean)
            m_shown.append(s);
    endResetModel();
}

void SlowQueryModel::setStale(bool stale)
{
    if (m_stale == stale)
        return;
    m_stale = stale;
    if (!m_shown.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_shown.size()) - 1, ColumnCount - 1), { Qt::ForegroundRole });
}

int SlowQueryModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_shown.size()); }
int SlowQueryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SlowQueryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_shown.size())
        return {};
    const SlowQueryStat& s = m_shown.at(index.row());
    const auto ms = [](double v) { return v < 0 ? QString() : QString::number(v, 'f', v < 10 ? 2 : 1); };
    switch (role) {
    case QueryRole:
        return s.query;
    case MeanRole:
        return s.meanMs;
    case Qt::ForegroundRole:
        return m_stale ? QVariant(QBrush(QColor(0x90, 0x90, 0x90))) : QVariant();
    case Qt::ToolTipRole:
        return s.query.left(2000);
    case SortRole:
        switch (index.column()) {
        case MeanColumn:
            return s.meanMs;
        case CallsColumn:
            return s.calls;
        case TotalColumn:
            return s.totalMs;
        case DeltaCallsColumn:
            return s.deltaCalls;
        case DeltaMeanColumn:
            return s.deltaMeanMs();
        case RowsColumn:
            return s.rows;
        default:
            return s.query;
        }
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case MeanColumn:
            return ms(s.meanMs);
        case CallsColumn:
            return s.calls;
        case TotalColumn:
            return ms(s.totalMs);
        case DeltaCallsColumn:
            return s.deltaCalls < 0 ? QVariant() : QVariant(s.deltaCalls);
        case DeltaMeanColumn:
            return ms(s.deltaMeanMs());
        case RowsColumn:
            return s.rows;
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

QVariant SlowQueryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList names { tr("Mean ms"), tr("Calls"), tr("Total ms"), tr("Δ calls"), tr("Δ mean ms"),
        tr("Rows"), tr("Query") };
    return section >= 0 && section < names.size() ? names.at(section) : QVariant();
}

#include "moc_slowquerymodel.cpp"
