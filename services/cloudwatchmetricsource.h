// SPDX-License-Identifier: MIT
#pragma once

#include "services/awsclioptions.h"
#include "services/metricsource.h"

#include <QTemporaryDir>

class CommandRunner;

// CloudWatch metrics through the operator's `aws` CLI, run by CommandRunner: ONE `aws cloudwatch get-metric-data`
// per refresh with a query per metric (namespace, name, dimensions and statistic from metrics.yaml), taking the
// newest datapoint of each. Its output goes to one pair of files in a private temporary folder, overwritten each
// refresh (not the runs folder: these are not operator commands). GUI thread.
class CloudWatchMetricSource : public MetricSource {
    Q_OBJECT
public:
    explicit CloudWatchMetricSource(const AwsCliOptions& options, int periodS, QObject* parent = nullptr);
    ~CloudWatchMetricSource() override;
    QString name() const override { return QStringLiteral("cloudwatch"); }
    bool refresh() override;
    bool isBusy() const override;
    // The --metric-data-queries JSON for the configured metrics (ids m0, m1, ... in metrics() order).
    QByteArray queriesJson() const;
    // Parses get-metric-data's JSON output into values by metric name (newest datapoint per query).
    QHash<QString, double> parseOutput(const QByteArray& json, qint64* newestMs = nullptr) const;

private:
    AwsCliOptions m_options;
    int m_periodS;
    CommandRunner* m_runner;
    QTemporaryDir m_dir;
};
