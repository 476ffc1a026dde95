// SPDX-License-Identifier: MIT
#include "services/runbooklibrary.h"

#include "services/runbookparser.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

RunbookLibrary::RunbookLibrary(QObject* parent)
    : QObject(parent)
    , m_directories { defaultUserDirectory() }
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &RunbookLibrary::reload);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, &m_debounce, qOverload<>(&QTimer::start));
}

RunbookLibrary::~RunbookLibrary() = default;

QString RunbookLibrary::defaultUserDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/runbooks"_s;
}

void RunbookLibrary::setDirectories(const QStringList& directories) { m_directories = directories; }

QStringList RunbookLibrary::runbookFiles(const QStringList& directories, bool includeShipped)
{
    QStringList files;
    QStringList folders = directories;
    if (includeShipped)
        folders.prepend(shippedDirectory());
    for (const QString& folder : folders) {
        const QDir dir(folder);
        for (const QString& name : dir.entryList({ u"*.md"_s }, QDir::Files | QDir::Readable, QDir::Name))
            files.append(dir.filePath(name));
    }
    return files;
}

RunbookLibrary::LoadResult RunbookLibrary::load(const QStringList& directories, bool includeShipped)
{
    QElapsedTimer timer;
    timer.start();
    LoadResult result;
    for (const QString& dir : directories) {
        if (dir == defaultUserDirectory())
            QDir().mkpath(dir); // the user's folder: created so that it can be watched
        if (!QFileInfo(dir).isDir()) {
            result.diagnostics.append({ RunbookDiagnostic::Level::Warning, dir, 0,
                u"the runbook folder does not exist or is not a folder"_s });
            continue;
        }
        result.directories.append(dir);
    }
    result.files = runbookFiles(result.directories, includeShipped);
    for (const QString& file : result.files)
        result.documents.append(RunbookParser::parseFile(file));
    result.elapsedMs = timer.elapsed();
    return result;
}

void RunbookLibrary::reload()
{
    m_debounce.stop();
    const quint64 generation = ++m_generation;
    m_loading = true;
    auto* watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        apply(generation, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(&RunbookLibrary::load, m_directories, m_includeShipped));
}

void RunbookLibrary::apply(quint64 generation, const LoadResult& result)
{
    if (generation != m_generation)
        return; // a newer load is under way: this one is stale
    m_loading = false;
    m_documents = result.documents;
    m_folderDiagnostics = result.diagnostics;
    m_lastLoadMs = result.elapsedMs;

    // Watch the folders (new and removed files) and each file (edits; re-added because editors replace files).
    QStringList wanted = result.directories + result.files;
    wanted.erase(std::remove_if(wanted.begin(), wanted.end(), [](const QString& p) { return p.startsWith(u':'); }),
        wanted.end());
    const QStringList watched = m_watcher.files() + m_watcher.directories();
    QStringList stale;
    for (const QString& p : watched) {
        if (!wanted.contains(p))
            stale.append(p);
    }
    if (!stale.isEmpty())
        m_watcher.removePaths(stale);
    QStringList fresh;
    for (const QString& p : wanted) {
        if (!watched.contains(p) && QFileInfo::exists(p))
            fresh.append(p);
    }
    if (!fresh.isEmpty())
        m_watcher.addPaths(fresh);
    Q_EMIT reloaded();
}

QList<Runbook> RunbookLibrary::runbooks() const
{
    QList<Runbook> all;
    for (const RunbookDocument& d : m_documents)
        all += d.runbooks;
    return all;
}

QList<RunbookDiagnostic> RunbookLibrary::diagnostics() const
{
    QList<RunbookDiagnostic> all = m_folderDiagnostics;
    for (const RunbookDocument& d : m_documents)
        all += d.diagnostics;
    return all;
}

std::optional<Runbook> RunbookLibrary::runbookForMetric(const QString& metric) const
{
    for (const RunbookDocument& d : m_documents) {
        if (const Runbook* r = d.runbookForMetric(metric))
            return *r;
    }
    return std::nullopt;
}

QStringList RunbookLibrary::watchedPaths() const { return m_watcher.directories() + m_watcher.files(); }

#include "moc_runbooklibrary.cpp"
