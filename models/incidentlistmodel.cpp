// SPDX-License-Identifier: MIT
#include "models/incidentlistmodel.h"

#include "models/responseflow.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

IncidentListModel::IncidentListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void IncidentListModel::setIncidents(const QList<Incident>& incidents)
{
    beginResetModel();
    m_incidents = incidents;
    endResetModel();
}

void IncidentListModel::upsert(const Incident& incident)
{
    const int row = rowOf(incident.id);
    if (row >= 0) {
        if (m_incidents.at(row).lastSeq > incident.lastSeq)
            return; // an older picture of the incident than the one shown
        m_incidents[row] = incident;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int at = int(m_incidents.size());
    beginInsertRows({}, at, at);
    m_incidents.append(incident);
    endInsertRows();
}

std::optional<Incident> IncidentListModel::incident(qint64 id) const
{
    const int row = rowOf(id);
    if (row < 0)
        return std::nullopt;
    return m_incidents.at(row);
}

int IncidentListModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_incidents.size(); ++i) {
        if (m_incidents.at(i).id == id)
            return i;
    }
    return -1;
}

int IncidentListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_incidents.size());
}

int IncidentListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant IncidentListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Incident& i = m_incidents.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return severityCode(i.severity);
        case TitleColumn:
            return i.title;
        case StatusColumn:
            return incidentStatusName(i.status);
        case StepColumn:
            return i.isOpen() ? ResponseFlow::defaults().step(i.flowStep).name : QString();
        case EnvironmentColumn:
            return i.environment;
        case StartedColumn:
            return QDateTime::fromMSecsSinceEpoch(i.startedMs).toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == SeverityColumn)
            return SeverityTable::defaults().level(i.severity).label();
        if (index.column() == StartedColumn)
            return QDateTime::fromMSecsSinceEpoch(i.startedMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
        return {};
    case SortRole:
        switch (index.column()) {
        case SeverityColumn:
            return int(i.severity);
        case StatusColumn:
            return int(i.status);
        case StepColumn:
            return i.flowStep;
        case StartedColumn:
            return i.startedMs;
        default:
            return data(index, Qt::DisplayRole);
        }
    case IncidentRole:
        return QVariant::fromValue(i);
    case IdRole:
        return i.id;
    case SeverityRole:
        return int(i.severity);
    case IsOpenRole:
        return i.isOpen();
    }
    return {};
}

QVariant IncidentListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeverityColumn:
        return tr("Sev");
    case TitleColumn:
        return tr("Title");
    case StatusColumn:
        return tr("Status");
    case StepColumn:
        return tr("Step");
    case EnvironmentColumn:
        return tr("Environment");
    case StartedColumn:
        return tr("Started");
    }
    return {};
}
