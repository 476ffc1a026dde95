// SPDX-License-Identifier: MIT
#include "services/metricsconfig.h"

#include <QFile>
#include <QStandardPaths>

#include <yaml-cpp/yaml.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
QString str(const YAML::Node& node)
{
    return node && node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
}

void readSettings(const YAML::Node& root, MetricsConfig& config)
{
    auto number = [](const YAML::Node& n, double fallback) {
        bool ok = false;
        const double v = str(n).toDouble(&ok);
        return ok ? v : fallback;
    };
    config.refreshMs = int(number(root["refresh_seconds"], config.refreshMs / 1000.0) * 1000);
    config.historyHours = int(number(root["history_hours"], config.historyHours));
    config.alertForMs = qint64(number(root["alert_for_seconds"], config.alertForMs / 1000.0) * 1000);
    config.alertClearMs = qint64(number(root["alert_clear_seconds"], config.alertClearMs / 1000.0) * 1000);
    config.sourceDownForMs = qint64(number(root["source_down_seconds"], config.sourceDownForMs / 1000.0) * 1000);
    config.cloudWatchPeriodS = int(number(root["cloudwatch_period_seconds"], config.cloudWatchPeriodS));
    config.cloudWatchRefreshMs
        = int(number(root["cloudwatch_refresh_seconds"], config.cloudWatchRefreshMs / 1000.0) * 1000);
    if (root["prometheus_url"])
        config.prometheusUrl = str(root["prometheus_url"]);
    if (const YAML::Node redis = root["redis"]; redis && redis.IsMap()) {
        if (redis["rate_limit_pattern"])
            config.rateLimitPattern = str(redis["rate_limit_pattern"]);
        config.rateLimitMax = int(number(redis["rate_limit_max"], config.rateLimitMax));
    }
    if (const YAML::Node list = root["dashboards"]; list && list.IsSequence()) {
        config.dashboards.clear();
        for (const YAML::Node& d : list)
            config.dashboards.append({ str(d["name"]), str(d["url"]) });
    }
    if (const YAML::Node metrics = root["metrics"]; metrics && metrics.IsMap()) {
        for (auto it = metrics.begin(); it != metrics.end(); ++it) {
            const QString name = QString::fromStdString(it->first.Scalar());
            const YAML::Node m = it->second;
            MetricDefinition def;
            qsizetype index = -1;
            for (qsizetype i = 0; i < config.metrics.size(); ++i)
                if (config.metrics[i].name == name)
                    index = i;
            if (index >= 0)
                def = config.metrics[index];
            def.name = name;
            if (!m.IsMap()) {
                config.diagnostics.append({ RunbookDiagnostic::Level::Error, {}, m.Mark().line + 1,
                    u"metric %1 must be a mapping"_s.arg(name) });
                continue;
            }
            if (m["group"]) {
                def.group = str(m["group"]);
                def.onDashboard = def.group != u"hidden"_s;
            }
            if (m["label"])
                def.label = str(m["label"]);
            if (m["unit"])
                def.unit = str(m["unit"]);
            if (m["source"])
                def.source = MetricDefinition::sourceFromName(str(m["source"]));
            if (m["kind"])
                def.kind = str(m["kind"]);
            if (m["query"])
                def.query = str(m["query"]);
            if (m["namespace"])
                def.cwNamespace = str(m["namespace"]);
            if (m["metric"])
                def.cwMetric = str(m["metric"]);
            if (m["stat"])
                def.cwStat = str(m["stat"]);
            if (m["scale"])
                def.scale = number(m["scale"], 1);
            if (m["per_second"])
                def.perSecond = str(m["per_second"]) == u"true"_s;
            if (const YAML::Node dims = m["dimensions"]; dims && dims.IsSequence()) {
                def.cwDimensions.clear();
                for (const YAML::Node& d : dims)
                    def.cwDimensions.append(str(d));
            }
            if (const YAML::Node aliases = m["aliases"]; aliases && aliases.IsSequence()) {
                def.aliases.clear();
                for (const YAML::Node& a : aliases)
                    def.aliases.append(str(a));
            }
            if (index >= 0)
                config.metrics[index] = def;
            else
                config.metrics.append(def);
        }
    }
    if (const YAML::Node alerts = root["alerts"]; alerts && alerts.IsSequence()) {
        config.extraRules.clear();
        for (const YAML::Node& a : alerts) {
            QString why;
            const auto condition = RunbookAlert::parse(str(a["rule"]), &why);
            if (!condition) {
                config.diagnostics.append({ RunbookDiagnostic::Level::Error, {}, a.Mark().line + 1, why });
                continue;
            }
            AlertRule rule;
            rule.condition = *condition;
            rule.severity = severityFromCode(str(a["severity"])).value_or(Severity::P2);
            rule.forMs = a["for_seconds"] ? qint64(number(a["for_seconds"], 60) * 1000) : -1;
            rule.clearForMs = a["clear_seconds"] ? qint64(number(a["clear_seconds"], 60) * 1000) : -1;
            rule.runbookTitle = str(a["runbook"]);
            rule.origin = u"config"_s;
            config.extraRules.append(rule);
        }
    }
}
} // namespace

QString MetricsConfig::userConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + u"/metrics.yaml"_s;
}

QString MetricsConfig::shippedConfigPath() { return u":/config/metrics.yaml"_s; }

MetricsConfig MetricsConfig::load(const QString& environment)
{
    QString path = userConfigPath();
    if (!QFile::exists(path))
        path = shippedConfigPath();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        MetricsConfig config;
        config.diagnostics.append({ RunbookDiagnostic::Level::Error, path, 0, file.errorString() });
        return config;
    }
    return fromYaml(file.readAll(), environment, path);
}

MetricsConfig MetricsConfig::fromYaml(const QByteArray& yaml, const QString& environment, const QString& source)
{
    MetricsConfig config;
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        readSettings(root, config);
        if (const YAML::Node envs = root["environments"]; envs && envs.IsMap() && !environment.isEmpty()) {
            if (const YAML::Node env = envs[environment.toStdString()]; env && env.IsMap())
                readSettings(env, config);
        }
    } catch (const YAML::Exception& e) {
        config.diagnostics.append(
            { RunbookDiagnostic::Level::Error, source, e.mark.line + 1, QString::fromStdString(e.msg) });
    }
    for (AlertRule& rule : config.extraRules) {
        if (rule.forMs < 0)
            rule.forMs = config.alertForMs;
        if (rule.clearForMs < 0)
            rule.clearForMs = config.alertClearMs;
    }
    for (RunbookDiagnostic& d : config.diagnostics)
        if (d.file.isEmpty())
            d.file = source;
    config.refreshMs = std::max(config.refreshMs, 500);
    return config;
}

const MetricDefinition* MetricsConfig::metric(const QString& nameOrAlias) const
{
    for (const MetricDefinition& m : metrics)
        if (m.name == nameOrAlias || m.aliases.contains(nameOrAlias))
            return &m;
    return nullptr;
}

int MetricsConfig::samplesPerSeries() const
{
    return int(std::clamp(qint64(historyHours) * 3600 * 1000 / std::max(refreshMs, 1), qint64(16), qint64(1) << 20));
}

QList<AlertRule> MetricsConfig::rules(const QList<Runbook>& runbooks) const
{
    QList<AlertRule> out;
    for (const Runbook& runbook : runbooks) {
        if (!runbook.alert || !runbook.alert->isValid())
            continue;
        AlertRule rule;
        rule.condition = *runbook.alert;
        rule.severity = runbook.severity.value_or(Severity::P2);
        rule.runbookTitle = runbook.title;
        rule.forMs = alertForMs;
        rule.clearForMs = alertClearMs;
        rule.origin = u"runbook"_s;
        bool replaced = false;
        for (const AlertRule& extra : extraRules)
            replaced = replaced || extra.id() == rule.id();
        bool seen = false;
        for (const AlertRule& r : out)
            seen = seen || r.id() == rule.id();
        if (!replaced && !seen)
            out.append(rule);
    }
    out.append(extraRules);
    return out;
}
