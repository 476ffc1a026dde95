// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

// Shows the timeline's events of one kind, or all. Keeps the timeline's sequence order (never sorts) and passes
// lazy loading through to the TimelineModel. Lives on the GUI thread.
class TimelineFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TimelineFilterModel(QObject* parent = nullptr);
    void setKind(const QString& kind); // empty: all kinds
    QString kind() const { return m_kind; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_kind;
};
