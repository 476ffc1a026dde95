// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QLockFile>
#include <QString>

#include <memory>

// The autosaved drafts of post-mortems being edited: a folder of files "incident-<id>.md", each with a QLockFile
// ("incident-<id>.md.lock") held by the editor that writes it. A draft whose lock has no live holder (the editor
// crashed or was killed) is an orphan, offered for restore at the next start, byte for byte.
//
// Synchronous, GUI thread (the files are small); one instance per open editor. Owns its lock until release().
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
    // Writes the draft atomically (QSaveFile). false with *error on failure; the previous draft stays.
    bool save(const QByteArray& bytes, QString* error = nullptr);
    // Removes the draft file (the document was saved for good) and keeps the lock.
    void discard();
    void release(); // drops the lock, keeps the file
    QString path() const { return m_path; }

private:
    qint64 m_incidentId;
    QString m_folder;
    QString m_path;
    std::unique_ptr<QLockFile> m_lock;
};
