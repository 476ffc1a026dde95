// SPDX-License-Identifier: MIT
#include "app/application.h"

#include "services/runbookchecker.h"
#include "ui/mainwindow.h"

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
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    return true;
}

int Application::runCommandLine(const CommandLine& commandLine)
{
    QTextStream err(stderr);
    switch (commandLine.mode) {
    case CommandLine::Mode::CheckRunbook:
        return RunbookChecker::run(commandLine.checkRunbookFile);
    case CommandLine::Mode::ExportPostmortem:
        err << "--export-postmortem is not available in this build yet." << Qt::endl;
        return 2;
    default:
        return 2;
    }
}
