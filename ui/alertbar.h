// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>
#include <QWidget>

class DesktopNotifier;
class MetricsService;
class QSystemTrayIcon;
class QVBoxLayout;

// The firing alerts, one row each, most severe first, in the severity's colours: what fires since when, its
// value (or for a source-down rule the source's error and the rules it blinds), "clear for 20 s of 60 s" while a
// firing rule is clearing, an action button ("Open P0 incident", or "Incident #N" once linked) and "Runbook".
// Hidden while nothing fires. The main window has one under the incident header and the Dashboards pane one
// above its tabs: the same rows in both. With setNotifying(true) an alert that starts firing is also a desktop
// notification (DesktopNotifier; a tray message without a notification server; nothing without either).
// GUI thread; the service is not owned.
class AlertBar : public QWidget {
    Q_OBJECT
public:
    explicit AlertBar(MetricsService* metrics, QWidget* parent = nullptr);
    ~AlertBar() override;

    void setIncidentActions(bool enabled); // whether the action button can be pressed (there is a store)
    void setNotifying(bool notifying);

    QStringList texts() const; // the rows' texts, as shown
    QString titlePrefix() const; // "[P0 FIRING] ", "[P0 FIRING +1] "; empty while nothing fires
    void refresh(); // rebuilds the rows (the service's signals call it; also after a link changed)

Q_SIGNALS:
    void openIncidentRequested(const QString& ruleId);
    void runbookRequested(const QString& runbookTitle);
    void changed(); // the rows (or the title prefix) may have changed
    void notificationRequested(const QString& title, const QString& body);

private:
    void scheduleRefresh();
    void updateTexts();
    void notify(const QString& ruleId);
    void trayMessage(const QString& title, const QString& body);

    MetricsService* m_metrics;
    QVBoxLayout* m_rows;
    QStringList m_shown; // what the rows were built for: rule id, severity, link
    bool m_built = false;
    bool m_incidentActions = true;
    bool m_notifying = false;
    bool m_refreshQueued = false;
    DesktopNotifier* m_notifier = nullptr;
    QSystemTrayIcon* m_tray = nullptr;
};
