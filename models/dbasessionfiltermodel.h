// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

// Filters and sorts a DbaSessionModel: by state (idle shown or hidden, idle in transaction apart), application,
// minimum age (of the query for non-idle sessions, of the state for idle ones) and free text. The seed's presets
// set these together. GUI thread.
class DbaSessionFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class StateFilter {
        All, // every session
        HideIdle, // everything but plain "idle"
        Active, // "active" only
        IdleInTransaction, // "idle in transaction" (and "(aborted)")
        Idle, // "idle" only
    };
    Q_ENUM(StateFilter)

    explicit DbaSessionFilterModel(QObject* parent = nullptr);

    void setStateFilter(StateFilter filter);
    StateFilter stateFilter() const { return m_state; }
    void setApplication(const QString& application); // empty: all
    void setMinimumAgeS(double seconds); // 0: no minimum
    double minimumAgeS() const { return m_minAge; }
    void setText(const QString& text); // in user, application, client, query, pid

    // The seed's "long-running (> 5 min)": not idle, query older than 5 minutes.
    void applyLongRunningPreset(double seconds = 300);
    // The seed's "idle (> 10 min)": idle, in that state for longer than seconds.
    void applyIdlePreset(double seconds = 600);
    void clearFilters();

    // "10 seconds", "10 minutes", "1 hour", "00:10:00" (PETFORCE_IDLE_THRESHOLD) → seconds; -1 if not understood.
    static double parseInterval(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    StateFilter m_state = StateFilter::All;
    QString m_application;
    double m_minAge = 0;
    QString m_text;
};
