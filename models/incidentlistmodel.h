// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"

#include <QAbstractTableModel>
#include <QList>

// All incidents the store holds, one row each. Rows are inserted or updated in place as incidents change, so
// views keep their selection. Pure logic: no I/O. Lives on the GUI thread.
class IncidentListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        SeverityColumn,
        TitleColumn,
        StatusColumn,
        StepColumn,
        EnvironmentColumn,
        StartedColumn,
        ColumnCount
    };
    enum Role {
        IncidentRole = Qt::UserRole + 1,
        IdRole,
        SeverityRole, // int, for sorting and colouring
        IsOpenRole, // bool, for the open / resolved filter
        SortRole, // a value that sorts the column naturally
    };

    explicit IncidentListModel(QObject* parent = nullptr);

    void setIncidents(const QList<Incident>& incidents); // full reload
    void upsert(const Incident& incident); // one incident changed or appeared
    std::optional<Incident> incident(qint64 id) const;
    int rowOf(qint64 id) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Incident> m_incidents;
};
