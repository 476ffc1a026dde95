// SPDX-License-Identifier: MIT
#pragma once

#include "models/dbahealth.h"
#include "models/dbasession.h"
#include "models/slowquerymodel.h"
#include "services/pgconnectionoptions.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

class PgSession;
struct PgResult;

// Watches one target database for the DBA views through ONE read-only PgSession of its own (application_name
// petforce-console/dba, default_transaction_read_only=on, statement_timeout 5 s, lock_timeout 1 s, TCP
// keepalives, a client-side deadline, reconnect with back-off). Refreshes every interval (1–60 s) only the
// views that are wanted (visible), never two refreshes at once, and can be paused. Lives on the GUI thread and
// never blocks it; owns its PgSession. Results are delivered by value.
class DbaMonitor : public QObject {
    Q_OBJECT
public:
    enum View {
        NoView = 0,
        SessionsView = 1, // sessions, connection summary, blocking tree
        SlowQueriesView = 2,
        HealthView = 4,
    };
    Q_DECLARE_FLAGS(Views, View)
    enum class SlowOrder { Mean, Total, Calls };

    explicit DbaMonitor(QObject* parent = nullptr);
    ~DbaMonitor() override;

    // The options the monitor connects with: base (where and who) with the view settings forced on.
    static PgConnectionOptions viewOptions(PgConnectionOptions base);
    // Sets where to connect; (re)opens when started.
    void setConnectionOptions(const PgConnectionOptions& base);
    PgConnectionOptions connectionOptions() const;
    void start(); // opens the session and starts refreshing the wanted views
    void stop(); // closes the session; no more refreshes
    bool isStarted() const { return m_started; }

    void setIntervalMs(int ms); // clamped to 1000..60000
    int intervalMs() const { return m_timer.interval(); }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // The views that are visible; nothing is polled for the others. A newly wanted view refreshes at once.
    void setWantedViews(Views views);
    Views wantedViews() const { return m_wanted; }
    void setSlowQueryOrder(SlowOrder order, int limit = 50);
    void refreshNow();

    bool isConnected() const;
    QDateTime disconnectedSince() const; // UTC; invalid while connected
    QString lastError() const;
    int ownPid() const; // the monitor's own backend
    // Further backends of this console (the write session) shown as the console's own and never acted on.
    void setExtraOwnPids(const QSet<int>& pids);
    QSet<int> ownPids() const;
    PgSession* session() const { return m_session; }

    // $1: a server time (epoch seconds); sessions that are idle and unchanged since then come back as their pid
    // only (in the last row's array), all others in full. 0: every session in full.
    static QString sessionsSql();
    // How far before the previous refresh's server time changes are asked for again (a backend may publish a
    // change stamped a little before our snapshot after we took it).
    static constexpr double ChangeMarginS = 2.0;
    static QString slowQueriesSql(SlowOrder order);
    static QString healthSql();

Q_SIGNALS:
    // elapsedMs: from sending the query to these signals (end-to-end minus painting)
    void sessionsRefreshed(const QList<DbaSession>& sessions, const DbaConnectionSummary& summary, qint64 elapsedMs);
    void slowQueriesRefreshed(const QList<SlowQueryStat>& stats);
    // pg_stat_statements cannot be read: why, and the exact fix
    void slowQueriesUnavailable(const QString& why, const QString& fix);
    void healthRefreshed(const DbaHealth& health);
    // connected: true/false; since: when the connection was lost (UTC), error: why
    void connectionChanged(bool connected, const QDateTime& since, const QString& error);
    void refreshFailed(const QString& view, const QString& error);

private:
    void tick();
    void onConnected(int pid);
    void onDisconnected(const QString& error);
    void onQueryFinished(quint64 id, const PgResult& result);
    void handleSessions(const PgResult& result);
    void handleSlow(const PgResult& result);
    void handleHealth(const PgResult& result);

    PgSession* m_session;
    QTimer m_timer;
    bool m_started = false;
    bool m_paused = false;
    Views m_wanted = SessionsView;
    SlowOrder m_slowOrder = SlowOrder::Mean;
    int m_slowLimit = 50;
    int m_maxConnections = 0;
    int m_reserved = 0;
    QSet<int> m_extraOwn;
    quint64 m_settingsQuery = 0;
    quint64 m_sessionsQuery = 0;
    quint64 m_slowQuery = 0;
    quint64 m_healthQuery = 0;
    QElapsedTimer m_sessionsClock;
    // The last full row of each session, by pid, with its timestamps (server epoch seconds, -1 for NULL), so that
    // unchanged sessions need not be sent again; ages are computed from the server's clock of each refresh.
    struct KnownSession {
        DbaSession session;
        double xactStart = -1;
        double queryStart = -1;
        double stateChange = -1;
    };
    QHash<int, KnownSession> m_known;
    double m_serverNow = 0; // the last refresh's now() on the server; 0: ask for every session in full
    DbaHealth m_lastHealth;
};

Q_DECLARE_OPERATORS_FOR_FLAGS(DbaMonitor::Views)
