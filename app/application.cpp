// SPDX-License-Identifier: MIT
#include "app/application.h"

#include "models/environmentlistmodel.h"
#include "services/auditrecorder.h"
#include "services/clockwatch.h"
#include "services/consoleservices.h"
#include "services/environmentconfig.h"
#include "services/escalationmonitor.h"
#include "services/escalationservice.h"
#include "services/incidentstore.h"
#include "services/metricsservice.h"
#include "services/pgsession.h"
#include "services/postmortemexport.h"
#include "services/runbookchecker.h"
#include "services/runbooklibrary.h"
#include "services/sandboxenvironment.h"
#include "services/secretstore.h"
#include "services/storeclient.h"
#include "ui/chartplot.h"
#include "ui/mainwindow.h"

#include <QSettings>
#include <QStatusBar>
#include <QTextStream>

using namespace Qt::StringLiterals;

Application::Application(CommandLine commandLine, QObject* parent)
    : QObject(parent)
    , m_commandLine(std::move(commandLine))
{
}

Application::~Application() = default;

bool Application::start()
{
    const QString path = m_commandLine.storePath.isEmpty() ? IncidentStore::defaultPath() : m_commandLine.storePath;
    m_store = std::make_unique<StoreClient>(path);
    m_clock = std::make_unique<ClockWatch>(m_store.get());
    m_runbooks = std::make_unique<RunbookLibrary>();
    QStringList directories { RunbookLibrary::defaultUserDirectory() };
    if (!m_commandLine.runbooksDir.isEmpty())
        directories.append(m_commandLine.runbooksDir);
    m_runbooks->setDirectories(directories);

    const EnvironmentConfig config = EnvironmentConfig::loadDefault();
    QTextStream err(stderr);
    for (const RunbookDiagnostic& d : config.diagnostics())
        err << d.toString() << Qt::endl;
    m_environments = std::make_unique<EnvironmentListModel>();
    m_environments->setProfiles(config.profiles());
    if (!m_environments->setActive(QSettings().value(u"environment/active"_s).toString())
        && !m_environments->setActive(config.defaultProfile())) {
        // Never fall back to production by itself: the first profile that is not production, if any.
        for (const EnvironmentProfile& profile : config.profiles()) {
            if (!profile.isProduction() && m_environments->setActive(profile.name()))
                break;
        }
    }

    m_secrets = std::make_unique<SecretStore>(); // touches the keychain only when a secret is needed
    m_audit = std::make_unique<AuditRecorder>(m_store.get());
    m_escalation = std::make_unique<EscalationService>(m_store.get(), m_secrets.get());
    m_escalation->loadSettings();
    m_escalation->monitor()->setClock([clock = m_clock.get()] { return clock->nowMs(); });
    connect(m_runbooks.get(), &RunbookLibrary::reloaded, m_escalation.get(),
        [this] { m_escalation->setRunbooks(m_runbooks->documents()); });
    connect(m_store.get(), &StoreClient::opened, m_escalation.get(), [this] { m_escalation->start(); });

    ConsoleServices services;
    services.store = m_store.get();
    services.runbooks = m_runbooks.get();
    services.environments = m_environments.get();
    services.secrets = m_secrets.get();
    services.audit = m_audit.get();
    services.escalation = m_escalation.get();
    m_metrics = std::make_unique<MetricsService>();
    m_metrics->setStore(m_store.get());
    m_metrics->setClock(m_clock->clock());
    services.metrics = m_metrics.get();
    services.clock = m_clock.get();
    m_window = std::make_unique<MainWindow>(services);
    m_window->keepStepSessionOpen();
    // The metrics' configuration is read and their sources started once the window is on screen.
    connect(m_window.get(), &MainWindow::firstPainted, m_metrics.get(), [this] {
        PgSession::preloadLibrary(); // on a worker: the metrics' and DBA sessions need it soon
        ChartPlot::preload(); // on a worker too: the dashboards' charts
        m_metrics->watch(m_environments.get(), m_runbooks.get());
    });

    // After `scripts/sandbox up --fresh` (new ports) the console follows the sandbox's env file, and looks again
    // whenever a metric source stops answering.
    m_sandbox = std::make_unique<SandboxEnvironment>(m_environments.get());
    const auto say = [this](const QString& message) { m_window->statusBar()->showMessage(message, 60'000); };
    connect(m_sandbox.get(), &SandboxEnvironment::reloaded, m_window.get(), say);
    connect(m_sandbox.get(), &SandboxEnvironment::unavailable, m_window.get(), say);
    connect(m_metrics.get(), &MetricsService::sourceFailed, m_sandbox.get(), &SandboxEnvironment::recheck);
    m_sandbox->start();

    m_window->show();
    // Opening and parsing happen off the GUI thread: the window paints first, whatever the disk is doing.
    m_store->open();
    m_runbooks->reload();
    return true;
}

int Application::runCommandLine(const CommandLine& commandLine)
{
    QTextStream err(stderr);
    switch (commandLine.mode) {
    case CommandLine::Mode::CheckRunbook:
        return RunbookChecker::run(commandLine.checkRunbookFile);
    case CommandLine::Mode::ExportPostmortem:
        return PostmortemExport::runCommandLine(
            commandLine.storePath, commandLine.exportIncidentId, commandLine.outputFile);
    default:
        return 2;
    }
}
