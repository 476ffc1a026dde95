// SPDX-License-Identifier: MIT
#pragma once

#include "app/commandline.h"

#include <QObject>

#include <memory>

class MainWindow;
class StoreClient;

// Wires the services into the UI: owns the store client and the main window.
class Application : public QObject {
    Q_OBJECT
public:
    explicit Application(CommandLine commandLine, QObject* parent = nullptr);
    ~Application() override;

    bool start(); // shows the main window; false when the program cannot run
    // The command-line modes (no display): --check-runbook, --export-postmortem. Returns the exit code.
    static int runCommandLine(const CommandLine& commandLine);

private:
    CommandLine m_commandLine;
    std::unique_ptr<StoreClient> m_store; // outlives the window that uses it
    std::unique_ptr<MainWindow> m_window;
};
