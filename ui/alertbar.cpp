// SPDX-License-Identifier: MIT
#include "ui/alertbar.h"

#include "services/desktopnotifier.h"
#include "services/metricsservice.h"
#include "ui/severitystyle.h"

#include <QApplication>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

QString clock(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms).toString(u"HH:mm:ss"_s); }

QList<AlertState> firingAlerts(const MetricsService* metrics)
{
    QList<AlertState> firing;
    for (const AlertState& a : metrics->alerts())
        if (a.state() == AlertState::State::Firing)
            firing.append(a);
    std::stable_sort(firing.begin(), firing.end(),
        [](const AlertState& a, const AlertState& b) { return a.rule().severity < b.rule().severity; });
    return firing;
}

QString rowText(const AlertState& a, const MetricsService* metrics)
{
    const AlertRule& rule = a.rule();
    QString text;
    if (!rule.source.isEmpty()) {
        const QString error = metrics->sourceError(rule.source);
        text = AlertBar::tr("%1 FIRING since %2: %3%4%5")
                   .arg(severityCode(rule.severity), clock(a.sinceMs()), rule.id(),
                       error.isEmpty() ? QString() : u" — "_s + error.simplified().left(160),
                       rule.blinds.isEmpty() ? QString() : AlertBar::tr(" (blind: %1)").arg(rule.blinds.join(u", "_s)));
    } else {
        text = AlertBar::tr("%1 FIRING since %2: %3 (now %4)%5")
                   .arg(severityCode(rule.severity), clock(a.sinceMs()), rule.id(),
                       AlertText::withUnit(AlertText::value(a.lastValue().value_or(0)), rule.condition.unit),
                       rule.runbookTitle.isEmpty() ? QString() : u" — "_s + rule.runbookTitle);
    }
    if (a.clearSinceMs() > 0)
        text += AlertBar::tr(" · clear for %1 s of %2 s")
                    .arg(std::max<qint64>(0, (metrics->nowMs() - a.clearSinceMs()) / 1000))
                    .arg(rule.clearForMs / 1000);
    return text;
}
} // namespace

AlertBar::AlertBar(MetricsService* metrics, QWidget* parent)
    : QWidget(parent)
    , m_metrics(metrics)
    , m_rows(new QVBoxLayout(this))
{
    setObjectName(u"alertBar"_s);
    m_rows->setContentsMargins(0, 0, 0, 0);
    m_rows->setSpacing(2);
    hide();
    connect(m_metrics, &MetricsService::configured, this, &AlertBar::scheduleRefresh);
    connect(m_metrics, &MetricsService::metricUpdated, this, &AlertBar::scheduleRefresh);
    connect(m_metrics, &MetricsService::sourceFailed, this, &AlertBar::scheduleRefresh);
    connect(m_metrics, &MetricsService::incidentLinked, this, &AlertBar::scheduleRefresh);
    connect(m_metrics, &MetricsService::alertChanged, this,
        [this](const AlertRule& rule, const AlertState::Transition& transition) {
            refresh(); // at once: the bar never lags behind the service
            if (m_notifying && transition.to == AlertState::State::Firing)
                notify(rule.id());
        });
    refresh();
}

AlertBar::~AlertBar() = default;

void AlertBar::setIncidentActions(bool enabled)
{
    m_incidentActions = enabled;
    m_built = false;
    refresh();
}

void AlertBar::setNotifying(bool notifying) { m_notifying = notifying; }

void AlertBar::scheduleRefresh()
{
    // Many metrics arrive per refresh: one rebuild for all of them.
    if (m_refreshQueued)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(0, this, &AlertBar::refresh);
}

void AlertBar::refresh()
{
    m_refreshQueued = false;
    const QList<AlertState> firing = firingAlerts(m_metrics);
    QStringList key;
    for (const AlertState& a : firing)
        key << a.rule().id() + u'\t' + severityCode(a.rule().severity) + u'\t'
                + QString::number(m_metrics->linkedIncident(a.rule().id())) + u'\t' + a.rule().runbookTitle;
    if (m_built && key == m_shown) {
        updateTexts();
        return;
    }
    m_built = true;
    m_shown = key;
    while (QLayoutItem* item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const AlertState& a : firing) {
        const AlertRule& rule = a.rule();
        auto* row = new QFrame(this);
        row->setObjectName(u"alertBarRow"_s);
        row->setProperty("ruleId", rule.id());
        row->setAutoFillBackground(true);
        QPalette p = row->palette();
        p.setColor(QPalette::Window, SeverityStyle::background(rule.severity));
        p.setColor(QPalette::WindowText, SeverityStyle::foreground(rule.severity));
        row->setPalette(p);
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(6, 3, 6, 3);
        auto* label = new QLabel(row);
        label->setObjectName(u"alertBarText"_s);
        label->setPalette(p);
        label->setWordWrap(true);
        layout->addWidget(label, 1);
        const qint64 linked = m_metrics->linkedIncident(rule.id());
        auto* open = new QPushButton(
            linked > 0 ? tr("Incident #%1").arg(linked) : tr("Open %1 incident").arg(severityCode(rule.severity)), row);
        open->setObjectName(u"alertBarOpen"_s);
        open->setToolTip(linked > 0 ? tr("Make the alert's incident the active one")
                                    : tr("Open an incident for this alert (its first event: the alert)"));
        open->setEnabled(m_incidentActions);
        const QString id = rule.id();
        connect(open, &QPushButton::clicked, this, [this, id] { Q_EMIT openIncidentRequested(id); });
        layout->addWidget(open);
        if (!rule.runbookTitle.isEmpty()) {
            auto* runbook = new QPushButton(tr("Runbook"), row);
            runbook->setObjectName(u"alertBarRunbook"_s);
            runbook->setToolTip(rule.runbookTitle);
            const QString title = rule.runbookTitle;
            connect(runbook, &QPushButton::clicked, this, [this, title] { Q_EMIT runbookRequested(title); });
            layout->addWidget(runbook);
        }
        m_rows->addWidget(row);
    }
    setVisible(!firing.isEmpty());
    updateTexts();
    Q_EMIT changed();
}

void AlertBar::updateTexts()
{
    for (int i = 0; i < m_rows->count(); ++i) {
        QWidget* row = m_rows->itemAt(i)->widget();
        const AlertState* a = row ? m_metrics->alert(row->property("ruleId").toString()) : nullptr;
        if (auto* label = row ? row->findChild<QLabel*>(u"alertBarText"_s) : nullptr; label && a)
            label->setText(rowText(*a, m_metrics));
    }
}

QStringList AlertBar::texts() const
{
    QStringList out;
    for (int i = 0; i < m_rows->count(); ++i)
        if (QWidget* row = m_rows->itemAt(i)->widget())
            if (auto* label = row->findChild<QLabel*>(u"alertBarText"_s))
                out.append(label->text());
    return out;
}

QString AlertBar::titlePrefix() const
{
    const QList<AlertState> firing = firingAlerts(m_metrics);
    if (firing.isEmpty())
        return {};
    const QString more = firing.size() > 1 ? u" +%1"_s.arg(firing.size() - 1) : QString();
    return u"[%1 FIRING%2] "_s.arg(severityCode(firing.constFirst().rule().severity), more);
}

void AlertBar::notify(const QString& ruleId)
{
    const AlertState* a = m_metrics->alert(ruleId);
    if (!a)
        return;
    const AlertRule& rule = a->rule();
    const QString title = tr("%1 FIRING: %2").arg(severityCode(rule.severity), rule.id());
    QString body = rowText(*a, m_metrics);
    if (const qint64 linked = m_metrics->linkedIncident(rule.id()); linked > 0)
        body += tr("\nIncident #%1").arg(linked);
    Q_EMIT notificationRequested(title, body);
    if (!DesktopNotifier::sessionBusAvailable()) {
        trayMessage(title, body);
        return;
    }
    if (!m_notifier)
        m_notifier = new DesktopNotifier(this);
    if (!m_notifier->notify(title, body, rule.severity <= Severity::P1)) {
        trayMessage(title, body);
        return;
    }
    auto* guard = new QObject(this); // one answer per call
    connect(m_notifier, &DesktopNotifier::failed, guard, [this, guard, title, body] {
        guard->deleteLater();
        trayMessage(title, body);
    });
    connect(m_notifier, &DesktopNotifier::shown, guard, [guard] { guard->deleteLater(); });
}

void AlertBar::trayMessage(const QString& title, const QString& body)
{
    // No notification server: the tray, if there is one; else the bar and the window title say it alone.
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return;
    if (!m_tray) {
        QIcon icon = QApplication::windowIcon();
        if (icon.isNull())
            icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
        m_tray = new QSystemTrayIcon(icon, this);
        m_tray->show();
    }
    m_tray->showMessage(title, body, QSystemTrayIcon::Critical, 15000);
}

#include "moc_alertbar.cpp"
