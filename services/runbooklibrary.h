// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookdocument.h"

#include <QFileSystemWatcher>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <optional>

// The team's runbooks: the shipped seed (every *.md under :/runbooks/), the *.md files of the user's runbook folder
// (<AppDataLocation>/runbooks, created when missing) and of any extra folders (--runbooks DIR). Watches the folders
// and files, and reloads everything a moment after one changes (editors save in bursts).
//
// Lives on the thread that creates it (the GUI thread). Reading and parsing run on Qt's thread pool; the result
// comes back by value, is dropped when a newer load has started, and replaces documents() at once, followed by
// reloaded(). Accessors return copies.
class RunbookLibrary : public QObject {
    Q_OBJECT
public:
    explicit RunbookLibrary(QObject* parent = nullptr);
    ~RunbookLibrary() override;

    static QString defaultUserDirectory(); // <AppDataLocation>/runbooks
    static QString shippedDirectory() { return QStringLiteral(":/runbooks"); }

    // The folders to read besides the shipped runbooks; by default the user's folder. Takes effect on reload().
    void setDirectories(const QStringList& directories);
    QStringList directories() const { return m_directories; }
    void setIncludeShipped(bool include) { m_includeShipped = include; }
    void setReloadDelay(int ms) { m_debounce.setInterval(ms); } // default 250 ms

    void reload(); // starts a load now → reloaded()
    bool isLoading() const { return m_loading; }

    QList<RunbookDocument> documents() const { return m_documents; }
    QList<Runbook> runbooks() const; // of every document, in load order (shipped first)
    QList<RunbookDiagnostic> diagnostics() const; // of every document and folder
    std::optional<Runbook> runbookForMetric(const QString& metric) const;
    QStringList watchedPaths() const;
    qint64 lastLoadMilliseconds() const { return m_lastLoadMs; } // wall time of the last load, read and parse

    // The files a load reads, in order (any thread).
    static QStringList runbookFiles(const QStringList& directories, bool includeShipped);

Q_SIGNALS:
    void reloaded();

private:
    struct LoadResult {
        QList<RunbookDocument> documents;
        QList<RunbookDiagnostic> diagnostics;
        QStringList files;
        QStringList directories;
        qint64 elapsedMs = 0;
    };
    static LoadResult load(const QStringList& directories, bool includeShipped);
    void apply(quint64 generation, const LoadResult& result);

    QStringList m_directories;
    bool m_includeShipped = true;
    bool m_loading = false;
    quint64 m_generation = 0;
    QList<RunbookDocument> m_documents;
    QList<RunbookDiagnostic> m_folderDiagnostics;
    qint64 m_lastLoadMs = 0;
    QFileSystemWatcher m_watcher;
    QTimer m_debounce;
};
