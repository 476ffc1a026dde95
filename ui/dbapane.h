// SPDX-License-Identifier: MIT
#pragma once

#include "models/dbahealth.h"
#include "models/dbasession.h"
#include "services/consoleservices.h"
#include "services/dbaactions.h"
#include "services/pgconnectionoptions.h"

#include <QStringList>
#include <QWidget>

#include <functional>
#include <optional>

class BlockingTreeModel;
class ConfirmationDialog;
class DbaMonitor;
class DbaSessionFilterModel;
class DbaSessionModel;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTreeView;
class SlowQueryModel;

// The DBA views of the active environment's database, in tabs: Connections, Sessions, Blocking, Slow queries,
// Health; and the DBA actions (cancel, terminate, the "idle" preset, the seed's index fix, ANALYZE, dropping an
// INVALID index, resetting pg_stat_statements), each confirmed (ConfirmationDialog) and recorded on the active
// incident's timeline. Polls only while shown, and only for the visible tab. GUI thread; owns its monitor and
// action runner; does not own the services.
class DbaPane : public QWidget {
    Q_OBJECT
public:
    enum Tab { ConnectionsTab, SessionsTab, BlockingTab, SlowQueriesTab, HealthTab };

    // activeIncident: the incident DBA actions are recorded on (0: none, actions are refused).
    DbaPane(const ConsoleServices& services, std::function<qint64()> activeIncident, QWidget* parent = nullptr);
    ~DbaPane() override;

    // Where to connect, bypassing the environment profile (tests; the sandbox's DBA URL).
    void setConnection(const PgConnectionOptions& base, const QString& environment, const QString& target);
    // Whether the pane is shown (its dock's visibility): nothing is polled while hidden.
    void setShown(bool shown);

    DbaMonitor* monitor() const { return m_monitor; }
    DbaActions* actions() const { return m_actions; }
    DbaSessionModel* sessionModel() const { return m_sessions; }
    DbaSessionFilterModel* sessionFilter() const { return m_filter; }
    // Up to date while the Blocking tab is shown (brought up to date when it is shown).
    BlockingTreeModel* blockingModel() const { return m_blocking; }
    SlowQueryModel* slowQueryModel() const { return m_slow; }
    QTableView* sessionView() const { return m_sessionView; }
    QTabWidget* tabs() const { return m_tabs; }
    const DbaConnectionSummary& summary() const { return m_summary; }
    const DbaHealth& health() const { return m_health; }
    QString statusText() const;
    QString messageText() const;
    QString totalText() const; // "10 client connections of 37 usable (max_connections 40 − 3 reserved …) · 27 free"
    QString headroomText() const; // the pool alert's db_pool_available, with its arithmetic
    QString slowUnavailableText() const;
    double idleThresholdS() const { return m_idleThresholdS; }
    // How the Connections tab's by-application table names this console's own sessions.
    static QString ownApplicationLabel(const QString& application);

    // The actions; each returns the confirmation dialog shown, or nullptr when refused (see messageText()).
    ConfirmationDialog* cancelSelected();
    ConfirmationDialog* terminateSelected();
    ConfirmationDialog* terminateIdle(); // the seed's "all idle > 10 min" (the drill threshold when set)
    ConfirmationDialog* addMissingIndex();
    ConfirmationDialog* analyzeHouseholdMembers();
    ConfirmationDialog* dropInvalidIndex();
    ConfirmationDialog* resetStatements();
    // The Blocking tab's actions, on its selected row (blockingCancel, blockingTerminate).
    ConfirmationDialog* cancelBlocker();
    ConfirmationDialog* terminateBlocker();
    QList<DbaSession> selectedSessions() const;
    std::optional<DbaSession> selectedBlocker() const;
    QTreeView* blockingView() const { return m_blockingView; }
    QString blockingText() const;

Q_SIGNALS:
    void refreshed(); // sessions view data updated
    void actionFinished(const DbaActionResult& result);

private:
    QWidget* createConnectionsTab();
    QWidget* createSessionsTab();
    QWidget* createBlockingTab();
    QWidget* createSlowTab();
    QWidget* createHealthTab();
    void applyProfile();
    void updateWanted();
    void onSessions(const QList<DbaSession>& sessions, const DbaConnectionSummary& summary);
    void onHealth(const DbaHealth& health);
    void onConnectionChanged(bool connected, const QDateTime& since, const QString& error);
    void updateDetail();
    void updateApplications();
    void updateBlocking();
    void updateBlockingButtons();
    ConfirmationDialog* signalBlocker(DbaActions::Signal signal);
    ConfirmationDialog* confirmAndRun(const DbaAction& action);
    void setMessage(const QString& text, bool error = false);
    void saveViewState() const;
    void restoreViewState();

    ConsoleServices m_services;
    std::function<qint64()> m_activeIncident;
    DbaMonitor* m_monitor;
    DbaActions* m_actions;
    DbaSessionModel* m_sessions;
    DbaSessionFilterModel* m_filter;
    BlockingTreeModel* m_blocking;
    SlowQueryModel* m_slow;
    DbaConnectionSummary m_summary;
    DbaHealth m_health;
    QString m_environment;
    QString m_target;
    bool m_shown = false;
    bool m_configured = false;
    double m_idleThresholdS = 600;
    QStringList m_applications; // what the application filter offers
    bool m_blockingDirty = false; // the tree lags the sessions (its tab is not shown)

    QTabWidget* m_tabs = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_message = nullptr;
    QSpinBox* m_interval = nullptr;
    QCheckBox* m_pause = nullptr;
    // connections
    QLabel* m_total = nullptr;
    QLabel* m_headroom = nullptr;
    QLabel* m_own = nullptr;
    QTableWidget* m_byState = nullptr;
    QTableWidget* m_byApp = nullptr;
    // sessions
    QComboBox* m_stateFilter = nullptr;
    QComboBox* m_appFilter = nullptr;
    QDoubleSpinBox* m_minAge = nullptr;
    QLineEdit* m_text = nullptr;
    QTableView* m_sessionView = nullptr;
    QPlainTextEdit* m_detail = nullptr;
    QPushButton* m_idlePreset = nullptr;
    QPushButton* m_terminateIdle = nullptr;
    // blocking
    QTreeView* m_blockingView = nullptr;
    QLabel* m_blockingLabel = nullptr;
    QPushButton* m_blockingCancel = nullptr;
    QPushButton* m_blockingTerminate = nullptr;
    // slow
    QComboBox* m_slowOrder = nullptr;
    QCheckBox* m_slowOnly = nullptr;
    QLabel* m_slowUnavailable = nullptr;
    QPlainTextEdit* m_slowDetail = nullptr;
    QTableView* m_slowView = nullptr;
    // health
    QLabel* m_rates = nullptr;
    QTableWidget* m_tables = nullptr;
    QTableWidget* m_indexes = nullptr;
    QPushButton* m_addIndex = nullptr;
    QPushButton* m_dropInvalid = nullptr;
};
