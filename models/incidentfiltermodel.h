// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

// Open / resolved / all filter and natural sorting over IncidentListModel. Lives on the GUI thread.
class IncidentFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class Show { Open, Resolved, All };

    explicit IncidentFilterModel(QObject* parent = nullptr);
    void setShow(Show show);
    Show show() const { return m_show; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Show m_show = Show::Open;
};
