// SPDX-License-Identifier: MIT
#include "services/metricsservice.h"

#include "models/environmentlistmodel.h"
#include "services/awsclioptions.h"
#include "services/cloudwatchmetricsource.h"
#include "services/pgconnectionoptions.h"
#include "services/pgmetricsource.h"
#include "services/prometheusmetricsource.h"
#include "services/redismetricsource.h"
#include "services/runbooklibrary.h"
#include "services/storeclient.h"

#include <QJsonObject>
#include <QMap>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {
using Field = EnvironmentProfile::Field;

AwsCliOptions awsOptions(const EnvironmentProfile& profile, int timeoutS)
{
    AwsCliOptions o;
    o.connectTimeoutS = std::max(1, timeoutS / 2);
    o.readTimeoutS = std::max(1, timeoutS);
    o.maxAttempts = 1;
    o.endpointUrl = profile.value(Field::EndpointUrl);
    o.profile = profile.value(Field::AwsProfile);
    o.region = profile.value(Field::Region);
    return o;
}

PgConnectionOptions pgOptions(const EnvironmentProfile& profile)
{
    PgConnectionOptions o;
    o.conninfo = profile.value(Field::DatabaseUrl);
    if (o.conninfo.isEmpty() && !profile.databaseUrlEnv().isEmpty())
        o.conninfo = qEnvironmentVariable(profile.databaseUrlEnv().toLocal8Bit().constData());
    if (!profile.passwordEnv().isEmpty())
        o.password = qEnvironmentVariable(profile.passwordEnv().toLocal8Bit().constData());
    return o;
}

bool sameSource(const MetricDefinition& a, const MetricDefinition& b)
{
    return a.source == b.source && a.kind == b.kind && a.query == b.query && a.cwNamespace == b.cwNamespace
        && a.cwMetric == b.cwMetric && a.cwDimensions == b.cwDimensions && a.cwStat == b.cwStat && a.scale == b.scale;
}
} // namespace

MetricsService::MetricsService(QObject* parent)
    : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &MetricsService::refreshNow);
}

MetricsService::~MetricsService() = default;

void MetricsService::configure(
    const MetricsConfig& config, const EnvironmentProfile& profile, const QList<Runbook>& runbooks)
{
    const bool running = isRunning();
    stop();
    qDeleteAll(m_sources);
    m_sources.clear();
    m_lastRefresh.clear();
    const bool sameEnvironment = m_environment == profile.name();
    m_config = config;
    m_environment = profile.name();

    QHash<QString, MetricState> previous = std::exchange(m_metrics, {});
    m_order.clear();
    QMap<int, QList<MetricDefinition>> bySource; // by MetricDefinition::Source, in enum order
    for (const MetricDefinition& def : config.metrics) {
        auto old = previous.find(def.name);
        MetricState state { def, MetricSeries(config.samplesPerSeries()), true, 0, {} };
        if (sameEnvironment && old != previous.end() && sameSource(old->definition, def)
            && old->series.capacity() == state.series.capacity()) {
            state.series = old->series;
            state.lastSampleMs = old->lastSampleMs;
        }
        const bool awsOff = def.source == MetricDefinition::Source::CloudWatch && !profile.awsOff().isEmpty();
        if (def.source == MetricDefinition::Source::None)
            state.error = tr("no source configured");
        else if (awsOff)
            state.error = profile.awsOff();
        m_metrics.insert(def.name, state);
        m_order.append(def.name);
        if (def.source != MetricDefinition::Source::None && !awsOff)
            bySource[int(def.source)].append(def);
    }

    const int timeoutMs = std::clamp(config.refreshMs * 3 / 4, 1000, 30000);
    for (auto it = bySource.cbegin(); it != bySource.cend(); ++it) {
        MetricSource* source = nullptr;
        switch (MetricDefinition::Source(it.key())) {
        case MetricDefinition::Source::Postgres:
            source = new PgMetricSource(pgOptions(profile), this);
            break;
        case MetricDefinition::Source::Redis: {
            auto* redis = new RedisMetricSource(this);
            redis->setServer(
                profile.value(Field::RedisHost), quint16(profile.value(Field::RedisPort).toUInt()), profile.redisTls());
            redis->setRateLimit(config.rateLimitPattern, config.rateLimitMax);
            source = redis;
            break;
        }
        case MetricDefinition::Source::CloudWatch:
            source = new CloudWatchMetricSource(awsOptions(profile, timeoutMs / 1000), config.cloudWatchPeriodS, this);
            break;
        case MetricDefinition::Source::Prometheus:
            source = new PrometheusMetricSource(QUrl(config.prometheusUrl), std::max(1, config.refreshMs / 1000), this);
            break;
        case MetricDefinition::Source::None:
            break;
        }
        if (!source)
            continue;
        source->setMetrics(it.value());
        source->setTimeoutMs(timeoutMs);
        connect(source, &MetricSource::refreshed, this,
            [this, source](const QHash<QString, double>& values, qint64 timeMs) {
                markAnswered(source->name());
                addSamples(values, timeMs);
            });
        connect(source, &MetricSource::failed, this,
            [this, source](const QString& error) { markStale(source->name(), error); });
        m_sources.append(source);
    }

    QList<AlertRule> rules = config.rules(runbooks);
    const QList<AlertRule> metricRules = rules;
    for (const MetricSource* source : std::as_const(m_sources))
        rules.append(sourceDownRule(source->name(), config, metricRules));
    QList<AlertState> states;
    for (const AlertRule& rule : std::as_const(rules)) {
        AlertState state(rule);
        for (const AlertState& old : std::as_const(m_alerts))
            if (sameEnvironment && old.rule().id() == rule.id() && old.rule().forMs == rule.forMs
                && old.rule().clearForMs == rule.clearForMs && old.rule().severity == rule.severity)
                state = old;
        states.append(state);
    }
    m_sourceErrors.clear();
    m_alerts = states;
    m_timer.setInterval(config.refreshMs);
    Q_EMIT configured();
    if (running)
        start();
}

void MetricsService::watch(EnvironmentListModel* environments, RunbookLibrary* runbooks)
{
    m_environments = environments;
    m_runbooks = runbooks;
    connect(environments, &EnvironmentListModel::activeChanged, this, &MetricsService::reconfigureFromWatched);
    // The profiles read again (SandboxEnvironment: the sandbox on new ports): the sources reconnect.
    connect(environments, &QAbstractItemModel::modelReset, this, &MetricsService::reconfigureFromWatched);
    connect(runbooks, &RunbookLibrary::reloaded, this, &MetricsService::reconfigureFromWatched);
    reconfigureFromWatched();
}

void MetricsService::reconfigureFromWatched()
{
    const QString active = m_environments->activeName();
    EnvironmentProfile profile(active);
    for (const EnvironmentProfile& p : m_environments->profiles())
        if (p.name() == active)
            profile = p;
    configure(MetricsConfig::load(active), profile, m_runbooks->runbooks());
    start();
}

void MetricsService::start()
{
    m_timer.start();
    refreshNow();
}

void MetricsService::stop() { m_timer.stop(); }

void MetricsService::refreshNow() { refreshSources(false); }

void MetricsService::refreshSources(bool onlyCostly)
{
    if (!m_uptime.isValid())
        m_uptime.start();
    const qint64 now = m_uptime.elapsed();
    for (MetricSource* source : std::as_const(m_sources)) {
        // CloudWatch may be read less often than the rest (each read is an aws CLI process), and not at all while
        // nobody looks at the dashboards unless an alert needs it.
        const bool costly = source->name() == u"cloudwatch"_s;
        if (onlyCostly && !costly)
            continue;
        if (costly && !m_dashboardsShown && !feedsAlerts(source))
            continue;
        const int interval = costly ? m_config.cloudWatchRefreshMs : 0;
        const auto last = m_lastRefresh.constFind(source);
        if (interval > m_config.refreshMs && last != m_lastRefresh.constEnd()
            && now - *last < interval - m_config.refreshMs / 2)
            continue;
        // A source still busy with the previous read is skipped (refresh() returns false) and tried next period.
        if (source->refresh())
            m_lastRefresh.insert(source, now);
    }
}

void MetricsService::setDashboardsShown(bool shown)
{
    if (m_dashboardsShown == shown)
        return;
    m_dashboardsShown = shown;
    if (shown && isRunning())
        refreshSources(true); // an overdue CloudWatch read now rather than up to a period later
}

bool MetricsService::feedsAlerts(const MetricSource* source) const
{
    for (const MetricDefinition& def : source->metrics())
        for (const AlertState& a : m_alerts)
            if (a.rule().metric() == def.name || def.aliases.contains(a.rule().metric()))
                return true;
    return false;
}

const MetricsService::MetricState* MetricsService::metric(const QString& name) const
{
    const auto it = m_metrics.constFind(name);
    return it == m_metrics.constEnd() ? nullptr : &*it;
}

const AlertState* MetricsService::alert(const QString& ruleId) const
{
    for (const AlertState& a : m_alerts)
        if (a.rule().id() == ruleId)
            return &a;
    return nullptr;
}

std::optional<AlertRule> MetricsService::ruleForMetric(const QString& name) const
{
    const MetricState* state = metric(name);
    for (const AlertState& a : m_alerts) {
        if (a.rule().metric() == name || (state && state->definition.aliases.contains(a.rule().metric())))
            return a.rule();
    }
    return std::nullopt;
}

void MetricsService::addSamples(const QHash<QString, double>& values, qint64 timeMs)
{
    // Metrics of the answering source that got no value stay as they were (their last sample is shown with its
    // time); only a failing source marks them stale.
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        auto m = m_metrics.find(it.key());
        if (m == m_metrics.end())
            continue;
        m->series.append(timeMs, it.value());
        m->lastSampleMs = timeMs;
        const bool wasStale = m->stale;
        m->stale = false;
        m->error.clear();
        if (wasStale)
            Q_EMIT metricStaleChanged(it.key(), false);
        Q_EMIT metricUpdated(it.key());
        evaluate(it.key(), it.value());
    }
}

void MetricsService::markStale(const QString& sourceName, const QString& error)
{
    m_sourceErrors.insert(sourceName, error);
    Q_EMIT sourceFailed(sourceName, error);
    for (MetricSource* source : std::as_const(m_sources)) {
        if (source->name() != sourceName)
            continue;
        for (const MetricDefinition& def : source->metrics()) {
            auto m = m_metrics.find(def.name);
            if (m == m_metrics.end())
                continue;
            m->error = error;
            if (!m->stale) {
                m->stale = true;
                Q_EMIT metricStaleChanged(def.name, true);
            }
        }
    }
    evaluateSource(sourceName, true);
}

void MetricsService::markAnswered(const QString& sourceName)
{
    m_sourceErrors.remove(sourceName);
    evaluateSource(sourceName, false);
}

QString MetricsService::sourceLabel(const QString& sourceName)
{
    if (sourceName == u"postgres"_s)
        return u"PostgreSQL"_s;
    if (sourceName == u"redis"_s)
        return u"Redis"_s;
    if (sourceName == u"cloudwatch"_s)
        return u"CloudWatch"_s;
    if (sourceName == u"prometheus"_s)
        return u"Prometheus"_s;
    return sourceName;
}

AlertRule MetricsService::sourceDownRule(
    const QString& sourceName, const MetricsConfig& config, const QList<AlertRule>& rules)
{
    AlertRule rule;
    rule.source = sourceName;
    rule.origin = u"source"_s;
    rule.forMs = config.sourceDownForMs;
    rule.clearForMs = config.alertClearMs;
    rule.severity = Severity::P3;
    const auto source = MetricDefinition::sourceFromName(sourceName);
    for (const AlertRule& watching : rules) {
        const MetricDefinition* def = config.metric(watching.metric());
        if (!def || def->source != source)
            continue;
        rule.blinds.append(watching.id());
        rule.severity = std::min(rule.severity, watching.severity);
    }
    rule.condition.metric = u"source:"_s + sourceName;
    rule.condition.op = u">"_s;
    rule.condition.threshold = 0;
    rule.condition.raw
        = u"%1 not answering for %2 s"_s.arg(sourceName, QString::number(qRound64(config.sourceDownForMs / 1000.0)));
    return rule;
}

void MetricsService::evaluateSource(const QString& sourceName, bool down)
{
    for (AlertState& alert : m_alerts) {
        if (alert.rule().source != sourceName)
            continue;
        if (const auto change = alert.update(down ? 1.0 : 0.0, nowMs()))
            apply(alert, *change);
    }
}

void MetricsService::evaluate(const QString& metric, double value)
{
    const MetricState* state = this->metric(metric);
    for (AlertState& alert : m_alerts) {
        const QString watched = alert.rule().metric();
        if (!alert.rule().source.isEmpty()
            || (watched != metric && !(state && state->definition.aliases.contains(watched))))
            continue;
        if (const auto change = alert.update(value, nowMs()))
            apply(alert, *change);
    }
}

void MetricsService::apply(const AlertState& alert, const AlertState::Transition& change)
{
    const AlertRule rule = alert.rule();
    Q_EMIT alertChanged(rule, change);
    const qint64 incident = m_links.value(rule.id());
    if (incident <= 0 || !m_store || change.to == AlertState::State::Inactive)
        return;
    const QString kind = u"alert."_s + AlertState::stateName(change.to);
    QJsonObject detail { { u"rule"_s, rule.id() }, { u"metric"_s, rule.metric() }, { u"value"_s, change.value },
        { u"threshold"_s, rule.condition.threshold }, { u"unit"_s, rule.condition.unit },
        { u"state"_s, AlertState::stateName(change.to) }, { u"at_ms"_s, change.atMs } };
    QString summary;
    if (!rule.source.isEmpty()) {
        const QString error = m_sourceErrors.value(rule.source);
        detail.insert(u"source"_s, rule.source);
        if (!error.isEmpty())
            detail.insert(u"error"_s, error);
        summary = u"%1: %2%3"_s.arg(AlertState::stateName(change.to), rule.id(),
            change.to == AlertState::State::Resolved ? tr(" (answering again)") : u" ("_s + error.left(200) + u')');
    } else {
        summary = u"%1: %2 (value %3, threshold %4)"_s.arg(AlertState::stateName(change.to), rule.id(),
            AlertText::withUnit(AlertText::value(change.value), rule.condition.unit),
            AlertText::threshold(rule.condition));
    }
    m_store->appendEvent(incident, kind, summary, detail);
}

void MetricsService::linkIncident(const QString& ruleId, qint64 incidentId)
{
    if (m_links.value(ruleId) == std::max<qint64>(incidentId, 0))
        return;
    if (incidentId > 0)
        m_links.insert(ruleId, incidentId);
    else
        m_links.remove(ruleId);
    Q_EMIT incidentLinked(ruleId, std::max<qint64>(incidentId, 0));
}

void MetricsService::setStore(StoreClient* store)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (!m_store)
        return;
    connect(m_store, &StoreClient::opened, this, &MetricsService::restoreLinks);
    // A resolved incident takes no more alerts: the rule's next firing offers a new one.
    connect(m_store, &StoreClient::incidentChanged, this, [this](const Incident& incident) {
        if (incident.isOpen())
            return;
        for (const QString& rule : m_links.keys(incident.id))
            linkIncident(rule, 0);
    });
    connect(m_store, &StoreClient::incidentsLoaded, this, [this](quint64 request, const QList<Incident>& incidents) {
        if (request != m_openIncidentsRequest)
            return;
        m_openIncidentsRequest = 0;
        m_linkEventsRequests.clear();
        for (const Incident& incident : incidents)
            if (incident.isOpen())
                m_linkEventsRequests.insert(m_store->requestEvents(incident.id, 0, -1), incident.id);
        if (m_linkEventsRequests.isEmpty())
            Q_EMIT linksRestored();
    });
    connect(m_store, &StoreClient::eventsLoaded, this,
        [this](quint64 request, qint64 incidentId, const QList<TimelineEvent>& events) {
            if (!m_linkEventsRequests.remove(request))
                return;
            for (const TimelineEvent& e : events) {
                const QString rule = e.detail.value(u"rule"_s).toString();
                if (rule.isEmpty() || (e.kind != u"alert.fired"_s && e.kind != u"alert.firing"_s))
                    continue;
                // The newest open incident of the rule wins; a link made since the store opened is kept.
                if (m_links.value(rule) < incidentId)
                    linkIncident(rule, incidentId);
            }
            if (m_linkEventsRequests.isEmpty())
                Q_EMIT linksRestored();
        });
}

void MetricsService::restoreLinks()
{
    if (m_store)
        m_openIncidentsRequest = m_store->requestIncidents(IncidentStore::Filter::Open);
}

#include "moc_metricsservice.cpp"
