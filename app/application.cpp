// SPDX-License-Identifier: MIT
#include "app/application.h"

#include "services/incidentstore.h"
#include "services/runbookchecker.h"
#include "services/storeclient.h"
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
    const QString path = m_commandLine.storePath.isEmpty() ? IncidentStore::defaultPath() : m_commandLine.storePath;
    m_store = std::make_unique<StoreClient>(path);
    m_window = std::make_unique<MainWindow>(m_store.get());
    m_window->show();
    // Opening happens on the store's own thread: the window paints first, whatever the disk is doing.
    m_store->open();
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
