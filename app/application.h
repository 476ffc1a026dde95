// SPDX-License-Identifier: MIT
#pragma once

#include "app/commandline.h"

#include <QObject>

#include <memory>

class AuditRecorder;
class ClockWatch;
class MetricsService;
class EnvironmentListModel;
class EscalationService;
class MainWindow;
class RunbookLibrary;
class SandboxEnvironment;
class SecretStore;
class StoreClient;

// Wires the services into the UI: owns the store client and the main window.
class Application : public QObject {
    Q_OBJECT
public:
    explicit Application(CommandLine commandLine, QObject* parent = nullptr);
    ~Application() override;

    bool start(); // shows the main window; false when the program cannot run
    MainWindow* window() const { return m_window.get(); } // after start()
    // The command-line modes (no display): --check-runbook, --export-postmortem. Returns the exit code.
    static int runCommandLine(const CommandLine& commandLine);

private:
    CommandLine m_commandLine;
    // The services outlive the window that uses them (declared first, destroyed last).
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<ClockWatch> m_clock; // before the other users of the store's signals
    std::unique_ptr<RunbookLibrary> m_runbooks;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<EscalationService> m_escalation;
    std::unique_ptr<MetricsService> m_metrics;
    std::unique_ptr<SandboxEnvironment> m_sandbox; // after the model it resets
    std::unique_ptr<MainWindow> m_window;
};
