// SPDX-License-Identifier: MIT
#include "services/postmortemdrafts.h"

#include "services/atomicfilewriter.h"
#include "services/backgroundio.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>

using namespace Qt::StringLiterals;

QString PostmortemDrafts::defaultFolder()
{
    const QString overridden = qEnvironmentVariable("PETFORCE_DRAFTS_DIR");
    if (!overridden.isEmpty())
        return overridden;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/postmortem-drafts"_s;
}

QString PostmortemDrafts::draftPath(const QString& folder, qint64 incidentId)
{
    return folder + u"/incident-%1.md"_s.arg(incidentId);
}

QList<PostmortemDrafts::Orphan> PostmortemDrafts::orphans(const QString& folder)
{
    static const QRegularExpression name(u"^incident-(\\d+)\\.md$"_s);
    QList<Orphan> result;
    const QStringList files = QDir(folder).entryList({ u"incident-*.md"_s }, QDir::Files);
    for (const QString& file : files) {
        const QRegularExpressionMatch m = name.match(file);
        if (!m.hasMatch())
            continue;
        const QString path = folder + u'/' + file;
        QLockFile lock(path + u".lock"_s);
        lock.setStaleLockTime(0); // only a dead holder makes it stale, never its age
        if (!lock.tryLock(0))
            continue; // a live editor has it
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            result.append({ m.captured(1).toLongLong(), path, f.readAll() });
        lock.unlock();
    }
    std::sort(
        result.begin(), result.end(), [](const Orphan& a, const Orphan& b) { return a.incidentId < b.incidentId; });
    return result;
}

PostmortemDrafts::PostmortemDrafts(qint64 incidentId, const QString& folder)
    : m_incidentId(incidentId)
    , m_folder(folder)
    , m_path(draftPath(folder, incidentId))
{
}

PostmortemDrafts::~PostmortemDrafts() { release(); }

bool PostmortemDrafts::acquire(QString* error)
{
    if (isHeld())
        return true;
    if (!QDir().mkpath(m_folder)) {
        if (error)
            *error
                = QCoreApplication::translate("PostmortemDrafts", "Cannot create the drafts folder %1.").arg(m_folder);
        return false;
    }
    m_lock = std::make_shared<QLockFile>(m_path + u".lock"_s);
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        if (error)
            *error = QCoreApplication::translate(
                "PostmortemDrafts", "The post-mortem of incident %1 is being edited in another window or console.")
                         .arg(m_incidentId);
        m_lock.reset();
        return false;
    }
    return true;
}

bool PostmortemDrafts::isHeld() const { return m_lock && m_lock->isLocked(); }

void PostmortemDrafts::save(
    const QByteArray& bytes, QObject* context, std::function<void(bool ok, const QString& error)> done)
{
    // The job keeps the lock: a draft being written is never taken for an orphan.
    auto write = [path = m_path, bytes, lock = m_lock]() -> std::pair<bool, QString> {
        QString error;
        const bool ok = AtomicFileWriter::write(path, bytes, &error);
        return { ok,
            ok ? QString()
               : QCoreApplication::translate("PostmortemDrafts", "Could not autosave the draft: %1").arg(error) };
    };
    if (!context || !done) {
        BackgroundIo::run([write = std::move(write)]() mutable { write(); });
        return;
    }
    BackgroundIo::run(context, std::move(write),
        [done = std::move(done)](const std::pair<bool, QString>& result) { done(result.first, result.second); });
}

void PostmortemDrafts::discard()
{
    BackgroundIo::run([path = m_path, lock = m_lock] { QFile::remove(path); });
}

void PostmortemDrafts::release()
{
    m_lock.reset(); // the last holder (this, or a queued write) unlocks it
}
