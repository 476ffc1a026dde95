// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractTableModel>
#include <QHash>

// One pg_stat_statements entry. A plain value.
struct SlowQueryStat {
    QString key; // userid/dbid/queryid
    QString query; // normalised text ($1 for constants)
    qint64 calls = 0;
    double totalMs = 0;
    double meanMs = 0;
    qint64 rows = 0;
    // Since the previous refresh (-1: first sighting)
    qint64 deltaCalls = -1;
    double deltaTotalMs = -1;
    double deltaMeanMs() const { return deltaCalls > 0 ? deltaTotalMs / double(deltaCalls) : -1; }
};

// The top statements of pg_stat_statements with per-refresh deltas besides the totals; the seed's "> 100 ms"
// filter on the mean. Reset per refresh (a short top-N list). GUI thread.
class SlowQueryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        MeanColumn,
        CallsColumn,
        TotalColumn,
        DeltaCallsColumn,
        DeltaMeanColumn,
        RowsColumn,
        QueryColumn,
        ColumnCount
    };
    enum Role { QueryRole = Qt::UserRole + 1, MeanRole, SortRole };

    explicit SlowQueryModel(QObject* parent = nullptr);

    // Computes deltas against the previous call's totals (a shrinking counter = a reset: no delta).
    void setStatements(const QList<SlowQueryStat>& stats);
    void setMinimumMeanMs(double ms); // the seed's 100 ms; 0 shows all
    double minimumMeanMs() const { return m_minMean; }
    const QList<SlowQueryStat>& statements() const { return m_shown; }
    void setStale(bool stale);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    QList<SlowQueryStat> m_all;
    QList<SlowQueryStat> m_shown;
    QHash<QString, QPair<qint64, double>> m_previous;
    double m_minMean = 0;
    bool m_stale = false;
};
