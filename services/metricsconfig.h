// SPDX-License-Identifier: MIT
#pragma once

#include "models/alertrule.h"
#include "models/metricdefinition.h"
#include "models/runbook.h"
#include "models/runbookdiagnostic.h"

#include <QList>
#include <QString>

// One of the team's dashboards, opened in the browser.
struct DashboardLink {
    QString name; // "Datadog APM"
    QString url;
};

// What the dashboards show for one environment, read from metrics.yaml (resources/config/metrics.yaml documents
// the format; the user's copy in <AppConfigLocation>/metrics.yaml replaces it). Where the servers are comes from
// the environment profile, not from here. A plain value; loading reads a file and is quick (GUI thread is fine).
struct MetricsConfig {
    int refreshMs = 15000;
    int historyHours = 24;
    qint64 alertForMs = 60000;
    qint64 alertClearMs = 60000; // a firing rule resolves once clear this long (alert_clear_seconds)
    qint64 sourceDownForMs = 30000; // a source failing this long is an alert of its own (source_down_seconds)
    int cloudWatchPeriodS = 60;
    int cloudWatchRefreshMs = 0; // CloudWatch is read this often (each read runs the aws CLI); 0: refreshMs
    QString prometheusUrl;
    QString rateLimitPattern = QStringLiteral("rate_limit:*");
    int rateLimitMax = 100;
    QList<DashboardLink> dashboards;
    QList<MetricDefinition> metrics; // in file order
    QList<AlertRule> extraRules; // from `alerts:`
    QList<RunbookDiagnostic> diagnostics;

    static QString userConfigPath(); // <AppConfigLocation>/metrics.yaml
    static QString shippedConfigPath(); // :/config/metrics.yaml
    // Reads the user's file when it exists, else the shipped one, for environment.
    static MetricsConfig load(const QString& environment);
    static MetricsConfig fromYaml(const QByteArray& yaml, const QString& environment, const QString& source = {});

    const MetricDefinition* metric(const QString& nameOrAlias) const;
    int samplesPerSeries() const; // history_hours / refresh
    // The rules to watch: the runbooks' alerts (severity and runbook from the runbook; "for" and "clear" from
    // alert_for_seconds and alert_clear_seconds) and the extra rules, each once (a config rule with the same
    // expression replaces the runbook's). Source-down rules are the service's (MetricsService::sourceDownRule).
    QList<AlertRule> rules(const QList<Runbook>& runbooks) const;
};
