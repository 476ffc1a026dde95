// SPDX-License-Identifier: MIT
#include "ui/mainwindow.h"

#include "models/environmentlistmodel.h"
#include "models/incidentfiltermodel.h"
#include "models/incidentlistmodel.h"
#include "models/responseflow.h"
#include "models/timelinemodel.h"
#include "services/auditrecorder.h"
#include "services/clockwatch.h"
#include "services/metricsservice.h"
#include "services/storeclient.h"
#include "services/storesalvage.h"
#include "ui/alertbar.h"
#include "ui/columnfit.h"
#include "ui/dashboardpane.h"
#include "ui/dbapane.h"
#include "ui/escalationpanel.h"
#include "ui/incidentheader.h"
#include "ui/newincidentdialog.h"
#include "ui/postmortemlauncher.h"
#include "ui/runbookwizard.h"
#include "ui/severitystyle.h"
#include "ui/timelinepane.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

MainWindow::MainWindow(const ConsoleServices& services, QWidget* parent)
    : QMainWindow(parent)
    , m_services(services)
    , m_store(services.store)
    , m_incidents(new IncidentListModel(this))
    , m_incidentFilter(new IncidentFilterModel(this))
    , m_timeline(new TimelineModel(this))
    , m_header(new IncidentHeader(services.clock ? services.clock->clock() : &m_clock, this))
    , m_timelinePane(new TimelinePane(m_timeline, this))
    , m_storeStatus(new QLabel(this))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("PetForce Ops Console"));
    setDockNestingEnabled(true);
    m_incidentFilter->setSourceModel(m_incidents);
    setCentralWidget(m_timelinePane);
    m_storeStatus->setObjectName(u"storeStatus"_s);
    statusBar()->addPermanentWidget(m_storeStatus);
    m_storeStatus->setText(tr("Opening the incident store…"));
    if (m_services.audit) {
        // Results of commands the store did not take yet (kept in memory, retried): issue 15.
        auto* unrecorded = new QLabel(this);
        unrecorded->setObjectName(u"unrecordedStatus"_s);
        unrecorded->setStyleSheet(u"QLabel { color: #b00020; font-weight: bold; }"_s);
        unrecorded->hide();
        statusBar()->addPermanentWidget(unrecorded);
        connect(m_services.audit, &AuditRecorder::unrecordedChanged, unrecorded, [this, unrecorded](int count) {
            unrecorded->setVisible(count > 0);
            unrecorded->setText(tr("%n command result(s) not recorded", nullptr, count));
            unrecorded->setToolTip(tr("The incident store refused them (%1). They are kept in memory and written "
                                      "as soon as it takes writes again; quitting now loses them (their runs then "
                                      "read “outcome unknown”).")
                                       .arg(m_services.audit->lastError()));
        });
    }

    createActions();

    createDocks();

    createEnvironmentBar();

    restoreLayout();

    connect(m_store, &StoreClient::opened, this, &MainWindow::onStoreOpened);
    connect(m_store, &StoreClient::openFailed, this, &MainWindow::onStoreOpenFailed);
    connect(m_store, &StoreClient::checkProgress, this, &MainWindow::onStoreCheckProgress);
    connect(m_store, &StoreClient::checkPassed, this, &MainWindow::showStorePath);
    connect(m_store, &StoreClient::damaged, this, &MainWindow::onStoreDamaged);
    connect(m_store, &StoreClient::movedAside, this, [this](const QString& moved) {
        m_storeDamaged = false;
        m_storeOpen = false;
        updateActions();
        statusBar()->showMessage(
            tr("The damaged store was moved to %1; a new store starts at %2.").arg(moved, m_store->path()));
    });
    connect(m_store, &StoreClient::moveAsideFailed, this, [this](const QString& why) {
        QMessageBox::critical(this, tr("Incident store"), tr("Could not move the store aside: %1").arg(why));
    });
    connect(m_store, &StoreClient::incidentsLoaded, this, &MainWindow::onIncidentsLoaded);
    connect(m_store, &StoreClient::incidentChanged, this, &MainWindow::onIncidentChanged);
    connect(m_store, &StoreClient::eventsAppended, this, &MainWindow::onEventsAppended);
    connect(m_store, &StoreClient::eventsLoaded, this, &MainWindow::onEventsLoaded);
    connect(m_store, &StoreClient::eventCountLoaded, this, &MainWindow::onEventCountLoaded);
    connect(m_store, &StoreClient::writeFailed, this, &MainWindow::onWriteFailed);
    connect(m_timeline, &TimelineModel::fetchRequested, this, [this](qint64 incidentId, qint64 afterSeq, int limit) {
        m_pageRequest = m_store->requestEvents(incidentId, afterSeq, limit);
    });
    connect(m_timelinePane, &TimelinePane::noteSubmitted, this, &MainWindow::addNote);
    if (m_services.clock)
        connect(m_services.clock, &ClockWatch::jumped, this, &MainWindow::onClockJumped);
    updateActions();
}

const MonotonicWallClock* MainWindow::clock() const { return m_services.clock ? m_services.clock->clock() : &m_clock; }

void MainWindow::onClockJumped(const ClockJump& jump)
{
    // Not a dialog: a line in the status bar that stays (the timeline has the note), and the message once.
    if (!m_clockNote) {
        m_clockNote = new QLabel(this);
        m_clockNote->setObjectName(u"clockNote"_s);
        QPalette palette = m_clockNote->palette();
        palette.setColor(QPalette::WindowText, QColor(0xb2, 0x5b, 0x00));
        m_clockNote->setPalette(palette);
        statusBar()->insertPermanentWidget(0, m_clockNote, 1);
    }
    m_clockNote->setText(jump.message());
    m_clockNote->setToolTip(tr("System clock: %1; incident clocks: %2 (the monotonic clock from the start, never "
                               "earlier than the times recorded in the store)")
                                .arg(QDateTime::fromMSecsSinceEpoch(jump.wallMs, Qt::UTC).toString(Qt::ISODate),
                                    QDateTime::fromMSecsSinceEpoch(jump.shownMs, Qt::UTC).toString(Qt::ISODate)));
}

MainWindow::~MainWindow() = default;

std::optional<Incident> MainWindow::activeIncident() const { return m_incidents->incident(m_activeId); }

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_newIncident = file->addAction(tr("&New Incident…"), this, [this] { openNewIncidentDialog(); });
    m_newIncident->setObjectName(u"actionNewIncident"_s);
    m_newIncident->setShortcut(QKeySequence::New);
    m_exportReadable = file->addAction(tr("&Export What Can Be Read…"), this, &MainWindow::exportReadable);
    m_exportReadable->setObjectName(u"actionExportReadable"_s);
    m_exportReadable->setToolTip(tr("Only for a damaged store: its readable incidents and events as JSON Lines"));
    m_exportReadable->setVisible(false);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(u"actionQuit"_s);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* incident = menuBar()->addMenu(tr("&Incident"));
    m_acknowledge = incident->addAction(tr("&Acknowledge"), this, &MainWindow::acknowledge);
    m_acknowledge->setObjectName(u"actionAcknowledge"_s);
    m_acknowledge->setShortcut(Qt::CTRL | Qt::Key_K);
    m_nextStep = incident->addAction(tr("Ne&xt Step"), this, &MainWindow::nextStep);
    m_nextStep->setObjectName(u"actionNextStep"_s);
    m_nextStep->setShortcut(Qt::CTRL | Qt::Key_BracketRight);
    m_mitigating = incident->addAction(tr("&Mitigating"), this, &MainWindow::markMitigating);
    m_mitigating->setObjectName(u"actionMitigating"_s);
    m_mitigating->setToolTip(tr("Set the status to Mitigating: the cause is known and a fix is under way"));
    m_resolve = incident->addAction(tr("&Resolve…"), this, &MainWindow::resolve);
    m_resolve->setObjectName(u"actionResolve"_s);
    m_resolve->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_R);
    QMenu* severity = incident->addMenu(tr("Change &Severity"));
    for (const SeverityLevel& level : SeverityTable::defaults().levels()) {
        QAction* a = severity->addAction(level.label(), this, [this, s = level.severity] { changeSeverity(s); });
        a->setObjectName(u"actionSeverity"_s + severityCode(level.severity));
        a->setToolTip(level.description);
        m_severityActions.append(a);
    }
    incident->addSeparator();
    m_addNote = incident->addAction(tr("Add &Note"), this, [this] { m_timelinePane->focusNoteEditor(); });
    m_addNote->setObjectName(u"actionAddNote"_s);
    m_addNote->setShortcut(Qt::CTRL | Qt::Key_M);
    incident->addSeparator();
    m_postmortems = new PostmortemLauncher(this, m_store, incident);

    m_header->addActionButton(m_acknowledge);
    m_header->addActionButton(m_nextStep);
    m_header->addActionButton(m_mitigating);
    m_header->addActionButton(m_resolve);
    m_header->addActionButton(m_postmortems->action()); // the flow's last step, one click from the header
}

void MainWindow::createDocks()
{
    auto* list = new QWidget(this);
    m_showFilter = new QComboBox(list);
    m_showFilter->setObjectName(u"incidentShowFilter"_s);
    m_showFilter->addItem(tr("Open incidents"), int(IncidentFilterModel::Show::Open));
    m_showFilter->addItem(tr("Resolved incidents"), int(IncidentFilterModel::Show::Resolved));
    m_showFilter->addItem(tr("All incidents"), int(IncidentFilterModel::Show::All));
    connect(m_showFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_incidentFilter->setShow(IncidentFilterModel::Show(m_showFilter->currentData().toInt())); });
    m_incidentView = new QTableView(list);
    m_incidentView->setObjectName(u"incidentView"_s);
    m_incidentView->setModel(m_incidentFilter);
    m_incidentView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_incidentView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_incidentView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_incidentView->setSortingEnabled(true);
    m_incidentView->sortByColumn(IncidentListModel::StartedColumn, Qt::DescendingOrder);
    m_incidentView->verticalHeader()->hide();
    m_incidentView->horizontalHeader()->setStretchLastSection(true);
    m_incidentView->setColumnWidth(IncidentListModel::SeverityColumn, 40);
    m_incidentView->setColumnWidth(IncidentListModel::TitleColumn, 220);
    connect(m_incidentView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::onSelectionChanged);
    // A row leaving the list (the resolved incident under "Open incidents") moves the view's selection to a
    // neighbour: that is not the commander choosing it, and the active incident stays.
    QAbstractItemModel* shown = m_incidentView->model();
    connect(shown, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this] { m_rowsLeaving = true; });
    connect(shown, &QAbstractItemModel::rowsRemoved, this, [this] { m_rowsLeaving = false; });
    connect(shown, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_rowsLeaving = true; });
    connect(shown, &QAbstractItemModel::modelReset, this, [this] { m_rowsLeaving = false; });
    auto* layout = new QVBoxLayout(list);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_showFilter);
    layout->addWidget(m_incidentView);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    addDock(tr("Incidents"), u"incidentsDock"_s, Qt::LeftDockWidgetArea, view, list);
    // The firing alerts under the header, whatever pane is in front (also in the window title).
    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_header);
    if (m_services.metrics) {
        m_alertBar = new AlertBar(m_services.metrics, top);
        m_alertBar->setNotifying(true);
        topLayout->addWidget(m_alertBar);
        connect(m_alertBar, &AlertBar::openIncidentRequested, this,
            [this](const QString& ruleId) { dashboardPane()->openIncidentForAlert(ruleId); });
        connect(m_alertBar, &AlertBar::runbookRequested, this, &MainWindow::openRunbookWizard);
        connect(m_alertBar, &AlertBar::changed, this, &MainWindow::updateTitle);
    }
    addDock(tr("Active Incident"), u"activeIncidentDock"_s, Qt::TopDockWidgetArea, view, top);

    // DBA views: built the first time the dock is shown (a hidden tab costs nothing at start-up), polled only
    // while it is shown.
    m_dbaDock = addDock(tr("Database"), u"dbaDock"_s, Qt::BottomDockWidgetArea, view);
    m_dbaDock->hide();
    connect(m_dbaDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            dbaPane()->setShown(true);
        else if (m_dbaPane)
            m_dbaPane->setShown(false);
    });

    createRunbookDock(view);
    // Their panes are built just after the first paint, or when first asked for (escalationPanel(),
    // dashboardPane()).
    if (m_services.escalation)
        m_escalationDock = addDock(tr("Escalation"), u"escalationDock"_s, Qt::RightDockWidgetArea, view);
    if (m_services.metrics)
        m_dashboardDock = addDock(tr("Dashboards"), u"dashboardsDock"_s, Qt::RightDockWidgetArea, view);

    arrangeDefaultDocks();
}

DbaPane* MainWindow::dbaPane()
{
    if (!m_dbaPane) {
        m_dbaPane = new DbaPane(
            m_services, [this] { return activeIncident() && activeIncident()->isOpen() ? m_activeId : 0; }, m_dbaDock);
        m_dbaDock->setWidget(m_dbaPane);
    }
    return m_dbaPane;
}

void MainWindow::arrangeDefaultDocks()
{
    // The layout before any is remembered: the working panes (runbook, escalation, dashboards, database) share the
    // bottom area as tabs under the timeline, full width, with the runbook in front. Their contents are wide; side
    // by side they would squeeze the timeline. restoreLayout() replaces this with the saved layout.
    QList<QDockWidget*> panes;
    for (QDockWidget* dock : findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly)) {
        const Qt::DockWidgetArea area = dockWidgetArea(dock);
        if (area == Qt::RightDockWidgetArea || area == Qt::BottomDockWidgetArea) {
            addDockWidget(Qt::BottomDockWidgetArea, dock);
            panes.append(dock);
        }
    }
    for (int i = 1; i < panes.size(); ++i)
        tabifyDockWidget(panes.constFirst(), panes.at(i));
    if (m_wizardDock)
        m_wizardDock->raise();
}

void MainWindow::sizeDefaultDocks()
{
    // Once the window has its size: the incidents list as wide as its severity, title and status columns (at 260
    // px it showed the title cut, behind a scroll bar) but at most a third; the working panes (the runbook's step with
    // its Run button) three fifths of the height.
    if (auto* incidents = findChild<QDockWidget*>(u"incidentsDock"_s)) {
        const QHeaderView* header = m_incidentView->horizontalHeader();
        int columns = 0;
        for (int c : { int(IncidentListModel::SeverityColumn), int(IncidentListModel::TitleColumn),
                 int(IncidentListModel::StatusColumn) })
            columns += header->sectionSize(c);
        const int wanted
            = columns + m_incidentView->verticalScrollBar()->sizeHint().width() + 2 * m_incidentView->frameWidth() + 8;
        resizeDocks({ incidents }, { std::clamp(wanted, 260, std::max(260, width() / 3)) }, Qt::Horizontal);
    }
    if (m_wizardDock && dockWidgetArea(m_wizardDock) == Qt::BottomDockWidgetArea)
        resizeDocks({ m_wizardDock }, { height() * 3 / 5 }, Qt::Vertical);
}

QDockWidget* MainWindow::addDock(
    const QString& title, const QString& objectName, Qt::DockWidgetArea area, QMenu* view, QWidget* widget)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName); // the key of its place in the saved layout
    if (widget)
        dock->setWidget(widget);
    addDockWidget(area, dock);
    view->addAction(dock->toggleViewAction());
    // Shown from the View menu: brought to the front of its tab group, not left behind another tab.
    connect(dock->toggleViewAction(), &QAction::triggered, dock, [dock](bool shown) {
        if (shown)
            dock->raise();
    });
    return dock;
}

void MainWindow::keepStepSessionOpen()
{
    if (!m_services.environments || !m_wizard)
        return;
    const auto keepSession = [this] {
        const int row = m_services.environments->activeRow();
        if (row >= 0 && m_wizard->executor())
            m_wizard->executor()->keepSessionFor(m_services.environments->profiles().at(row));
    };
    connect(this, &MainWindow::firstPainted, m_wizard, keepSession);
    connect(m_services.environments, &EnvironmentListModel::activeChanged, m_wizard, keepSession);
    connect(m_services.environments, &QAbstractItemModel::modelReset, m_wizard, keepSession);
}

void MainWindow::createRunbookDock(QMenu* view)
{
    m_wizard = new RunbookWizard(m_services, this);
    m_wizard->setObjectName(u"runbookWizard"_s);
    auto* scroll = new QScrollArea(this); // the dock asks no minimum size of the window
    scroll->setWidget(m_wizard);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_wizardDock = addDock(tr("Runbook"), u"runbookDock"_s, Qt::RightDockWidgetArea, view, scroll);
    connect(this, &MainWindow::activeIncidentChanged, m_wizard, [this] { m_wizard->setIncident(activeIncident()); });
    connect(m_wizard, &RunbookWizard::incidentRequested, this, &MainWindow::openIncidentForRunbook);
}

void MainWindow::openRunbookWizard(const QString& runbookTitle)
{
    m_wizardDock->show();
    m_wizardDock->raise();
    m_wizard->openRunbook(runbookTitle);
    statusBar()->showMessage(tr("Runbook: %1").arg(runbookTitle), 15000);
}

EscalationPanel* MainWindow::escalationPanel()
{
    if (!m_escalationPanel && m_escalationDock) {
        m_escalationPanel = new EscalationPanel(m_services.escalation, m_escalationDock);
        m_escalationDock->setWidget(m_escalationPanel);
        const auto follow = [this] { m_escalationPanel->setIncident(activeIncident()); };
        connect(this, &MainWindow::activeIncidentChanged, m_escalationPanel, follow);
        connect(m_store, &StoreClient::incidentChanged, m_escalationPanel, follow, Qt::QueuedConnection);
        follow();
    }
    return m_escalationPanel;
}

DashboardPane* MainWindow::dashboardPane()
{
    if (!m_dashboard && m_dashboardDock) {
        m_dashboard = new DashboardPane(m_services.metrics, m_store, m_dashboardDock);
        m_dashboardDock->setWidget(m_dashboard);
        // Tabified, the pane stays "visible" behind the front tab: its charts are drawn when its tab comes
        // forward.
        connect(m_dashboardDock, &QDockWidget::visibilityChanged, m_dashboard,
            [this] { QMetaObject::invokeMethod(m_dashboard, &DashboardPane::updateShown, Qt::QueuedConnection); });
        for (QAction* menu : menuBar()->actions())
            if (menu->menu() && menu->text() == tr("&Incident"))
                menu->menu()->addMenu(m_dashboard->dashboardsMenu());
        // A firing alert's "open incident" makes that incident the active one, then opens its runbook's wizard.
        connect(m_dashboard, &DashboardPane::incidentOpened, this, [this](qint64 id) { setActiveIncident(id); });
        connect(m_dashboard, &DashboardPane::runbookRequested, this, &MainWindow::openRunbookWizard);
        if (m_alertBar) // "Incident #N" once linked
            connect(m_dashboard, &DashboardPane::incidentOpened, m_alertBar, &AlertBar::refresh);
    }
    return m_dashboard;
}

bool MainWindow::event(QEvent* event)
{
    // The panes behind other tabs (escalation, dashboards) are built just after the window's first paint: the
    // window shows sooner, and they are ready a moment later, whether shown or not (alerts, escalation timers).
    // The Database pane waits until it is shown: it only polls while shown.
    if (event->type() == QEvent::Paint && !m_firstPaintSeen) {
        m_firstPaintSeen = true;
        QTimer::singleShot(0, this, [this] {
            escalationPanel();
            dashboardPane();
            Q_EMIT firstPainted();
        });
    }
    return QMainWindow::event(event);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    settings.beginGroup(u"MainWindow"_s);
    if (!restoreGeometry(settings.value(u"geometry"_s).toByteArray())) {
        // A first start: nine tenths of the screen (frame and panels fit), at most 1600×1000 (1260×810 on Xvfb's
        // 1400×900; it was 1280×800 whatever the screen, wider than a small one).
        const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1280, 800);
        resize(std::min(1600, screen.width() * 9 / 10), std::min(1000, screen.height() * 9 / 10));
    }
    if (!restoreState(settings.value(u"state"_s).toByteArray()))
        QTimer::singleShot(0, this, &MainWindow::sizeDefaultDocks);
    m_incidentView->horizontalHeader()->restoreState(settings.value(u"incidentColumns"_s).toByteArray());
    m_timelinePane->view()->horizontalHeader()->restoreState(settings.value(u"timelineColumns"_s).toByteArray());
    // Whatever was saved (an earlier version's 40 px), the severity column fits "Sev" with its sort arrow and "P0".
    ColumnFit::widen(m_incidentView, m_incidentView->horizontalHeader(), IncidentListModel::SeverityColumn,
        { severityCode(Severity::P0), severityCode(Severity::P3) });
    m_showFilter->setCurrentIndex(std::clamp(settings.value(u"incidentFilter"_s, 0).toInt(), 0, 2));
    m_restoreActiveId = settings.value(u"activeIncident"_s, 0).toLongLong();
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(u"MainWindow"_s);
    settings.setValue(u"geometry"_s, saveGeometry());
    settings.setValue(u"state"_s, saveState());
    settings.setValue(u"incidentColumns"_s, m_incidentView->horizontalHeader()->saveState());
    settings.setValue(u"timelineColumns"_s, m_timelinePane->view()->horizontalHeader()->saveState());
    settings.setValue(u"incidentFilter"_s, m_showFilter->currentIndex());
    settings.setValue(u"activeIncident"_s, m_activeId);
    settings.endGroup();
    const RunbookWizard::Place place = m_wizard->place();
    settings.beginGroup(u"RunbookWizard"_s);
    settings.setValue(u"store"_s, m_store->path());
    settings.setValue(u"runbook"_s, place.runbook);
    settings.setValue(u"option"_s, place.option);
    settings.setValue(u"item"_s, place.item);
    settings.setValue(u"incident"_s, place.incident);
    settings.setValue(u"atMs"_s, place.atMs);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    if (m_postmortems)
        m_postmortems->closeEditors(); // else Quit left them open and the process running
    QMainWindow::closeEvent(event);
}

void MainWindow::updateActions()
{
    const auto incident = activeIncident();
    const bool open = m_storeOpen && !m_storeDamaged && incident && incident->isOpen();
    m_newIncident->setEnabled(m_storeOpen && !m_storeDamaged);
    m_acknowledge->setEnabled(open && !incident->acknowledgedMs);
    m_nextStep->setEnabled(open && incident->flowStep + 1 < ResponseFlow::defaults().stepCount());
    if (open && incident->flowStep + 1 < ResponseFlow::defaults().stepCount())
        m_nextStep->setText(tr("Ne&xt Step: %1").arg(ResponseFlow::defaults().step(incident->flowStep + 1).name));
    else
        m_nextStep->setText(tr("Ne&xt Step"));
    m_mitigating->setEnabled(open && incident->status == IncidentStatus::Investigating);
    m_resolve->setEnabled(open);
    for (int i = 0; i < m_severityActions.size(); ++i)
        m_severityActions[i]->setEnabled(open && int(incident->severity) != i);
    m_addNote->setEnabled(m_storeOpen && incident.has_value());
    m_timelinePane->setNoteEnabled(m_storeOpen && incident.has_value());
}

void MainWindow::updateTitle()
{
    const auto incident = activeIncident();
    const QString firing = m_alertBar ? m_alertBar->titlePrefix() : QString(); // "[P0 FIRING] "
    if (!incident) {
        setWindowTitle(firing + tr("PetForce Ops Console"));
        return;
    }
    setWindowTitle(
        firing + u"[%1] %2 — %3"_s.arg(severityCode(incident->severity), incident->title, tr("PetForce Ops Console")));
}

void MainWindow::setActiveIncident(qint64 incidentId)
{
    if (incidentId == m_activeId)
        return;
    const auto incident = m_incidents->incident(incidentId);
    m_activeId = incident ? incidentId : 0;
    m_header->setIncident(incident);
    m_timeline->setIncident(m_activeId, incident ? incident->startedMs : 0, -1);
    m_pageRequest = 0;
    if (m_activeId) {
        m_countRequest = m_store->requestEventCount(m_activeId);
        m_timeline->fetchMore({});
        const int row = m_incidents->rowOf(m_activeId);
        const QModelIndex proxyIndex = m_incidentFilter->mapFromSource(m_incidents->index(row, 0));
        if (proxyIndex.isValid() && m_incidentView->currentIndex().row() != proxyIndex.row())
            m_incidentView->selectRow(proxyIndex.row());
    }
    updateActions();
    updateTitle();
    Q_EMIT activeIncidentChanged(m_activeId);
}

QString MainWindow::activeEnvironment() const
{
    return m_services.environments ? m_services.environments->activeName() : QString();
}

void MainWindow::createEnvironmentBar()
{
    auto* bar = addToolBar(tr("Environment"));
    bar->setObjectName(u"environmentBar"_s);
    bar->setMovable(false);
    bar->addWidget(new QLabel(tr(" Environment: "), bar));
    m_environment = new QComboBox(bar);
    m_environment->setObjectName(u"environmentSwitcher"_s);
    m_environment->setToolTip(tr("Where runbook commands run. Switching asks first and is recorded."));
    bar->addWidget(m_environment);
    m_environmentBadge = new QLabel(bar);
    m_environmentBadge->setObjectName(u"environmentIndicator"_s);
    bar->addWidget(m_environmentBadge);
    if (!m_services.environments) {
        bar->setEnabled(false);
        return;
    }
    m_environment->setModel(m_services.environments);
    connect(m_environment, &QComboBox::activated, this, [this](int row) {
        requestEnvironmentSwitch(m_services.environments->index(row).data(EnvironmentListModel::NameRole).toString());
    });
    connect(m_services.environments, &EnvironmentListModel::activeChanged, this, &MainWindow::showActiveEnvironment);
    connect(m_services.environments, &QAbstractItemModel::modelReset, this, &MainWindow::showActiveEnvironment);
    showActiveEnvironment();
}

void MainWindow::showActiveEnvironment()
{
    if (!m_services.environments)
        return;
    const int row = m_services.environments->activeRow();
    m_environment->setCurrentIndex(row);
    const QModelIndex index = m_services.environments->index(row);
    const QString name = index.data(EnvironmentListModel::NameRole).toString();
    m_environmentBadge->setText(name.isEmpty() ? tr("none") : u" %1 "_s.arg(name.toUpper()));
    if (index.data(EnvironmentListModel::IsProductionRole).toBool())
        SeverityStyle::paintBadge(m_environmentBadge, QColor(0xb7, 0x1c, 0x1c), Qt::white);
    else
        SeverityStyle::paintEnvironmentBadge(m_environmentBadge, name);
}

void MainWindow::requestEnvironmentSwitch(const QString& name)
{
    if (!m_services.environments || name == activeEnvironment()) {
        showActiveEnvironment();
        return;
    }
    const int row = m_services.environments->rowOf(name);
    if (row < 0) {
        showActiveEnvironment();
        return;
    }
    const bool production = m_services.environments->index(row).data(EnvironmentListModel::IsProductionRole).toBool();
    auto* box = new QMessageBox(production ? QMessageBox::Warning : QMessageBox::Question, tr("Switch Environment"),
        tr("Switch from %1 to %2?").arg(activeEnvironment(), name), QMessageBox::NoButton, this);
    box->setObjectName(u"environmentSwitchBox"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(production ? tr("Runbook commands will then run against PRODUCTION.")
                                       : tr("Runbook commands will then run against %1.").arg(name));
    QPushButton* yes = box->addButton(tr("Switch to %1").arg(name), QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, yes, name] {
        if (box->clickedButton() == yes)
            switchEnvironment(name);
        else
            showActiveEnvironment(); // the combo goes back to what is active
    });
    box->open();
}

void MainWindow::switchEnvironment(const QString& name)
{
    const QString from = activeEnvironment();
    if (!m_services.environments->setActive(name))
        return;
    QSettings().setValue(u"environment/active"_s, name);
    statusBar()->showMessage(tr("Environment switched from %1 to %2").arg(from, name), 8000);
    if (m_activeId > 0 && activeIncident() && activeIncident()->isOpen()) {
        m_store->appendEvent(m_activeId, u"environment.switched"_s,
            tr("Environment switched from %1 to %2").arg(from, name),
            QJsonObject { { u"from"_s, from }, { u"to"_s, name } });
    }
}

void MainWindow::openIncidentForRunbook(Severity severity, const QString& runbookTitle)
{
    // Never a second incident for the same thing: the dialog already open, an incident being created, or the
    // runbook's alert (attached to its open incident, or opened as the banner does).
    if (m_newIncidentDialog && m_newIncidentDialog->isVisible()) {
        m_newIncidentDialog->raise();
        m_newIncidentDialog->activateWindow();
        return;
    }
    if (!m_pendingCreateTitle.isEmpty())
        return;
    if (MetricsService* metrics = m_services.metrics; metrics && dashboardPane()) {
        for (const AlertState& alert : metrics->alerts()) {
            const AlertRule& rule = alert.rule();
            const bool live = alert.state() == AlertState::State::Firing || alert.state() == AlertState::State::Pending
                || metrics->linkedIncident(rule.id()) > 0;
            if (live && rule.runbookTitle.compare(runbookTitle, Qt::CaseInsensitive) == 0
                && m_dashboard->openIncidentForAlert(rule.id()))
                return;
        }
    }
    NewIncidentDialog* dialog = openNewIncidentDialog();
    dialog->setSeverity(severity);
    dialog->setTitle(runbookTitle);
}

NewIncidentDialog* MainWindow::openNewIncidentDialog()
{
    if (m_newIncidentDialog && m_newIncidentDialog->isVisible()) {
        m_newIncidentDialog->raise(); // one at a time
        return m_newIncidentDialog;
    }
    QStringList environments;
    if (m_services.environments) {
        for (const EnvironmentProfile& p : m_services.environments->profiles())
            environments.append(p.name());
    }
    if (environments.isEmpty())
        environments = QStringList { u"production"_s, u"staging"_s, u"sandbox"_s };
    auto* dialog = new NewIncidentDialog(environments, this);
    m_newIncidentDialog = dialog;
    dialog->setEnvironment(activeEnvironment());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const IncidentDraft draft = dialog->draft();
        m_pendingCreateTitle = draft.title;
        m_store->createIncident(draft);
    });
    dialog->open();
    return dialog;
}

void MainWindow::onStoreOpened(int schemaVersion)
{
    m_storeOpen = true;
    showStorePath();
    m_storeStatus->setToolTip(tr("Incident store schema version %1").arg(schemaVersion));
    m_incidentsRequest = m_store->requestIncidents(IncidentStore::Filter::All);
    updateActions();
}

void MainWindow::showStorePath()
{
    if (!m_storeDamaged)
        m_storeStatus->setText(tr("Store: %1").arg(m_store->path()));
}

void MainWindow::onStoreCheckProgress(int percent)
{
    m_storeStatus->setText(percent < 0
            ? tr("Checking the incident store (read-only until it has passed)…")
            : tr("Checking the incident store: %1% (read-only until it has passed)…").arg(percent));
}

void MainWindow::onStoreDamaged(const StoreError& error)
{
    m_storeDamaged = true;
    m_storeStatus->setText(tr("Store damaged: read-only"));
    m_storeStatus->setToolTip(error.message);
    m_exportReadable->setVisible(true);
    updateActions();
    auto* box = new QMessageBox(
        QMessageBox::Critical, tr("Incident store damaged"), error.message, QMessageBox::NoButton, this);
    box->setObjectName(u"storeDamagedBox"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("Store file: %1\nNothing more will be written to it. Notes and changes are refused "
                               "(and given back) until it is moved aside.")
                                .arg(m_store->path()));
    QPushButton* exportButton = box->addButton(tr("Export What Can Be Read…"), QMessageBox::ActionRole);
    exportButton->setObjectName(u"exportReadableButton"_s);
    QPushButton* moveAside = box->addButton(tr("Move Aside and Start a New Store"), QMessageBox::DestructiveRole);
    moveAside->setObjectName(u"moveAsideButton"_s);
    box->addButton(tr("Keep Reading"), QMessageBox::RejectRole);
    box->setDefaultButton(exportButton); // Enter never moves the store aside
    connect(box, &QMessageBox::finished, this, [this, box, moveAside, exportButton] {
        if (box->clickedButton() == moveAside)
            m_store->moveAside();
        else if (box->clickedButton() == exportButton)
            exportReadable();
    });
    box->open();
}

void MainWindow::exportReadable()
{
    if (!m_exportReadable->isVisible() || (m_salvage && m_salvage->isRunning()))
        return;
    const QFileInfo store(m_store->path());
    const QString suggested = store.absolutePath() + u'/' + store.completeBaseName() + u"-readable-"_s
        + QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd-HHmmss"_s) + u".jsonl"_s;
    auto* dialog = new QFileDialog(this, tr("Export What Can Be Read"), suggested, tr("JSON Lines (*.jsonl)"));
    dialog->setObjectName(u"exportReadableDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"jsonl"_s);
    dialog->selectFile(suggested);
    auto again = [this] {
        if (!m_storeOpen && m_openError.code == StoreError::Code::Corrupt)
            onStoreOpenFailed(m_openError); // the only way on: move it aside or quit
    };
    connect(dialog, &QFileDialog::rejected, this, again);
    connect(dialog, &QFileDialog::fileSelected, this, [this, again](const QString& path) {
        if (!m_salvage) {
            m_salvage = new StoreSalvage(this);
            connect(m_salvage, &StoreSalvage::progress, this, [this](int percent) {
                m_storeStatus->setText(tr("Store damaged: exporting what can be read, %1%…").arg(percent));
            });
            connect(m_salvage, &StoreSalvage::finished, this,
                [this](const StoreSalvage::Result& result, const QString& output) {
                    m_storeStatus->setText(m_storeOpen ? tr("Store damaged: read-only") : tr("No incident store"));
                    m_exportReadable->setEnabled(true);
                    auto* box = new QMessageBox(result.ok ? QMessageBox::Information : QMessageBox::Warning,
                        tr("Export What Can Be Read"),
                        result.ok ? tr("Written to %1.").arg(output) : tr("Nothing was written."), QMessageBox::Ok,
                        this);
                    box->setObjectName(u"exportReadableResult"_s);
                    box->setAttribute(Qt::WA_DeleteOnClose);
                    box->setInformativeText(StoreSalvage::summary(result));
                    connect(box, &QMessageBox::finished, this, [this] {
                        if (!m_storeOpen && m_openError.code == StoreError::Code::Corrupt)
                            onStoreOpenFailed(m_openError);
                    });
                    box->open();
                });
        }
        if (m_salvage->start(m_store->path(), path)) {
            m_exportReadable->setEnabled(false);
            m_storeStatus->setText(tr("Store damaged: exporting what can be read…"));
        } else {
            again();
        }
    });
    dialog->open();
}

void MainWindow::onStoreOpenFailed(const StoreError& error)
{
    m_storeStatus->setText(tr("No incident store"));
    m_openError = error;
    auto* box
        = new QMessageBox(QMessageBox::Critical, tr("Incident store"), error.message, QMessageBox::NoButton, this);
    box->setObjectName(u"storeErrorBox"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("Store file: %1").arg(m_store->path()));
    QPushButton* moveAside = nullptr;
    QPushButton* exportButton = nullptr;
    if (error.code == StoreError::Code::Corrupt) {
        m_exportReadable->setVisible(true);
        exportButton = box->addButton(tr("Export What Can Be Read…"), QMessageBox::ActionRole);
        exportButton->setObjectName(u"exportReadableButton"_s);
        moveAside = box->addButton(tr("Move Aside and Start a New Store"), QMessageBox::DestructiveRole);
    }
    QPushButton* retry
        = error.code == StoreError::Code::Busy ? box->addButton(tr("Retry"), QMessageBox::AcceptRole) : nullptr;
    box->addButton(tr("Quit"), QMessageBox::RejectRole);
    if (exportButton)
        box->setDefaultButton(exportButton); // Enter never moves the store aside
    connect(box, &QMessageBox::finished, this, [this, box, moveAside, retry, exportButton] {
        if (moveAside && box->clickedButton() == moveAside) {
            m_store->moveAside(); // on the store's thread, which opens a new store then
        } else if (exportButton && box->clickedButton() == exportButton) {
            exportReadable(); // then this box again: the window has no store to show
        } else if (retry && box->clickedButton() == retry) {
            m_store->open();
        } else {
            close();
        }
    });
    box->open();
}

void MainWindow::onIncidentsLoaded(quint64 requestId, const QList<Incident>& incidents)
{
    if (requestId != m_incidentsRequest)
        return;
    m_incidents->setIncidents(incidents);
    qint64 select = m_restoreActiveId;
    if (!m_incidents->incident(select)) {
        select = 0;
        for (const Incident& i : incidents) {
            if (i.isOpen() && i.startedMs > (select ? m_incidents->incident(select)->startedMs : 0))
                select = i.id;
        }
    }
    m_activeId = -1; // force a refresh even if the same id
    setActiveIncident(select);
    if (!m_wizardRestored) {
        m_wizardRestored = true; // once, at start-up: the runbook and page where the last session left them
        QSettings settings;
        settings.beginGroup(u"RunbookWizard"_s);
        if (settings.value(u"store"_s).toString() == m_store->path()) {
            RunbookWizard::Place saved;
            saved.runbook = settings.value(u"runbook"_s).toString();
            saved.option = settings.value(u"option"_s, 0).toInt();
            saved.item = settings.value(u"item"_s).toString();
            saved.incident = settings.value(u"incident"_s, 0).toLongLong();
            saved.atMs = settings.value(u"atMs"_s, 0).toLongLong();
            m_wizard->restorePlace(saved, m_activeId);
        } else {
            m_wizard->restorePlace({}, m_activeId);
        }
    }
    Q_EMIT storeReady();
}

void MainWindow::onIncidentChanged(const Incident& incident)
{
    const bool known = m_incidents->rowOf(incident.id) >= 0;
    m_incidents->upsert(incident);
    if (!known && !m_pendingCreateTitle.isEmpty() && incident.title == m_pendingCreateTitle) {
        m_pendingCreateTitle.clear();
        setActiveIncident(incident.id);
        return;
    }
    if (incident.id == m_activeId) {
        m_header->setIncident(m_incidents->incident(incident.id));
        m_wizard->setIncident(activeIncident()); // the step page names it with its status
        updateActions();
        updateTitle();
    }
}

void MainWindow::onEventsAppended(const QList<TimelineEvent>& events)
{
    for (const TimelineEvent& e : events) {
        if (e.kind == QStringView(EventKind::Note) && e.incidentId == m_activeId
            && e.actor == IncidentStore::currentOperator())
            m_pendingNote.clear();
    }
    m_timeline->appendLive(events);
}

void MainWindow::onEventsLoaded(quint64 requestId, qint64 incidentId, const QList<TimelineEvent>& events)
{
    if (requestId != m_pageRequest || incidentId != m_timeline->incidentId())
        return; // an answer for a timeline no longer shown
    m_timeline->appendPage(events);
}

void MainWindow::onEventCountLoaded(quint64 requestId, qint64 incidentId, qint64 count)
{
    if (requestId != m_countRequest || incidentId != m_timeline->incidentId())
        return;
    m_timeline->setTotalCount(std::max<qint64>(count, m_timeline->rowCount()));
}

void MainWindow::onWriteFailed(const QString& what, const StoreError& error)
{
    statusBar()->showMessage(tr("Not saved: %1").arg(what), 10000);
    if (!m_pendingNote.isEmpty()) {
        m_timelinePane->restoreNote(m_pendingNote);
        m_pendingNote.clear();
    }
    if (!m_pendingCreateTitle.isEmpty() && what.contains(m_pendingCreateTitle))
        m_pendingCreateTitle.clear();
    auto* box
        = new QMessageBox(QMessageBox::Warning, tr("Not saved"), tr("%1 failed.").arg(what), QMessageBox::Ok, this);
    box->setObjectName(u"writeErrorBox"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(error.message);
    box->open();
}

void MainWindow::onSelectionChanged()
{
    const QModelIndexList rows = m_incidentView->selectionModel()->selectedRows();
    if (rows.isEmpty() || m_rowsLeaving)
        return;
    setActiveIncident(rows.constFirst().data(IncidentListModel::IdRole).toLongLong());
}

void MainWindow::acknowledge()
{
    if (m_activeId > 0)
        m_store->acknowledge(m_activeId);
}

void MainWindow::nextStep()
{
    const auto incident = activeIncident();
    if (incident && incident->flowStep + 1 < ResponseFlow::defaults().stepCount())
        m_store->enterFlowStep(incident->id, incident->flowStep + 1);
}

void MainWindow::markMitigating()
{
    if (m_activeId > 0)
        m_store->changeStatus(m_activeId, IncidentStatus::Mitigating);
}

void MainWindow::resolve()
{
    const auto incident = activeIncident();
    if (!incident)
        return;
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(u"resolveDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Resolve Incident"));
    dialog->setLabelText(
        tr("Resolve “%1”.\nWhat fixed it? (goes on the timeline and into the post-mortem)").arg(incident->title));
    dialog->setOkButtonText(tr("Resolve"));
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QInputDialog::textValueSelected, this,
        [this, id = incident->id](const QString& text) { m_store->resolve(id, text.trimmed()); });
    dialog->open();
}

void MainWindow::changeSeverity(Severity severity)
{
    if (m_activeId > 0)
        m_store->changeSeverity(m_activeId, severity, QString());
}

void MainWindow::addNote(const QString& text)
{
    if (m_activeId <= 0)
        return;
    m_pendingNote = text;
    m_store->addNote(m_activeId, text);
}
