// SPDX-License-Identifier: MIT
#include "models/environmentlistmodel.h"

#include <QColor>
#include <QFont>

using namespace Qt::StringLiterals;

EnvironmentListModel::EnvironmentListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

void EnvironmentListModel::setProfiles(const QList<EnvironmentProfile>& profiles)
{
    beginResetModel();
    m_profiles = profiles;
    if (rowOf(m_active) < 0)
        m_active.clear();
    endResetModel();
}

bool EnvironmentListModel::setActive(const QString& name)
{
    const int row = rowOf(name);
    if (row < 0)
        return false;
    if (name == m_active)
        return true;
    const int oldRow = rowOf(m_active);
    m_active = name;
    if (oldRow >= 0)
        Q_EMIT dataChanged(index(oldRow), index(oldRow));
    Q_EMIT dataChanged(index(row), index(row));
    Q_EMIT activeChanged(name);
    return true;
}

int EnvironmentListModel::rowOf(const QString& name) const
{
    if (name.isEmpty())
        return -1;
    for (int i = 0; i < m_profiles.size(); ++i) {
        if (m_profiles.at(i).name() == name)
            return i;
    }
    return -1;
}

int EnvironmentListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_profiles.size());
}

QVariant EnvironmentListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EnvironmentProfile& p = m_profiles.at(index.row());
    using F = EnvironmentProfile::Field;
    switch (role) {
    case Qt::DisplayRole:
        return p.isProduction() ? p.label() + u" \u2014 PRODUCTION"_s : p.label();
    case Qt::ToolTipRole: {
        QStringList parts;
        parts << u"AWS profile: "_s + (p.value(F::AwsProfile).isEmpty() ? u"(default)"_s : p.value(F::AwsProfile));
        parts << u"Region: "_s + p.value(F::Region);
        if (!p.value(F::EndpointUrl).isEmpty())
            parts << u"Endpoint: "_s + p.value(F::EndpointUrl);
        if (!p.awsOff().isEmpty())
            parts << u"AWS: off, "_s + p.awsOff();
        parts << u"Cluster: "_s + p.value(F::Cluster);
        return parts.join(u'\n');
    }
    case Qt::ForegroundRole:
        return p.isProduction() ? QVariant(QColor(0xb0, 0x00, 0x20)) : QVariant();
    case Qt::FontRole: {
        if (!p.isProduction() && p.name() != m_active)
            return {};
        QFont font;
        font.setBold(true);
        return font;
    }
    case NameRole:
        return p.name();
    case LabelRole:
        return p.label();
    case IsProductionRole:
        return p.isProduction();
    case IsActiveRole:
        return p.name() == m_active;
    case RegionRole:
        return p.value(F::Region);
    case AwsProfileRole:
        return p.value(F::AwsProfile);
    case EndpointRole:
        return p.value(F::EndpointUrl);
    case ProfileRole:
        return QVariant::fromValue(p);
    default:
        return {};
    }
}

QHash<int, QByteArray> EnvironmentListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NameRole, "name");
    names.insert(LabelRole, "label");
    names.insert(IsProductionRole, "isProduction");
    names.insert(IsActiveRole, "isActive");
    names.insert(RegionRole, "region");
    names.insert(AwsProfileRole, "awsProfile");
    names.insert(EndpointRole, "endpoint");
    names.insert(ProfileRole, "profile");
    return names;
}

#include "moc_environmentlistmodel.cpp"
