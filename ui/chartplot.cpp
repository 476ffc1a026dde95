// SPDX-License-Identifier: MIT
#include "ui/chartplot.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibrary>
#include <QStringList>
#include <QThreadPool>

using namespace Qt::StringLiterals;

#ifndef PETFORCE_CHARTPLOT_INSTALL_RELDIR
#error "PETFORCE_CHARTPLOT_INSTALL_RELDIR (the module's folder relative to the program's) is set by ui/CMakeLists.txt"
#endif
#ifndef PETFORCE_BUILD_ROOT
#error "PETFORCE_BUILD_ROOT (the build tree, with a trailing slash) is set by ui/CMakeLists.txt"
#endif
#ifndef PETFORCE_CHARTPLOT_BUILD_DIR
#error "PETFORCE_CHARTPLOT_BUILD_DIR (the module's folder in the build tree) is set by ui/CMakeLists.txt"
#endif

namespace {
constexpr QStringView kModuleFile = u"libpetforce-chartplot.so";

struct Loaded {
    PetforceChartPlotFactory factory = nullptr;
    QString error;
};

QStringList candidateFolders()
{
    const QString only = qEnvironmentVariable("PETFORCE_MODULE_DIR");
    if (!only.isEmpty())
        return { only };
    QStringList folders { QDir::cleanPath(
        QCoreApplication::applicationDirPath() + u'/' + QStringLiteral(PETFORCE_CHARTPLOT_INSTALL_RELDIR)) };
    // The build tree's module only for a program run from the build tree (the dev build, tests): an installed
    // console never looks in a folder of the machine it was built on.
    const QString buildRoot = QFileInfo(QStringLiteral(PETFORCE_BUILD_ROOT)).canonicalFilePath();
    const QString programDir = QFileInfo(QCoreApplication::applicationDirPath()).canonicalFilePath();
    if (!buildRoot.isEmpty() && QString(programDir + u'/').startsWith(QString(buildRoot + u'/')))
        folders.append(QStringLiteral(PETFORCE_CHARTPLOT_BUILD_DIR));
    return folders;
}

Loaded load()
{
    Loaded r;
    QStringList tried;
    QString path;
    for (const QString& folder : candidateFolders()) {
        const QString candidate = QDir(folder).filePath(kModuleFile.toString());
        tried.append(candidate);
        if (QFileInfo::exists(candidate)) {
            path = candidate;
            break;
        }
    }
    if (path.isEmpty()) {
        r.error = u"Charts are unavailable: the chart module %1 was not found (looked for %2). Reinstall "
                  u"petforce-console."_s.arg(kModuleFile.toString(), tried.join(u", "_s));
        return r;
    }
    // Never unloaded: the plots it creates live as long as their charts.
    QLibrary library(path);
    library.setLoadHints(QLibrary::PreventUnloadHint);
    if (!library.load()) {
        r.error = u"Charts are unavailable: could not load the chart module %1: %2. Reinstall petforce-console "
                  u"(the module needs the libqt6charts6 package)."_s.arg(path, library.errorString());
        return r;
    }
    r.factory = reinterpret_cast<PetforceChartPlotFactory>(library.resolve(PETFORCE_CHARTPLOT_FACTORY));
    if (!r.factory)
        r.error = u"Charts are unavailable: the chart module %1 lacks %2 (a module of another version?). Reinstall "
                  u"petforce-console."_s.arg(path, QLatin1StringView(PETFORCE_CHARTPLOT_FACTORY));
    return r;
}

// The module, loaded once by whichever thread comes first (a function-local static: the others wait).
const Loaded& module()
{
    static const Loaded loaded = [] {
        Loaded l = load();
        if (!l.factory)
            qWarning("%s", qUtf8Printable(l.error));
        return l;
    }();
    return loaded;
}
} // namespace

void ChartPlot::preload()
{
    QThreadPool::globalInstance()->start([] { module(); });
}

std::unique_ptr<ChartPlot> ChartPlot::create(QWidget* parent, const QFont& labelsFont, QString* error)
{
    const Loaded& loaded = module();
    if (!loaded.factory) {
        if (error)
            *error = loaded.error;
        return nullptr;
    }
    return std::unique_ptr<ChartPlot>(loaded.factory(parent, labelsFont));
}
