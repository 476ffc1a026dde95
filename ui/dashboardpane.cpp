// SPDX-License-Identifier: MIT
#include "ui/dashboardpane.h"

#include "models/incident.h"
#include "services/metricsservice.h"
#include "services/storeclient.h"
#include "ui/alertbar.h"
#include "ui/metricchart.h"

#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QEvent>
#include <QGridLayout>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {
const QStringList kGroups { u"application"_s, u"database"_s, u"infrastructure"_s, u"business"_s };
constexpr int kTileMinimumHeight = 150; // title row and a chart of its minimum height (MetricChart: 110)

} // namespace

DashboardPane::DashboardPane(MetricsService* metrics, StoreClient* store, QWidget* parent)
    : QWidget(parent)
    , m_metrics(metrics)
    , m_store(store)
{
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Range:"), this));
    m_rangeBox = new QComboBox(this);
    m_rangeBox->setObjectName(u"dashboardRange"_s);
    m_rangeBox->addItem(tr("15 min"), int(Range::Minutes15));
    m_rangeBox->addItem(tr("1 h"), int(Range::Hour1));
    m_rangeBox->addItem(tr("6 h"), int(Range::Hours6));
    m_rangeBox->addItem(tr("24 h"), int(Range::Hours24));
    m_rangeBox->setCurrentIndex(1);
    connect(m_rangeBox, &QComboBox::currentIndexChanged, this,
        [this] { setRange(Range(m_rangeBox->currentData().toInt())); });
    top->addWidget(m_rangeBox);
    m_status = new QLabel(this);
    m_status->setObjectName(u"dashboardStatus"_s);
    top->addWidget(m_status, 1);
    m_links = new QHBoxLayout;
    top->addLayout(m_links);
    m_dashboardsMenu = new QMenu(tr("&Dashboards"), this);

    m_banners = new QVBoxLayout;
    m_alertBar = new AlertBar(m_metrics, this); // the same rows as the main window's bar
    m_alertBar->setObjectName(u"dashboardAlertBar"_s);
    m_alertBar->setIncidentActions(m_store != nullptr);
    connect(m_alertBar, &AlertBar::openIncidentRequested, this, &DashboardPane::openIncidentForAlert);
    connect(m_alertBar, &AlertBar::runbookRequested, this, &DashboardPane::runbookRequested);
    m_banners->addWidget(m_alertBar);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"dashboardTabs"_s);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { redrawVisible(); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addLayout(m_banners);
    layout->addWidget(m_tabs, 1);

    connect(m_metrics, &MetricsService::configured, this, &DashboardPane::rebuild);
    connect(m_metrics, &MetricsService::metricUpdated, this, &DashboardPane::updateTile);
    connect(m_metrics, &MetricsService::metricStaleChanged, this, [this](const QString& name) { updateTile(name); });
    connect(m_metrics, &MetricsService::alertChanged, this, &DashboardPane::onAlertChanged);
    connect(m_metrics, &MetricsService::sourceFailed, this, [this](const QString& source, const QString& error) {
        m_status->setText(tr("%1: %2").arg(source, error.left(160)));
    });
    // The banners say which incident has each alert (links rebuilt from the store after a restart).
    connect(m_metrics, &MetricsService::incidentLinked, this, [this] { updateBanner(); });
    if (m_store) {
        connect(m_store, &StoreClient::incidentChanged, this, &DashboardPane::onIncidentChanged);
        connect(m_store, &StoreClient::writeFailed, this, [this](const QString& what, const StoreError&) {
            m_pending.removeIf([&what](const PendingIncident& p) { return what.contains(p.title); });
        });
    }
    rebuild();
    tellShown();
}

DashboardPane::~DashboardPane() = default;

bool DashboardPane::isOnScreen() const
{
    // A dock tabified behind another can stay "visible" with an empty visible region: it counts as unseen until
    // its tab comes to the front (the main window calls updateShown() then).
    return isVisible() && !visibleRegion().isEmpty() && !window()->isMinimized();
}

void DashboardPane::updateShown()
{
    tellShown();
    redrawVisible();
}

void DashboardPane::tellShown() { m_metrics->setDashboardsShown(isOnScreen()); }

void DashboardPane::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // The window is known only once the pane is in it (a dock's widget is reparented after construction).
    if (window() != m_watchedWindow) {
        if (m_watchedWindow)
            m_watchedWindow->removeEventFilter(this);
        m_watchedWindow = window();
        if (m_watchedWindow != this)
            m_watchedWindow->installEventFilter(this);
    }
    // Once laid out and on screen: what is seen now, and the charts of the tiles now visible.
    QMetaObject::invokeMethod(this, &DashboardPane::updateShown, Qt::QueuedConnection);
}

void DashboardPane::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    tellShown();
}

bool DashboardPane::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_watchedWindow && event->type() == QEvent::WindowStateChange)
        tellShown();
    return QWidget::eventFilter(watched, event);
}

qint64 DashboardPane::rangeMs(Range range)
{
    switch (range) {
    case Range::Minutes15:
        return 15 * 60 * 1000;
    case Range::Hour1:
        return 3600 * 1000;
    case Range::Hours6:
        return 6 * 3600 * 1000;
    case Range::Hours24:
        return 24 * 3600 * 1000;
    }
    return 3600 * 1000;
}

void DashboardPane::setRange(Range range)
{
    m_range = range;
    const int index = m_rangeBox->findData(int(range));
    if (index >= 0 && index != m_rangeBox->currentIndex())
        m_rangeBox->setCurrentIndex(index);
    for (Tile& tile : m_tiles)
        tile.dirty = true;
    redrawVisible();
}

bool DashboardPane::openDashboard(const QString& url) { return QDesktopServices::openUrl(QUrl(url)); }

QStringList DashboardPane::layoutKey() const
{
    QStringList key;
    for (const DashboardLink& link : m_metrics->config().dashboards)
        key << link.name + u'\t' + link.url;
    for (const QString& name : m_metrics->metricNames()) {
        const MetricsService::MetricState* state = m_metrics->metric(name);
        if (state && state->definition.onDashboard)
            key << state->definition.group + u'\t' + name + u'\t' + state->definition.displayLabel();
    }
    return key;
}

void DashboardPane::rebuild()
{
    const QStringList key = layoutKey();
    if (key == m_layoutKey && !m_tiles.isEmpty()) {
        // The same metrics and links (a runbook reload, an environment with the same set): keep the tiles,
        // refresh what a configuration may change.
        for (auto it = m_tiles.begin(); it != m_tiles.end(); ++it) {
            const MetricsService::MetricState* state = m_metrics->metric(it.key());
            if (it->chart && state) {
                it->chart->setSeries(&state->series);
                it->chart->setUnit(state->definition.unit);
                const auto rule = m_metrics->ruleForMetric(it.key());
                it->chart->setThreshold(rule ? std::optional<double>(rule->condition.threshold) : std::nullopt);
            }
            updateTile(it.key());
        }
        updateBanner();
        return;
    }
    m_layoutKey = key;
    const QSignalBlocker quiet(m_tabs); // no redraw of tiles being replaced
    while (m_tabs->count() > 0) {
        QWidget* page = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete page;
    }
    m_tiles.clear();
    while (QLayoutItem* item = m_links->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_dashboardsMenu->clear();
    for (const DashboardLink& link : m_metrics->config().dashboards) {
        auto* button = new QToolButton(this);
        button->setText(link.name);
        button->setToolTip(link.url);
        button->setObjectName(u"dashboardLink"_s);
        const QString url = link.url;
        connect(button, &QToolButton::clicked, this, [url] { openDashboard(url); });
        m_links->addWidget(button);
        m_dashboardsMenu->addAction(link.name, this, [url] { openDashboard(url); });
    }

    for (const QString& group : kGroups) {
        auto* page = new QWidget;
        auto* grid = new QGridLayout(page);
        grid->setContentsMargins(4, 4, 4, 4);
        int n = 0;
        for (const QString& name : m_metrics->metricNames()) {
            const MetricsService::MetricState* state = m_metrics->metric(name);
            if (!state || state->definition.group != group || !state->definition.onDashboard)
                continue;
            Tile tile;
            auto* frame = new QFrame(page);
            frame->setFrameShape(QFrame::StyledPanel);
            frame->setObjectName(u"metric_"_s + name);
            auto* title = new QLabel(u"<b>%1</b>"_s.arg(state->definition.displayLabel().toHtmlEscaped()), frame);
            tile.value = new QLabel(frame);
            tile.value->setObjectName(u"value"_s);
            QFont big = tile.value->font();
            big.setPointSizeF(big.pointSizeF() * 1.4);
            big.setBold(true);
            tile.value->setFont(big);
            tile.status = new QLabel(frame);
            tile.status->setObjectName(u"status"_s);
            auto* head = new QHBoxLayout;
            head->addWidget(title);
            head->addStretch(1);
            head->addWidget(tile.status);
            head->addWidget(tile.value);
            auto* v = new QVBoxLayout(frame);
            v->setContentsMargins(4, 4, 4, 4);
            v->addLayout(head);
            frame->setMinimumHeight(kTileMinimumHeight); // the same before and after its chart is built
            tile.body = v;
            tile.frame = frame;
            grid->addWidget(frame, n / 2, n % 2);
            ++n;
            m_tiles.insert(name, tile);
            updateTile(name);
        }
        grid->setRowStretch((n + 1) / 2, 1);
        auto* scroll = new QScrollArea;
        scroll->setWidgetResizable(true);
        scroll->setWidget(page);
        scroll->setObjectName(group);
        m_tabs->addTab(scroll, group.left(1).toUpper() + group.mid(1));
    }
    updateBanner();
    QMetaObject::invokeMethod(this, &DashboardPane::redrawVisible, Qt::QueuedConnection);
}

MetricChart* DashboardPane::chart(const QString& metric)
{
    const auto it = m_tiles.find(metric);
    if (it == m_tiles.end())
        return nullptr;
    if (!it->chart) {
        ensureChart(metric, *it);
        redrawTile(metric, *it);
    }
    return it->chart;
}

MetricChart* DashboardPane::ensureChart(const QString& name, Tile& tile)
{
    if (tile.chart)
        return tile.chart;
    const MetricsService::MetricState* state = m_metrics->metric(name);
    if (!state)
        return nullptr;
    tile.chart = new MetricChart(tile.frame);
    tile.chart->setSeries(&state->series);
    tile.chart->setUnit(state->definition.unit);
    if (const auto rule = m_metrics->ruleForMetric(name))
        tile.chart->setThreshold(rule->condition.threshold);
    tile.chart->setStale(state->stale);
    tile.body->addWidget(tile.chart, 1);
    return tile.chart;
}

QString DashboardPane::valueText(const QString& metric) const
{
    const auto it = m_tiles.constFind(metric);
    return it == m_tiles.constEnd() ? QString() : it->value->text();
}

QString DashboardPane::staleText(const QString& metric) const
{
    const auto it = m_tiles.constFind(metric);
    return it == m_tiles.constEnd() ? QString() : it->status->text();
}

void DashboardPane::updateTile(const QString& name)
{
    auto it = m_tiles.find(name);
    const MetricsService::MetricState* state = m_metrics->metric(name);
    if (it == m_tiles.end() || !state)
        return;
    Tile& tile = *it;
    const auto last = state->series.last();
    tile.value->setText(last ? AlertText::withUnit(AlertText::value(last->value), state->definition.unit) : u"—"_s);
    if (state->definition.source == MetricDefinition::Source::None && !last) {
        tile.status->setText(tr("no source configured (metrics.yaml)"));
        tile.value->setStyleSheet(u"color: gray;"_s);
    } else if (state->stale) {
        const QString since = state->lastSampleMs > 0
            ? QDateTime::fromMSecsSinceEpoch(state->lastSampleMs).toString(u"HH:mm"_s)
            : tr("start");
        tile.status->setText(tr("no data since %1").arg(since));
        tile.status->setToolTip(state->error);
        tile.value->setStyleSheet(u"color: gray;"_s);
    } else {
        tile.status->clear();
        tile.status->setToolTip({});
        tile.value->setStyleSheet({});
    }
    if (tile.chart)
        tile.chart->setStale(state->stale);
    tile.dirty = true;
    if (isOnScreen(tile))
        redrawTile(name, tile);
}

void DashboardPane::redrawTile(const QString& name, Tile& tile)
{
    if (!ensureChart(name, tile))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    tile.chart->setTimeRange(now - rangeMs(m_range), now);
    tile.chart->redraw();
    tile.dirty = false;
}

bool DashboardPane::isOnScreen(const Tile& tile) const { return tile.frame->isVisible() && isOnScreen(); }

void DashboardPane::redrawVisible()
{
    for (auto it = m_tiles.begin(); it != m_tiles.end(); ++it)
        if (it->dirty && isOnScreen(*it))
            redrawTile(it.key(), *it);
}

void DashboardPane::onAlertChanged(const AlertRule& rule, const AlertState::Transition& transition)
{
    Q_UNUSED(rule);
    Q_UNUSED(transition);
    updateBanner();
}

QStringList DashboardPane::bannerTexts() const { return m_alertBar->texts(); }

void DashboardPane::updateBanner() { m_alertBar->refresh(); }

bool DashboardPane::openIncidentForAlert(const QString& ruleId)
{
    const AlertState* alert = m_metrics->alert(ruleId);
    if (!alert || !m_store)
        return false;
    const AlertRule rule = alert->rule();
    // One incident per rule: an open incident of the rule takes the alert (it becomes the active one), and an
    // incident still being created for it is not asked for twice.
    if (const qint64 linked = m_metrics->linkedIncident(ruleId); linked > 0) {
        Q_EMIT incidentOpened(linked, ruleId);
        if (!rule.runbookTitle.isEmpty())
            Q_EMIT runbookRequested(rule.runbookTitle);
        return true;
    }
    for (const PendingIncident& p : std::as_const(m_pending))
        if (p.rule.id() == ruleId)
            return true;
    const qint64 at = alert->sinceMs();
    IncidentDraft draft;
    draft.title = u"%1: %2 (%3)"_s.arg(rule.runbookTitle.isEmpty() ? tr("Alert") : rule.runbookTitle, rule.id(),
        QDateTime::fromMSecsSinceEpoch(at).toString(u"HH:mm:ss"_s));
    draft.severity = rule.severity;
    draft.environment = m_metrics->environment();
    draft.impact = tr("Alert %1 firing: value %2 (threshold %3)")
                       .arg(rule.id(),
                           AlertText::withUnit(AlertText::value(alert->lastValue().value_or(0)), rule.condition.unit),
                           AlertText::threshold(rule.condition));
    m_pending.append({ draft.title, rule, alert->lastValue().value_or(0), at });
    m_store->createIncident(draft);
    return true;
}

void DashboardPane::onIncidentChanged(const Incident& incident)
{
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        const PendingIncident p = m_pending[i];
        if (p.title != incident.title)
            continue;
        m_pending.removeAt(i);
        m_metrics->linkIncident(p.rule.id(), incident.id);
        m_store->appendEvent(incident.id, u"alert.fired"_s,
            tr("Alert %1 fired: value %2, threshold %3")
                .arg(p.rule.id(), AlertText::withUnit(AlertText::value(p.value), p.rule.condition.unit),
                    AlertText::threshold(p.rule.condition)),
            QJsonObject { { u"rule"_s, p.rule.id() }, { u"metric"_s, p.rule.metric() }, { u"value"_s, p.value },
                { u"threshold"_s, p.rule.condition.threshold }, { u"unit"_s, p.rule.condition.unit },
                { u"fired_at_ms"_s, p.atMs }, { u"runbook"_s, p.rule.runbookTitle } });
        updateBanner();
        Q_EMIT incidentOpened(incident.id, p.rule.id());
        if (!p.rule.runbookTitle.isEmpty())
            Q_EMIT runbookRequested(p.rule.runbookTitle);
        return;
    }
}

#include "moc_dashboardpane.cpp"
