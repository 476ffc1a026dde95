// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

// pg_stat_database counters of the current database, as rates between two refreshes, with table sizes, index
// usage and INVALID indexes. A plain value; no thread affinity.
struct DbaHealth {
    struct Table {
        QString schema;
        QString name;
        qint64 bytes = 0;
        QString pretty; // pg_size_pretty
    };
    struct Index {
        QString schema;
        QString table;
        QString name;
        qint64 scans = 0;
        bool valid = true;
    };
    // Totals since the statistics were last reset.
    qint64 commits = 0;
    qint64 rollbacks = 0;
    qint64 deadlocks = 0;
    qint64 tempFiles = 0;
    qint64 tempBytes = 0;
    double sampledAt = 0; // server clock, seconds
    // Per second since the previous refresh (-1: no previous sample yet)
    double commitsPerS = -1;
    double rollbacksPerS = -1;
    double deadlocksPerS = -1;
    double tempFilesPerS = -1;
    double tempBytesPerS = -1;

    QList<Table> tables; // public schema, largest first (the seed's query)
    QList<Index> indexes; // idx_scan ascending (the seed's query): unused indexes first
    QList<Index> invalidIndexes; // left by a cancelled CREATE INDEX CONCURRENTLY
    bool householdMembersExists = false; // the seed's "Add missing index" applies
    bool householdMembersIndexExists = false; // idx_household_members_household_id

    // Fills the rates from a previous sample of the same database (a counter that went down: no rate).
    void computeRates(const DbaHealth& previous);
};
