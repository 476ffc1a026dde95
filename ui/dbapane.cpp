// SPDX-License-Identifier: MIT
#include "ui/dbapane.h"

#include "models/blockingtreemodel.h"
#include "models/dbasessionfiltermodel.h"
#include "models/dbasessionmodel.h"
#include "models/environmentlistmodel.h"
#include "models/slowquerymodel.h"
#include "services/dbamonitor.h"
#include "services/pgsession.h"
#include "services/secretstore.h"
#include "services/stepexecutor.h"
#include "ui/columnfit.h"
#include "ui/confirmationdialog.h"
#include "ui/severitystyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
void fillTable(QTableWidget* table, const QList<QStringList>& rows)
{
    table->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r)
        for (int c = 0; c < rows.at(r).size() && c < table->columnCount(); ++c) {
            auto* item = table->item(r, c);
            if (!item) {
                item = new QTableWidgetItem;
                item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
                table->setItem(r, c, item);
            }
            item->setText(rows.at(r).at(c));
        }
    // Every column but the stretched last one at least as wide as its widest value (table names, counts).
    for (int c = 0; c + 1 < table->columnCount(); ++c)
        ColumnFit::widen(table, table->horizontalHeader(), c);
}

QTableWidget* makeTable(const QStringList& headers, const QString& name, QWidget* parent)
{
    auto* t = new QTableWidget(0, int(headers.size()), parent);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return t;
}
} // namespace

DbaPane::DbaPane(const ConsoleServices& services, std::function<qint64()> activeIncident, QWidget* parent)
    : QWidget(parent)
    , m_services(services)
    , m_activeIncident(std::move(activeIncident))
    , m_monitor(new DbaMonitor(this))
    , m_actions(new DbaActions(this))
    , m_sessions(new DbaSessionModel(this))
    , m_filter(new DbaSessionFilterModel(this))
    , m_blocking(new BlockingTreeModel(this))
    , m_slow(new SlowQueryModel(this))
{
    setObjectName(u"dbaPane"_s);
    m_filter->setSourceModel(m_sessions);
    m_actions->setAudit(m_services.audit);
    const double drill = DbaSessionFilterModel::parseInterval(qEnvironmentVariable("PETFORCE_IDLE_THRESHOLD"));
    if (drill > 0)
        m_idleThresholdS = drill;

    m_status = new QLabel(tr("Not connected"), this);
    m_status->setObjectName(u"dbaStatus"_s);
    m_status->setWordWrap(true); // "Disconnected since … (the server's error)" can be long
    m_interval = new QSpinBox(this);
    m_interval->setObjectName(u"dbaInterval"_s);
    m_interval->setRange(1, 60);
    m_interval->setSuffix(tr(" s"));
    m_interval->setPrefix(tr("every "));
    m_pause = new QCheckBox(tr("Pause"), this);
    m_pause->setObjectName(u"dbaPause"_s);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    m_message = new QLabel(this);
    m_message->setObjectName(u"dbaMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    QSettings settings;
    m_interval->setValue(settings.value(u"dba/intervalS"_s, 2).toInt());
    m_monitor->setIntervalMs(m_interval->value() * 1000);
    connect(m_interval, &QSpinBox::valueChanged, this, [this](int s) {
        m_monitor->setIntervalMs(s * 1000);
        QSettings().setValue(u"dba/intervalS"_s, s);
    });
    connect(m_pause, &QCheckBox::toggled, m_monitor, &DbaMonitor::setPaused);
    connect(refresh, &QPushButton::clicked, m_monitor, &DbaMonitor::refreshNow);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"dbaTabs"_s);
    m_tabs->addTab(createConnectionsTab(), tr("Connections"));
    m_tabs->addTab(createSessionsTab(), tr("Sessions"));
    m_tabs->addTab(createBlockingTab(), tr("Blocking"));
    m_tabs->addTab(createSlowTab(), tr("Slow queries"));
    m_tabs->addTab(createHealthTab(), tr("Health"));
    connect(m_tabs, &QTabWidget::currentChanged, this, &DbaPane::updateWanted);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        if (tab == BlockingTab)
            updateBlocking();
    });

    auto* top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_interval);
    top->addWidget(m_pause);
    top->addWidget(refresh);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(m_tabs, 1);

    connect(m_monitor, &DbaMonitor::sessionsRefreshed, this,
        [this](const QList<DbaSession>& s, const DbaConnectionSummary& summary, qint64) { onSessions(s, summary); });
    connect(m_monitor, &DbaMonitor::slowQueriesRefreshed, this, [this](const QList<SlowQueryStat>& stats) {
        m_slowUnavailable->hide();
        m_slow->setStatements(stats);
    });
    connect(m_monitor, &DbaMonitor::slowQueriesUnavailable, this, [this](const QString& why, const QString& fix) {
        m_slowUnavailable->setText(why + u"\n"_s + tr("Fix: ") + fix);
        m_slowUnavailable->show();
    });
    connect(m_monitor, &DbaMonitor::healthRefreshed, this, &DbaPane::onHealth);
    connect(m_monitor, &DbaMonitor::connectionChanged, this, &DbaPane::onConnectionChanged);
    connect(m_monitor, &DbaMonitor::refreshFailed, this, [this](const QString& view, const QString& error) {
        setMessage(tr("Refreshing %1 failed: %2").arg(view, error), true);
    });
    connect(m_actions, &DbaActions::writeSessionOpened, this, [this](int pid) { m_monitor->setExtraOwnPids({ pid }); });
    connect(m_actions, &DbaActions::finished, this, [this](const DbaAction& action, const DbaActionResult& r) {
        m_monitor->setExtraOwnPids({});
        setMessage(action.title + u": "_s + r.message, !r.ok);
        m_monitor->refreshNow();
        Q_EMIT actionFinished(r);
    });

    if (m_services.environments) {
        connect(m_services.environments, &EnvironmentListModel::activeChanged, this, &DbaPane::applyProfile);
        connect(m_services.environments, &QAbstractItemModel::modelReset, this, &DbaPane::applyProfile);
    }
    if (m_services.secrets)
        connect(m_services.secrets, &SecretStore::secretRead, this,
            [this](quint64, const QString& key, const QString& secret) {
                if (!m_services.environments)
                    return;
                for (const EnvironmentProfile& p : m_services.environments->profiles())
                    if (p.name() == m_services.environments->activeName() && p.passwordSecret() == key) {
                        PgConnectionOptions o = m_monitor->connectionOptions();
                        o.password = secret;
                        setConnection(o, m_environment, m_target);
                    }
            });
    restoreViewState();
    updateWanted();
}

DbaPane::~DbaPane() { saveViewState(); }

QWidget* DbaPane::createConnectionsTab()
{
    auto* w = new QWidget(this);
    m_total = new QLabel(w);
    m_total->setObjectName(u"dbaTotal"_s);
    m_headroom = new QLabel(w);
    m_headroom->setObjectName(u"dbaHeadroom"_s);
    m_own = new QLabel(w);
    m_own->setObjectName(u"dbaOwn"_s);
    // Long lines wrap: a label's one-line width would otherwise become the window's minimum width.
    for (QLabel* label : { m_total, m_headroom, m_own })
        label->setWordWrap(true);
    m_byState = makeTable({ tr("State"), tr("Connections") }, u"dbaByState"_s, w);
    m_byApp = makeTable({ tr("Connections"), tr("Application"), tr("State") }, u"dbaByApplication"_s, w);
    auto* l = new QVBoxLayout(w);
    l->addWidget(m_total);
    l->addWidget(m_headroom);
    l->addWidget(m_own);
    auto* split = new QSplitter(Qt::Horizontal, w);
    split->addWidget(m_byState);
    split->addWidget(m_byApp);
    l->addWidget(split, 1);
    return w;
}

QWidget* DbaPane::createSessionsTab()
{
    auto* w = new QWidget(this);
    m_stateFilter = new QComboBox(w);
    m_stateFilter->setObjectName(u"dbaStateFilter"_s);
    m_stateFilter->addItem(tr("All states"), int(DbaSessionFilterModel::StateFilter::All));
    m_stateFilter->addItem(tr("Hide idle"), int(DbaSessionFilterModel::StateFilter::HideIdle));
    m_stateFilter->addItem(tr("Active"), int(DbaSessionFilterModel::StateFilter::Active));
    m_stateFilter->addItem(tr("Idle in transaction"), int(DbaSessionFilterModel::StateFilter::IdleInTransaction));
    m_stateFilter->addItem(tr("Idle"), int(DbaSessionFilterModel::StateFilter::Idle));
    m_appFilter = new QComboBox(w);
    m_appFilter->setObjectName(u"dbaApplicationFilter"_s);
    m_appFilter->addItem(tr("All applications"), QString());
    m_minAge = new QDoubleSpinBox(w);
    m_minAge->setObjectName(u"dbaMinAge"_s);
    m_minAge->setRange(0, 86400);
    m_minAge->setDecimals(0);
    m_minAge->setPrefix(tr("older than "));
    m_minAge->setSuffix(tr(" s"));
    m_text = new QLineEdit(w);
    m_text->setObjectName(u"dbaText"_s);
    m_text->setPlaceholderText(tr("Filter: query, user, application, client, pid"));
    m_text->setClearButtonEnabled(true);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setStateFilter(DbaSessionFilterModel::StateFilter(m_stateFilter->currentData().toInt())); });
    connect(m_appFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setApplication(m_appFilter->currentData().toString()); });
    connect(m_minAge, &QDoubleSpinBox::valueChanged, m_filter, &DbaSessionFilterModel::setMinimumAgeS);
    connect(m_text, &QLineEdit::textChanged, m_filter, &DbaSessionFilterModel::setText);

    auto* longRunning = new QPushButton(tr("Long-running (> 5 min)"), w);
    longRunning->setObjectName(u"dbaLongRunningPreset"_s);
    m_idlePreset = new QPushButton(w);
    m_idlePreset->setObjectName(u"dbaIdlePreset"_s);
    const QString idleLabel = m_idleThresholdS == 600 ? tr("10 min") : DbaSessionModel::formatAge(m_idleThresholdS);
    m_idlePreset->setText(tr("Idle (> %1)").arg(idleLabel));
    auto* clear = new QPushButton(tr("All"), w);
    const auto setControls = [this] {
        const QSignalBlocker b1(m_stateFilter), b2(m_minAge), b3(m_text), b4(m_appFilter);
        m_stateFilter->setCurrentIndex(m_stateFilter->findData(int(m_filter->stateFilter())));
        m_minAge->setValue(m_filter->minimumAgeS());
        m_text->clear();
        m_appFilter->setCurrentIndex(0);
    };
    connect(longRunning, &QPushButton::clicked, this, [this, setControls] {
        m_filter->applyLongRunningPreset(300);
        setControls();
    });
    connect(m_idlePreset, &QPushButton::clicked, this, [this, setControls] {
        m_filter->applyIdlePreset(m_idleThresholdS);
        setControls();
    });
    connect(clear, &QPushButton::clicked, this, [this, setControls] {
        m_filter->clearFilters();
        setControls();
    });

    m_sessionView = new QTableView(w);
    m_sessionView->setObjectName(u"dbaSessionView"_s);
    m_sessionView->setModel(m_filter);
    m_sessionView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sessionView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_sessionView->setSortingEnabled(true);
    m_sessionView->verticalHeader()->hide();
    m_sessionView->horizontalHeader()->setStretchLastSection(true);
    m_sessionView->horizontalHeader()->setSectionsMovable(true);
    m_sessionView->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_sessionView->horizontalHeader(), &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        auto* menu = new QMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        QHeaderView* header = m_sessionView->horizontalHeader();
        for (int c = 0; c < DbaSessionModel::ColumnCount; ++c) {
            QAction* a = menu->addAction(m_sessions->headerData(c, Qt::Horizontal).toString());
            a->setCheckable(true);
            a->setChecked(!header->isSectionHidden(c));
            connect(a, &QAction::toggled, this, [this, header, c](bool on) {
                header->setSectionHidden(c, !on);
                saveViewState();
            });
        }
        menu->popup(header->mapToGlobal(pos));
    });
    connect(m_sessionView->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, [this] { saveViewState(); });
    connect(m_sessionView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DbaPane::updateDetail);
    m_detail = new QPlainTextEdit(w);
    m_detail->setObjectName(u"dbaQueryDetail"_s);
    m_detail->setReadOnly(true);
    m_detail->setPlaceholderText(tr("The selected session's whole query"));

    auto* cancel = new QPushButton(tr("Cancel query…"), w);
    cancel->setObjectName(u"dbaCancel"_s);
    auto* terminate = new QPushButton(tr("Terminate…"), w);
    terminate->setObjectName(u"dbaTerminate"_s);
    m_terminateIdle = new QPushButton(tr("Terminate all idle > %1…").arg(idleLabel), w);
    m_terminateIdle->setObjectName(u"dbaTerminateIdle"_s);
    connect(cancel, &QPushButton::clicked, this, &DbaPane::cancelSelected);
    connect(terminate, &QPushButton::clicked, this, &DbaPane::terminateSelected);
    connect(m_terminateIdle, &QPushButton::clicked, this, &DbaPane::terminateIdle);

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_stateFilter);
    filters->addWidget(m_appFilter);
    filters->addWidget(m_minAge);
    filters->addWidget(m_text, 1);
    auto* presets = new QHBoxLayout;
    presets->addWidget(longRunning);
    presets->addWidget(m_idlePreset);
    presets->addWidget(clear);
    presets->addStretch(1);
    presets->addWidget(cancel);
    presets->addWidget(terminate);
    presets->addWidget(m_terminateIdle);
    auto* split = new QSplitter(Qt::Vertical, w);
    split->addWidget(m_sessionView);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto* l = new QVBoxLayout(w);
    l->addLayout(filters);
    l->addLayout(presets);
    l->addWidget(split, 1);
    return w;
}

QWidget* DbaPane::createBlockingTab()
{
    auto* w = new QWidget(this);
    m_blockingLabel = new QLabel(tr("No session waits on a lock."), w);
    m_blockingLabel->setObjectName(u"dbaBlockingLabel"_s);
    m_blockingView = new QTreeView(w);
    m_blockingView->setObjectName(u"dbaBlockingView"_s);
    m_blockingView->setModel(m_blocking);
    // One line a row: no per-row size hints (text shaping) each time a row's age changes.
    m_blockingView->setUniformRowHeights(true);
    m_blockingView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_blockingLabel->setWordWrap(true);
    m_blockingView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_blockingView->setSelectionMode(QAbstractItemView::SingleSelection);
    // The same actions as the Sessions tab's, on the selected row: usually the root blocker.
    m_blockingCancel = new QPushButton(tr("Cancel query…"), w);
    m_blockingCancel->setObjectName(u"blockingCancel"_s);
    m_blockingCancel->setToolTip(tr("Cancel the selected session's query (pg_cancel_backend)"));
    m_blockingTerminate = new QPushButton(tr("Terminate…"), w);
    m_blockingTerminate->setObjectName(u"blockingTerminate"_s);
    m_blockingTerminate->setToolTip(tr("End the selected session (pg_terminate_backend): its transaction rolls back"));
    connect(m_blockingCancel, &QPushButton::clicked, this, &DbaPane::cancelBlocker);
    connect(m_blockingTerminate, &QPushButton::clicked, this, &DbaPane::terminateBlocker);
    connect(
        m_blockingView->selectionModel(), &QItemSelectionModel::currentChanged, this, &DbaPane::updateBlockingButtons);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_blockingLabel, 1);
    bar->addWidget(m_blockingCancel);
    bar->addWidget(m_blockingTerminate);
    auto* l = new QVBoxLayout(w);
    l->addLayout(bar);
    l->addWidget(m_blockingView, 1);
    updateBlockingButtons();
    return w;
}

QWidget* DbaPane::createSlowTab()
{
    auto* w = new QWidget(this);
    m_slowOrder = new QComboBox(w);
    m_slowOrder->setObjectName(u"dbaSlowOrder"_s);
    m_slowOrder->addItem(tr("Top 50 by mean time"), int(DbaMonitor::SlowOrder::Mean));
    m_slowOrder->addItem(tr("Top 50 by total time"), int(DbaMonitor::SlowOrder::Total));
    m_slowOrder->addItem(tr("Top 50 by calls"), int(DbaMonitor::SlowOrder::Calls));
    connect(m_slowOrder, &QComboBox::currentIndexChanged, this, [this] {
        m_monitor->setSlowQueryOrder(DbaMonitor::SlowOrder(m_slowOrder->currentData().toInt()));
        m_monitor->refreshNow();
    });
    m_slowOnly = new QCheckBox(tr("Only mean > 100 ms"), w);
    m_slowOnly->setObjectName(u"dbaSlowOnly"_s);
    connect(m_slowOnly, &QCheckBox::toggled, this, [this](bool on) { m_slow->setMinimumMeanMs(on ? 100 : 0); });
    auto* reset = new QPushButton(tr("Reset statistics…"), w);
    reset->setObjectName(u"dbaResetStatements"_s);
    connect(reset, &QPushButton::clicked, this, &DbaPane::resetStatements);
    m_slowUnavailable = new QLabel(w);
    m_slowUnavailable->setObjectName(u"dbaSlowUnavailable"_s);
    m_slowUnavailable->setWordWrap(true);
    m_slowUnavailable->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_slowUnavailable->setStyleSheet(u"QLabel { color: #a00000; }"_s);
    m_slowUnavailable->hide();
    m_slowView = new QTableView(w);
    m_slowView->setObjectName(u"dbaSlowView"_s);
    m_slowView->setModel(m_slow);
    m_slowView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_slowView->verticalHeader()->hide();
    m_slowView->horizontalHeader()->setStretchLastSection(true);
    m_slowDetail = new QPlainTextEdit(w);
    m_slowDetail->setReadOnly(true);
    m_slowDetail->setMaximumHeight(90);
    connect(m_slowView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            m_slowDetail->setPlainText(current.data(SlowQueryModel::QueryRole).toString());
        });
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_slowOrder);
    bar->addWidget(m_slowOnly);
    bar->addStretch(1);
    bar->addWidget(reset);
    auto* l = new QVBoxLayout(w);
    l->addLayout(bar);
    l->addWidget(m_slowUnavailable);
    l->addWidget(m_slowView, 1);
    l->addWidget(m_slowDetail);
    return w;
}

QWidget* DbaPane::createHealthTab()
{
    auto* w = new QWidget(this);
    m_rates = new QLabel(tr("Waiting for two samples…"), w);
    m_rates->setObjectName(u"dbaRates"_s);
    m_rates->setWordWrap(true);
    m_tables = makeTable({ tr("Schema"), tr("Table"), tr("Size") }, u"dbaTableSizes"_s, w);
    m_indexes = makeTable({ tr("Schema"), tr("Table"), tr("Index"), tr("Scans"), tr("Valid") }, u"dbaIndexUsage"_s, w);
    m_addIndex = new QPushButton(tr("Add missing index (household_members.household_id)…"), w);
    m_addIndex->setObjectName(u"dbaAddIndex"_s);
    auto* analyze = new QPushButton(tr("ANALYZE household_members…"), w);
    analyze->setObjectName(u"dbaAnalyze"_s);
    m_dropInvalid = new QPushButton(tr("Drop INVALID index…"), w);
    m_dropInvalid->setObjectName(u"dbaDropInvalid"_s);
    m_dropInvalid->setEnabled(false);
    connect(m_addIndex, &QPushButton::clicked, this, &DbaPane::addMissingIndex);
    connect(analyze, &QPushButton::clicked, this, &DbaPane::analyzeHouseholdMembers);
    connect(m_dropInvalid, &QPushButton::clicked, this, &DbaPane::dropInvalidIndex);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_addIndex);
    bar->addWidget(analyze);
    bar->addWidget(m_dropInvalid);
    bar->addStretch(1);
    auto* split = new QSplitter(Qt::Horizontal, w);
    split->addWidget(m_tables);
    split->addWidget(m_indexes);
    auto* l = new QVBoxLayout(w);
    l->addWidget(m_rates);
    l->addLayout(bar);
    l->addWidget(split, 1);
    return w;
}

void DbaPane::setConnection(const PgConnectionOptions& base, const QString& environment, const QString& target)
{
    m_environment = environment;
    m_target = target;
    m_configured = true;
    m_monitor->setConnectionOptions(base);
    m_actions->setConnectionOptions(base);
    if (m_shown && !m_monitor->isStarted())
        m_monitor->start();
    updateWanted();
}

void DbaPane::applyProfile()
{
    if (!m_services.environments)
        return;
    const QString name = m_services.environments->activeName();
    for (const EnvironmentProfile& p : m_services.environments->profiles()) {
        if (p.name() != name)
            continue;
        PgConnectionOptions o;
        o.conninfo = p.value(EnvironmentProfile::Field::DatabaseUrl);
        if (o.conninfo.isEmpty() && !p.databaseUrlEnv().isEmpty())
            o.conninfo = qEnvironmentVariable(p.databaseUrlEnv().toLocal8Bit().constData());
        if (o.conninfo.isEmpty()) {
            m_monitor->stop();
            m_configured = false;
            m_status->setText(tr("The %1 environment names no database.").arg(p.label()));
            return;
        }
        if (!p.passwordEnv().isEmpty())
            o.password = qEnvironmentVariable(p.passwordEnv().toLocal8Bit().constData());
        // The database's name, as a runbook SQL step on it asks (one rule: ConfirmationRequest::targetName).
        const QString target = ConfirmationRequest::targetName(StepExecutor::withDatabaseUrl(p), { u"database_url"_s });
        setConnection(o, p.name(), target);
        if (o.password.isEmpty() && !p.passwordSecret().isEmpty() && m_services.secrets)
            m_services.secrets->readSecret(p.passwordSecret()); // → secretRead: reconnects with it
        return;
    }
}

void DbaPane::setShown(bool shown)
{
    m_shown = shown;
    if (shown && !m_configured)
        applyProfile();
    if (shown && m_configured && !m_monitor->isStarted())
        m_monitor->start();
    updateWanted();
}

void DbaPane::updateWanted()
{
    DbaMonitor::Views views = DbaMonitor::NoView;
    if (m_shown) {
        switch (m_tabs->currentIndex()) {
        case SlowQueriesTab:
            views = DbaMonitor::SlowQueriesView;
            break;
        case HealthTab:
            views = DbaMonitor::HealthView;
            break;
        default:
            views = DbaMonitor::SessionsView;
        }
    }
    m_monitor->setWantedViews(views);
}

void DbaPane::onSessions(const QList<DbaSession>& sessions, const DbaConnectionSummary& summary)
{
    m_summary = summary;
    m_sessions->setSessions(sessions);
    // The pid column fits the widest pid (PostgreSQL's pids go to 4194304), whatever the restored widths.
    ColumnFit::widen(m_sessionView, m_sessionView->horizontalHeader(), DbaSessionModel::PidColumn, { u"4194304"_s });
    // The tree only while its tab is shown (a tree view sizes every changed row); brought up to date on showing.
    m_blockingDirty = true;
    if (m_tabs->currentIndex() == BlockingTab)
        updateBlocking();

    m_total->setText(totalText());
    m_headroom->setText(headroomText());
    m_headroom->setStyleSheet(
        summary.headroomLow() ? u"QLabel { color: white; background: #b00000; font-weight: bold; }"_s : QString());
    QStringList ownPids;
    for (const DbaSession& s : sessions)
        if (s.own)
            ownPids.append(QString::number(s.pid));
    m_own->setText(tr("This console: %n connection(s)", nullptr, summary.own)
        + (ownPids.isEmpty() ? QString() : u" (pid "_s + ownPids.join(u", "_s) + u")"_s)
        + tr(" · pg_stat_activity also lists %n background process(es), which take no connection slot", nullptr,
            summary.backgroundProcesses()));
    QList<QStringList> byState;
    for (auto it = summary.byState.cbegin(); it != summary.byState.cend(); ++it)
        byState.append({ it.key(), QString::number(it.value()) });
    fillTable(m_byState, byState);
    QList<QPair<int, QStringList>> byApp;
    for (auto it = summary.byApplicationState.cbegin(); it != summary.byApplicationState.cend(); ++it)
        byApp.append({ it.value(), { QString::number(it.value()), it.key().first, it.key().second } });
    for (auto it = summary.ownByApplicationState.cbegin(); it != summary.ownByApplicationState.cend(); ++it)
        byApp.append(
            { it.value(), { QString::number(it.value()), ownApplicationLabel(it.key().first), it.key().second } });
    std::stable_sort(byApp.begin(), byApp.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    QList<QStringList> appRows;
    for (const auto& r : std::as_const(byApp))
        appRows.append(r.second);
    fillTable(m_byApp, appRows);
    updateApplications();
    updateDetail();
    Q_EMIT refreshed();
}

void DbaPane::updateBlocking()
{
    if (!m_blockingDirty)
        return;
    m_blockingDirty = false;
    m_blocking->setSessions(m_sessions->sessions());
    m_blockingView->expandAll();
    // The pid column at least as wide as its widest pid at its depth ("12345 (root blocker)" at the top, indented
    // below); never narrowed, so a width the operator chose stays.
    if (m_blocking->rowCount() > 0)
        ColumnFit::widen(m_blockingView, m_blockingView->header(), BlockingTreeModel::PidColumn);
    const int waiting = m_blocking->waitingCount();
    const int indirect = m_blocking->indirectWaitingCount();
    QString text = waiting == 0 ? tr("No session waits on a lock.")
                                : tr("%n session(s) wait on locks", nullptr, waiting)
            + (indirect > 0 ? tr(" (%n of them behind another waiter)", nullptr, indirect) : QString())
            + tr("; root blockers at the top level.");
    m_blockingLabel->setText(text);
    updateBlockingButtons();
}

void DbaPane::updateBlockingButtons()
{
    const bool selected = m_blockingView->selectionModel()->currentIndex().isValid();
    m_blockingCancel->setEnabled(selected);
    m_blockingTerminate->setEnabled(selected);
}

std::optional<DbaSession> DbaPane::selectedBlocker() const
{
    const QModelIndex current = m_blockingView->selectionModel()->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    const int pid = current.data(BlockingTreeModel::PidRole).toInt();
    const QString start = current.data(BlockingTreeModel::BackendStartRole).toString();
    for (const DbaSession& s : m_sessions->sessions())
        if (s.pid == pid && s.backendStartText == start)
            return s;
    return std::nullopt;
}

ConfirmationDialog* DbaPane::signalBlocker(DbaActions::Signal signal)
{
    const std::optional<DbaSession> blocker = selectedBlocker();
    if (!blocker) {
        setMessage(m_blockingView->selectionModel()->currentIndex().isValid()
                ? tr("The selected session is no longer listed by pg_stat_activity.")
                : tr("Select a blocking session in the tree first."),
            true);
        return nullptr;
    }
    m_actions->setOwnPids(m_monitor->ownPids());
    const DbaAction a = m_actions->signalAction(signal, { *blocker });
    if (a.targets.isEmpty()) {
        setMessage(a.refused.join(u"; "_s), true);
        return nullptr;
    }
    return confirmAndRun(a);
}

ConfirmationDialog* DbaPane::cancelBlocker() { return signalBlocker(DbaActions::Signal::Cancel); }
ConfirmationDialog* DbaPane::terminateBlocker() { return signalBlocker(DbaActions::Signal::Terminate); }

QString DbaPane::totalText() const
{
    const DbaConnectionSummary& s = m_summary;
    if (s.maxConnections == 0)
        return {};
    // One count (client backends) against one limit, so that the numbers add up: clients + free = usable,
    // usable + reserved = max_connections.
    const QString head = tr("%1 client connections of %2 usable (max_connections %3 − %4 reserved for superusers)")
                             .arg(s.clientBackends)
                             .arg(s.usable())
                             .arg(s.maxConnections)
                             .arg(s.superuserReserved);
    if (s.clientBackends <= s.usable())
        return head + tr(" · %1 free").arg(s.usableFree());
    return head
        + tr(" · none free for ordinary roles; superusers hold %1 of the %2 reserved slots")
              .arg(s.clientBackends - s.usable())
              .arg(s.superuserReserved);
}

QString DbaPane::headroomText() const
{
    if (m_summary.maxConnections == 0)
        return {};
    // The pool alert's own measure, which counts the reserved slots as free.
    const QString measure = tr("db_pool_available = %1 (max_connections %2 − %3 client connections)")
                                .arg(m_summary.headroom())
                                .arg(m_summary.maxConnections)
                                .arg(m_summary.clientBackends);
    return m_summary.headroomLow() ? measure + tr(" — below 2: the pool is exhausted")
                                   : measure + tr("; the pool alert fires below 2");
}

QString DbaPane::ownApplicationLabel(const QString& application)
{
    return tr("%1 (this console)").arg(application.isEmpty() ? tr("(no application name)") : application);
}

void DbaPane::updateApplications()
{
    QSet<QString> apps;
    for (const DbaSession& s : m_sessions->sessions())
        apps.insert(s.application);
    QStringList sorted(apps.cbegin(), apps.cend());
    sorted.sort();
    if (sorted == m_applications)
        return; // the same applications: leave the combo box alone
    m_applications = sorted;
    const QString current = m_appFilter->currentData().toString();
    const QSignalBlocker block(m_appFilter);
    while (m_appFilter->count() > 1)
        m_appFilter->removeItem(1);
    for (const QString& a : std::as_const(sorted))
        m_appFilter->addItem(a.isEmpty() ? tr("(no application name)") : a, a);
    const int idx = current.isEmpty() ? 0 : m_appFilter->findData(current);
    m_appFilter->setCurrentIndex(idx < 0 ? 0 : idx);
}

void DbaPane::updateDetail()
{
    const QModelIndex current = m_sessionView->currentIndex();
    const QString text = current.isValid() ? current.data(DbaSessionModel::QueryRole).toString() : QString();
    if (m_detail->toPlainText() != text)
        m_detail->setPlainText(text);
}

void DbaPane::onHealth(const DbaHealth& h)
{
    m_health = h;
    const auto rate = [](double v) { return v < 0 ? u"–"_s : QString::number(v, 'f', 2); };
    m_rates->setText(tr("Per second: commits %1, rollbacks %2, deadlocks %3, temp files %4, temp bytes %5   "
                        "(totals: deadlocks %6, temp files %7)")
                         .arg(rate(h.commitsPerS), rate(h.rollbacksPerS), rate(h.deadlocksPerS), rate(h.tempFilesPerS),
                             rate(h.tempBytesPerS))
                         .arg(h.deadlocks)
                         .arg(h.tempFiles));
    QList<QStringList> tables;
    for (const auto& t : h.tables)
        tables.append({ t.schema, t.name, t.pretty });
    fillTable(m_tables, tables);
    QList<QStringList> indexes;
    for (const auto& i : h.indexes)
        indexes.append({ i.schema, i.table, i.name, QString::number(i.scans), i.valid ? tr("yes") : tr("INVALID") });
    fillTable(m_indexes, indexes);
    m_addIndex->setEnabled(h.householdMembersExists && !h.householdMembersIndexExists);
    m_dropInvalid->setEnabled(!h.invalidIndexes.isEmpty());
    if (!h.invalidIndexes.isEmpty())
        m_dropInvalid->setText(tr("Drop INVALID index %1…").arg(h.invalidIndexes.first().name));
    else
        m_dropInvalid->setText(tr("Drop INVALID index…"));
}

void DbaPane::onConnectionChanged(bool connected, const QDateTime& since, const QString& error)
{
    m_sessions->setStale(!connected);
    m_slow->setStale(!connected);
    m_status->setText(statusText());
    m_status->setToolTip(error);
    m_status->setStyleSheet(connected ? QString() : u"QLabel { color: #a00000; }"_s);
    Q_UNUSED(since)
}

QString DbaPane::statusText() const
{
    if (!m_configured)
        return tr("Not connected: no database for this environment");
    if (m_monitor->isConnected())
        return tr("%1 — %2 (pid %3), read-only")
            .arg(m_environment, m_monitor->connectionOptions().describe())
            .arg(m_monitor->ownPid());
    const QDateTime since = m_monitor->disconnectedSince();
    if (!since.isValid())
        return tr("Connecting to %1…").arg(m_monitor->connectionOptions().describe());
    return tr("Disconnected since %1 (%2) — reconnecting; the last data is shown greyed")
        .arg(since.toLocalTime().toString(u"HH:mm:ss"_s), m_monitor->lastError().simplified().left(120));
}

QString DbaPane::messageText() const { return m_message->text(); }
QString DbaPane::blockingText() const { return m_blockingLabel->text(); }
QString DbaPane::slowUnavailableText() const
{
    return m_slowUnavailable->isVisible() || !m_slowUnavailable->text().isEmpty() ? m_slowUnavailable->text()
                                                                                  : QString();
}

void DbaPane::setMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? u"QLabel { color: #a00000; }"_s : QString());
}

QList<DbaSession> DbaPane::selectedSessions() const
{
    QList<DbaSession> out;
    const QModelIndexList rows = m_sessionView->selectionModel()->selectedRows();
    for (const QModelIndex& index : rows) {
        const QModelIndex source = m_filter->mapToSource(index);
        if (const DbaSession* s = m_sessions->session(source.row()))
            out.append(*s);
    }
    return out;
}

ConfirmationDialog* DbaPane::confirmAndRun(const DbaAction& action)
{
    const qint64 incident = m_activeIncident ? m_activeIncident() : 0;
    if (incident <= 0) {
        setMessage(
            tr("Open or select an incident first: DBA actions are recorded on the active incident's timeline."), true);
        return nullptr;
    }
    if (!m_configured) {
        setMessage(tr("No database to act on."), true);
        return nullptr;
    }
    if (m_actions->isBusy()) {
        setMessage(tr("Another DBA action is still running."), true);
        return nullptr;
    }
    const ConfirmationRequest request = DbaActions::confirmation(action, m_environment, m_target);
    return ConfirmationDialog::ask(this, request, [this, action, request, incident](bool confirmed) {
        if (!confirmed) {
            setMessage(tr("%1: not confirmed, nothing ran.").arg(action.title));
            return;
        }
        m_actions->run(action, incident, m_environment, ConfirmationDialog::confirmationText(request));
    });
}

ConfirmationDialog* DbaPane::cancelSelected()
{
    m_actions->setOwnPids(m_monitor->ownPids());
    const DbaAction a = m_actions->signalAction(DbaActions::Signal::Cancel, selectedSessions());
    if (a.targets.isEmpty()) {
        setMessage(a.refused.isEmpty() ? tr("Select the sessions to cancel first.") : a.refused.join(u"; "_s), true);
        return nullptr;
    }
    return confirmAndRun(a);
}

ConfirmationDialog* DbaPane::terminateSelected()
{
    m_actions->setOwnPids(m_monitor->ownPids());
    const DbaAction a = m_actions->signalAction(DbaActions::Signal::Terminate, selectedSessions());
    if (a.targets.isEmpty()) {
        setMessage(a.refused.isEmpty() ? tr("Select the sessions to terminate first.") : a.refused.join(u"; "_s), true);
        return nullptr;
    }
    return confirmAndRun(a);
}

ConfirmationDialog* DbaPane::terminateIdle()
{
    QList<DbaSession> idle;
    for (const DbaSession& s : m_sessions->sessions())
        if (s.isIdle() && s.stateAgeS > m_idleThresholdS && s.isClientBackend())
            idle.append(s);
    m_actions->setOwnPids(m_monitor->ownPids());
    DbaAction a = m_actions->signalAction(DbaActions::Signal::Terminate, idle, true);
    if (a.targets.isEmpty()) {
        setMessage(
            tr("No session has been idle longer than %1.").arg(DbaSessionModel::formatAge(m_idleThresholdS)), true);
        return nullptr;
    }
    a.title = tr("Terminate all %n session(s) idle > %1", nullptr, int(a.targets.size()))
                  .arg(DbaSessionModel::formatAge(m_idleThresholdS));
    return confirmAndRun(a);
}

ConfirmationDialog* DbaPane::addMissingIndex() { return confirmAndRun(DbaActions::createIndexAction()); }

ConfirmationDialog* DbaPane::analyzeHouseholdMembers()
{
    return confirmAndRun(DbaActions::analyzeAction(u"public.household_members"_s));
}

ConfirmationDialog* DbaPane::dropInvalidIndex()
{
    if (m_health.invalidIndexes.isEmpty()) {
        setMessage(tr("No INVALID index."), true);
        return nullptr;
    }
    const auto& i = m_health.invalidIndexes.first();
    return confirmAndRun(DbaActions::dropInvalidIndexAction(i.schema, i.name));
}

ConfirmationDialog* DbaPane::resetStatements() { return confirmAndRun(DbaActions::resetStatementsAction()); }

void DbaPane::saveViewState() const
{
    QSettings settings;
    settings.setValue(u"dba/sessionHeader"_s, m_sessionView->horizontalHeader()->saveState());
}

void DbaPane::restoreViewState()
{
    QSettings settings;
    const QByteArray state = settings.value(u"dba/sessionHeader"_s).toByteArray();
    if (!state.isEmpty())
        m_sessionView->horizontalHeader()->restoreState(state);
    else {
        m_sessionView->horizontalHeader()->setSectionHidden(DbaSessionModel::DatabaseColumn, true);
        m_sessionView->horizontalHeader()->setSectionHidden(DbaSessionModel::BackendXminColumn, true);
        m_sessionView->horizontalHeader()->setSectionHidden(DbaSessionModel::BackendStartColumn, true);
        m_sessionView->sortByColumn(DbaSessionModel::PidColumn, Qt::AscendingOrder);
    }
}

#include "moc_dbapane.cpp"
