// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

// What can still be read from a damaged incident store, written out as JSON Lines (one object a line):
//   {"type":"salvage","store":PATH,"exported_ms":T,"format":1}            first line
//   {"type":"row","table":"incidents"|"events"|"postmortems","row":{column: value…}}
//   {"type":"lost","table":T,"from":ROWID,"to":ROWID}                     a range that could not be read
//   {"type":"end","rows":N,"lost":N,"complete":BOOL}                      last line
// Each table is walked in rowid order through a read-only connection of its own; a page that cannot be read ends
// the walk there, and rowids are then tried one at a time up to the table's highest (sqlite_sequence, or max()) until
// one reads again, so one damaged page loses only its own rows. The output is written through QSaveFile: it exists
// whole or not at all. Never writes to the store.
//
// exportReadable() blocks (any thread, a connection of its own); start() runs it on a thread of its own for the GUI
// thread and reports back there (progress(), then finished()). The object lives on the thread that created it.
class StoreSalvage : public QObject {
    Q_OBJECT
public:
    struct Lost {
        QString table;
        qint64 from = 0;
        qint64 to = 0;
    };
    struct Result {
        bool ok = false; // the output was written (possibly with losses)
        QString error; // for people, when !ok
        qint64 rows = 0;
        qint64 incidents = 0;
        qint64 events = 0;
        QList<Lost> lost;
        qint64 lostRows = 0; // rowids tried that could not be read
    };

    // progress(percent) is called from the calling thread now and then. cancelled(), when given, is polled.
    static Result exportReadable(const QString& storePath, const QString& outputPath,
        const std::function<void(int)>& progress = {}, const std::function<bool()>& cancelled = {});
    // "2,000 incidents and 38,112 events exported; 61 events in 1 damaged range could not be read." (pure)
    static QString summary(const Result& result);

    explicit StoreSalvage(QObject* parent = nullptr);
    ~StoreSalvage() override; // stops a running export and waits for its thread (nothing is written then)

    bool isRunning() const { return m_thread != nullptr; }
    // → progress()…, finished(). False when an export already runs.
    bool start(const QString& storePath, const QString& outputPath);
    void cancel() { *m_cancel = true; }

Q_SIGNALS:
    void progress(int percent);
    void finished(const StoreSalvage::Result& result, const QString& outputPath);

private:
    QThread* m_thread = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
};

Q_DECLARE_METATYPE(StoreSalvage::Result)
