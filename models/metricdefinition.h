// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

// One metric on the dashboards, as metrics.yaml configures it for an environment: the seed's name and group, the
// unit shown, and where its value comes from. A plain value.
struct MetricDefinition {
    enum class Source { None, Postgres, Redis, CloudWatch, Prometheus };

    QString name; // "error_rate" (the seed's name; alert rules refer to it)
    QString group; // "application", "database", "infrastructure", "business"
    QString label; // for people; the name when empty
    QString unit; // "%", "ms", "req/s", "count/hour"
    Source source = Source::None;
    // Postgres: a built-in ("pool_usage", "pool_available", "query_latency", "slow_queries", "deadlocks") or
    // "sql" with query = a statement returning one number. Redis: "ping_ms", "used_memory_mb",
    // "rate_limit_keys", "rate_limit_violations". CloudWatch: namespace/metric/dimensions/stat. Prometheus: a
    // PromQL expression in query.
    QString kind;
    QString query;
    QString cwNamespace; // "PetForce/API"
    QString cwMetric; // "ErrorRate"
    QStringList cwDimensions; // {"Service=petforce-api"}
    QString cwStat = QStringLiteral("Average");
    double scale = 1; // value = raw * scale
    bool perSecond = false; // CloudWatch: divide by the period (a Sum of counts → a rate)
    QStringList aliases; // other names alert rules use for this metric ("memory_usage")
    bool onDashboard = true; // false for metrics only an alert watches (db_pool_available)

    QString displayLabel() const { return label.isEmpty() ? name : label; }
    static QString sourceName(Source source);
    static Source sourceFromName(const QString& name);
};
