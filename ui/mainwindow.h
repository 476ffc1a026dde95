// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/incidentclock.h"
#include "services/consoleservices.h"
#include "services/incidentstore.h"

#include <QMainWindow>
#include <QPointer>

class DbaPane;
class EscalationPanel;
class DashboardPane;
class IncidentFilterModel;
class IncidentHeader;
class IncidentListModel;
class QComboBox;
class QLabel;
class QMenu;
class QTableView;
class StoreClient;
class TimelineModel;
class TimelinePane;

// The console's main window: the incident list (dock), the active incident's header (dock) and its timeline
// (centre), menus with shortcuts; layout and geometry remembered between runs. Talks to the store only through
// the StoreClient's asynchronous calls. Lives on the GUI thread; does not own the store client.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const ConsoleServices& services, QWidget* parent = nullptr);
    ~MainWindow() override;

    const ConsoleServices& services() const { return m_services; }
    qint64 activeIncidentId() const { return m_activeId; }
    std::optional<Incident> activeIncident() const;
    void setActiveIncident(qint64 incidentId);

    IncidentListModel* incidentModel() const { return m_incidents; }
    TimelineModel* timelineModel() const { return m_timeline; }
    IncidentHeader* header() const { return m_header; }
    TimelinePane* timelinePane() const { return m_timelinePane; }
    // The clock the window's durations use: the services' ClockWatch's, else the window's own.
    const MonotonicWallClock* clock() const;
    QLabel* clockNote() const { return m_clockNote; } // null until the system clock jumped
    // The panes of the working docks: built just after the first paint, or when first asked for.
    EscalationPanel* escalationPanel(); // null without an escalation service
    QTableView* incidentView() const { return m_incidentView; }
    DbaPane* dbaPane(); // built the first time the Database dock is shown, or asked for
    DashboardPane* dashboardPane(); // null without a metrics service
    class AlertBar* alertBar() const { return m_alertBar; } // under the header; null without a metrics service

    // The active environment's name ("sandbox"); empty when there are no profiles.
    QString activeEnvironment() const;
    // Asks to switch the active environment (window-modal, not blocking); switching is recorded.
    void requestEnvironmentSwitch(const QString& name);

    // Opens the new-incident dialog (window-modal, not blocking) and returns it; the one already open if there is one.
    class NewIncidentDialog* openNewIncidentDialog();
    // The runbook wizard's "open an incident for this runbook": attaches to (or opens, as the alert banner does) the
    // incident of the runbook's live alert, else the dialog prefilled; never a second one while one is being opened.
    void openIncidentForRunbook(Severity severity, const QString& runbookTitle);

    // Shows the runbook wizard dock with the library's runbook of that title (the picker when there is none).
    void openRunbookWizard(const QString& runbookTitle);
    class RunbookWizard* runbookWizard() const { return m_wizard; }
    // The runbook's SQL session is kept open for the active environment from the first paint on (the program
    // asks for it; test windows do not, so that they hold no connection of their own): docs/WIZARD.md.
    void keepStepSessionOpen();

Q_SIGNALS:
    void activeIncidentChanged(qint64 incidentId);
    void storeReady();
    void firstPainted(); // once, just after the window was first painted: time for work the window need not wait for

protected:
    bool event(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    // A dock in area, named objectName (its key in the saved layout), with its entry in the View menu.
    class QDockWidget* addDock(const QString& title, const QString& objectName, Qt::DockWidgetArea area, QMenu* view,
        QWidget* widget = nullptr);
    void createRunbookDock(QMenu* view);
    void createEnvironmentBar();
    void arrangeDefaultDocks();
    void sizeDefaultDocks();
    void switchEnvironment(const QString& name);
    void showActiveEnvironment();
    void restoreLayout();
    void saveLayout() const;
    void updateActions();
    void updateTitle();

    void onStoreOpened(int schemaVersion);
    void onStoreOpenFailed(const StoreError& error);
    void showStorePath();
    void onStoreCheckProgress(int percent);
    void onStoreDamaged(const StoreError& error);
    void exportReadable(); // of a damaged store: asks where (non-modal), then StoreSalvage on a thread of its own
    void onIncidentsLoaded(quint64 requestId, const QList<Incident>& incidents);
    void onIncidentChanged(const Incident& incident);
    void onEventsAppended(const QList<TimelineEvent>& events);
    void onEventsLoaded(quint64 requestId, qint64 incidentId, const QList<TimelineEvent>& events);
    void onEventCountLoaded(quint64 requestId, qint64 incidentId, qint64 count);
    void onWriteFailed(const QString& what, const StoreError& error);
    void onSelectionChanged();
    void onClockJumped(const ClockJump& jump);

    void acknowledge();
    void nextStep();
    void markMitigating();
    void resolve();
    void changeSeverity(Severity severity);
    void addNote(const QString& text);

    ConsoleServices m_services;
    StoreClient* m_store;
    MonotonicWallClock m_clock;
    IncidentListModel* m_incidents;
    IncidentFilterModel* m_incidentFilter;
    TimelineModel* m_timeline;
    IncidentHeader* m_header;
    TimelinePane* m_timelinePane;
    EscalationPanel* m_escalationPanel = nullptr;
    QTableView* m_incidentView = nullptr;
    DashboardPane* m_dashboard = nullptr;
    class AlertBar* m_alertBar = nullptr;
    QComboBox* m_showFilter = nullptr;
    QLabel* m_storeStatus;
    QLabel* m_clockNote = nullptr; // the last jump of the system clock, once there was one
    QComboBox* m_environment = nullptr;
    QLabel* m_environmentBadge = nullptr;
    DbaPane* m_dbaPane = nullptr;
    class QDockWidget* m_escalationDock = nullptr;
    class QDockWidget* m_dashboardDock = nullptr;
    bool m_firstPaintSeen = false;
    class QDockWidget* m_dbaDock = nullptr;
    class RunbookWizard* m_wizard = nullptr;
    class QDockWidget* m_wizardDock = nullptr;

    qint64 m_activeId = 0;
    qint64 m_restoreActiveId = 0;
    bool m_rowsLeaving = false; // the incident list is removing rows: its selection moves by itself
    bool m_storeOpen = false;
    bool m_storeDamaged = false; // writes stopped: the file was found damaged
    StoreError m_openError; // why the store could not be opened, if it could not
    quint64 m_incidentsRequest = 0;
    quint64 m_pageRequest = 0;
    quint64 m_countRequest = 0;
    QString m_pendingCreateTitle; // select the incident this window just asked to create
    QPointer<class NewIncidentDialog> m_newIncidentDialog; // the one open, if any
    bool m_wizardRestored = false;
    QString m_pendingNote; // a note being written, given back to the editor if the write fails

    QAction* m_newIncident = nullptr;
    QAction* m_exportReadable = nullptr;
    class StoreSalvage* m_salvage = nullptr;
    QAction* m_acknowledge = nullptr;
    QAction* m_nextStep = nullptr;
    QAction* m_mitigating = nullptr;
    QAction* m_resolve = nullptr;
    QAction* m_addNote = nullptr;
    QList<QAction*> m_severityActions;
    class PostmortemLauncher* m_postmortems = nullptr;

public:
    PostmortemLauncher* postmortems() const { return m_postmortems; }
};
