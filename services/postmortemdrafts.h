// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QLockFile>
#include <QString>

#include <functional>
#include <memory>

class QObject;

// The autosaved drafts of post-mortems being edited: a folder of files "incident-<id>.md", each with a QLockFile
// ("incident-<id>.md.lock") held by the editor that writes it. A draft whose lock has no live holder (the editor
// crashed or was killed) is an orphan, offered for restore at the next start, byte for byte.
//
// GUI thread; one instance per open editor. The writes go through BackgroundIo (off the GUI thread, in order) and
// hold the lock until they are done, even when this object is released or destroyed first. orphans() is
// synchronous: run it through BackgroundIo from the GUI thread.
class PostmortemDrafts {
public:
    struct Orphan {
        qint64 incidentId = 0;
        QString path;
        QByteArray bytes;
    };

    // The folder: <AppDataLocation>/postmortem-drafts, or $PETFORCE_DRAFTS_DIR when set (tests, helpers).
    static QString defaultFolder();
    // Drafts with no live lock holder, oldest incident first. Takes and drops each lock to find out.
    static QList<Orphan> orphans(const QString& folder = defaultFolder());
    static QString draftPath(const QString& folder, qint64 incidentId);

    PostmortemDrafts(qint64 incidentId, const QString& folder = defaultFolder());
    ~PostmortemDrafts();

    // Takes the draft's lock; false when another live editor holds it (*error says so).
    bool acquire(QString* error = nullptr);
    bool isHeld() const;
    // Queues an atomic, durable write of the draft (AtomicFileWriter); done(ok, error) follows on the GUI thread
    // unless context is gone. On failure the previous draft stays.
    void save(const QByteArray& bytes, QObject* context = nullptr,
        std::function<void(bool ok, const QString& error)> done = {});
    // Queues the removal of the draft file (the document was saved for good), after any queued write; keeps the lock.
    void discard();
    void release(); // drops the lock, keeps the file
    QString path() const { return m_path; }

private:
    qint64 m_incidentId;
    QString m_folder;
    QString m_path;
    std::shared_ptr<QLockFile> m_lock; // shared with the queued writes
};
