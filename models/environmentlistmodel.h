// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"

#include <QAbstractListModel>
#include <QList>

// The environment profiles as a list for the environment switcher: one row per profile, the active one marked.
// Lives on the GUI thread.
class EnvironmentListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        NameRole = Qt::UserRole + 1, // QString "production"
        LabelRole, // QString "Production"
        IsProductionRole, // bool
        IsActiveRole, // bool
        RegionRole, // QString
        AwsProfileRole, // QString
        EndpointRole, // QString, empty when the real AWS endpoint is used
        ProfileRole, // EnvironmentProfile
    };

    explicit EnvironmentListModel(QObject* parent = nullptr);

    // Replaces the list (a full reset). The active profile is kept when a profile of that name remains.
    void setProfiles(const QList<EnvironmentProfile>& profiles);
    const QList<EnvironmentProfile>& profiles() const { return m_profiles; }

    // Marks the profile named name active; false (and nothing changes) when there is none.
    bool setActive(const QString& name);
    QString activeName() const { return m_active; }
    int activeRow() const { return rowOf(m_active); }
    int rowOf(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void activeChanged(const QString& name);

private:
    QList<EnvironmentProfile> m_profiles;
    QString m_active;
};
