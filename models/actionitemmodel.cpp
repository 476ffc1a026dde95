// SPDX-License-Identifier: MIT
#include "models/actionitemmodel.h"

#include <QDate>

using namespace Qt::StringLiterals;

ActionItemModel::ActionItemModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ActionItemModel::setItems(const QList<ActionItem>& items)
{
    beginResetModel();
    m_items = items;
    endResetModel();
}

int ActionItemModel::addItem(const ActionItem& item)
{
    const int row = int(m_items.size());
    beginInsertRows({}, row, row);
    m_items.append(item);
    endInsertRows();
    Q_EMIT itemsEdited();
    return row;
}

void ActionItemModel::removeItem(int row)
{
    if (row < 0 || row >= m_items.size())
        return;
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
    Q_EMIT itemsEdited();
}

int ActionItemModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_items.size()); }

int ActionItemModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ActionItemModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const ActionItem& item = m_items.at(index.row());
    if (index.column() == Done)
        return role == Qt::CheckStateRole ? QVariant(item.done ? Qt::Checked : Qt::Unchecked) : QVariant();
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Text:
        return item.text;
    case Owner:
        return item.owner;
    case Due:
        if (role == Qt::EditRole) // a date editor starts at today, not at QDate's 2000-01-01
            return item.due.isValid() ? item.due : QDate::currentDate();
        return item.due.toString(Qt::ISODate);
    default:
        return {};
    }
}

bool ActionItemModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    ActionItem& item = m_items[index.row()];
    if (index.column() == Done && role == Qt::CheckStateRole)
        item.done = value.toInt() == Qt::Checked;
    else if (role != Qt::EditRole)
        return false;
    else if (index.column() == Text)
        item.text = value.toString().simplified();
    else if (index.column() == Owner)
        item.owner = value.toString().simplified().remove(u'@');
    else if (index.column() == Due)
        item.due = value.typeId() == QMetaType::QDate ? value.toDate()
                                                      : QDate::fromString(value.toString().trimmed(), Qt::ISODate);
    else
        return false;
    Q_EMIT dataChanged(index, index);
    Q_EMIT itemsEdited();
    return true;
}

Qt::ItemFlags ActionItemModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    const Qt::ItemFlags base = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    return index.column() == Done ? base | Qt::ItemIsUserCheckable : base | Qt::ItemIsEditable;
}

QVariant ActionItemModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Done:
        return tr("Done");
    case Text:
        return tr("Action");
    case Owner:
        return tr("Owner");
    case Due:
        return tr("Due date");
    default:
        return {};
    }
}

#include "moc_actionitemmodel.cpp"
