// SPDX-License-Identifier: MIT
#include "app/application.h"
#include "app/commandline.h"
#include "app/firstpaintmarker.h"
#include "app/quitonsignal.h"
#include "app/startupwarmup.h"
#include "services/postmortemexport.h"

#include <QApplication>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QScopeGuard>
#include <QTextStream>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("PetForce"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("petforce.app"));
    QCoreApplication::setApplicationName(QStringLiteral("petforce-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PETFORCE_VERSION));

    // The command line is read before any QApplication exists: --help, --version and the command-line modes
    // must work without a display (PLATFORM-NOTES.md).
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const CommandLine commandLine = CommandLine::parse(arguments);

    switch (commandLine.mode) {
    case CommandLine::Mode::Help:
    case CommandLine::Mode::Version:
        QTextStream(stdout) << commandLine.message << Qt::endl;
        return 0;
    case CommandLine::Mode::Error:
        QTextStream(stderr) << commandLine.message << Qt::endl;
        return 2;
    case CommandLine::Mode::ExportPostmortem:
        if (PostmortemExport::formatFor(commandLine.outputFile) != PostmortemExport::Format::Markdown) {
            // HTML and PDF lay the document out with fonts, which need a QGuiApplication; offscreen, so that the
            // export still works without a display (over ssh, in a cron job).
            qputenv("QT_QPA_PLATFORM", "offscreen");
            QGuiApplication app(argc, argv);
            return Application::runCommandLine(commandLine);
        }
        [[fallthrough]];
    case CommandLine::Mode::CheckRunbook: {
        QCoreApplication app(argc, argv);
        return Application::runCommandLine(commandLine);
    }
    case CommandLine::Mode::Gui:
        break;
    }

    StartupWarmup warmup; // fontconfig loads while the application connects to the display
    QApplication app(argc, argv);
    warmup.applicationCreated();
    const auto warmupDone = qScopeGuard([&warmup] { warmup.wait(); }); // before the application goes
    QApplication::setApplicationDisplayName(QStringLiteral("PetForce Ops Console"));
    QApplication::setDesktopFileName(QStringLiteral("app.petforce.OpsConsole"));
    FirstPaintMarker firstPaint;
    if (FirstPaintMarker::requested())
        app.installEventFilter(&firstPaint);
    Application application(commandLine);
    if (!application.start())
        return 1;
    const QuitOnSignal quitOnSignal([] {
        QApplication::closeAllWindows(); // as their close buttons: the layout is saved
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // editors autosave as they go
        QCoreApplication::quit();
    });
    return QApplication::exec();
}
