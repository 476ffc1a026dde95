// SPDX-License-Identifier: MIT
#pragma once

#include "models/postmortemrecord.h"

#include <QAbstractTableModel>

// The post-mortem's action items as an editable table (text, owner, due date, done). GUI thread; owns its items.
class ActionItemModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Done, Text, Owner, Due, ColumnCount };

    explicit ActionItemModel(QObject* parent = nullptr);

    void setItems(const QList<ActionItem>& items); // a full reload
    QList<ActionItem> items() const { return m_items; }
    int addItem(const ActionItem& item = {}); // → the new row
    void removeItem(int row);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void itemsEdited(); // any change by the user: the Markdown's Action Items section follows

private:
    QList<ActionItem> m_items;
};
