// SPDX-License-Identifier: MIT
#include "services/secretstore.h"

#include <QMetaObject>

#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace {

enum Operation { Read, Write, Remove };

SecretStore::Error classify(QKeychain::Error error, const QString& detail)
{
    switch (error) {
    case QKeychain::NoError:
        return SecretStore::Error::None;
    case QKeychain::EntryNotFound:
        return SecretStore::Error::NotFound;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return SecretStore::Error::NoBackend;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return SecretStore::Error::AccessDenied;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    const QString d = detail.toLower();
    if (d.contains(u"locked") || d.contains(u"dismissed") || d.contains(u"denied") || d.contains(u"prompt"))
        return SecretStore::Error::AccessDenied;
    if (d.contains(u"d-bus") || d.contains(u"dbus") || d.contains(u"secret service") || d.contains(u"serviceunknown")
        || d.contains(u"autolaunch") || d.contains(u"no such interface") || d.contains(u"not provided by any")
        || d.contains(u"could not connect") || d.contains(u"failed to connect") || d.contains(u"connection refused")
        || d.contains(u"address is empty"))
        return SecretStore::Error::NoBackend;
    if (d.contains(u"not found") || d.contains(u"no match") || d.contains(u"could not be found"))
        return SecretStore::Error::NotFound;
    return SecretStore::Error::Other;
}

} // namespace

SecretStore::SecretStore(QString service, QObject* parent)
    : QObject(parent)
    , m_service(std::move(service))
{
}

SecretStore::~SecretStore() = default;

QString SecretStore::explain(Error error, const QString& key, const QString& detail)
{
    const QString why = detail.isEmpty() ? QString() : u" ("_s + detail + u')';
    switch (error) {
    case Error::None:
        return {};
    case Error::NotFound:
        return u"The keychain has no secret named \u201C%1\u201D. Store it first (the console asks for it when it "
               "is needed)."_s.arg(key);
    case Error::NoBackend:
        return u"No keychain is available: no Secret Service (GNOME Keyring, KWallet) answers on this session's "
               "D-Bus%1. Start or unlock your desktop's keyring, or give the secret through an environment "
               "variable. The console never stores secrets in plain text."_s.arg(why);
    case Error::AccessDenied:
        return u"The keyring refused access to \u201C%1\u201D: it is locked, or the unlock prompt was dismissed%2. "
               "Unlock your keyring and try again."_s.arg(key, why);
    case Error::Other:
        break;
    }
    return u"The keychain could not handle \u201C%1\u201D%2."_s.arg(key, why);
}

void SecretStore::useSessionFallback() { m_sessionOnly = true; }

quint64 SecretStore::answerFromSession(int operation, const QString& key, const QString& secret)
{
    const quint64 id = m_nextRequest++;
    // Answer later, as the keychain would: callers connect after calling.
    QMetaObject::invokeMethod(
        this,
        [this, id, operation, key, secret] {
            switch (operation) {
            case Read:
                if (m_session.contains(key))
                    Q_EMIT secretRead(id, key, m_session.value(key));
                else
                    Q_EMIT failed(id, key, Error::NotFound, explain(Error::NotFound, key, u"session only"_s));
                break;
            case Write:
                m_session.insert(key, secret);
                Q_EMIT secretWritten(id, key);
                break;
            case Remove:
                m_session.remove(key);
                Q_EMIT secretRemoved(id, key);
                break;
            }
        },
        Qt::QueuedConnection);
    return id;
}

quint64 SecretStore::startJob(
    QKeychain::Job* job, const QString& key, std::function<void(quint64, QKeychain::Job*)> onSuccess)
{
    const quint64 id = m_nextRequest++;
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never plain text on disk
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [this, id, key, onSuccess = std::move(onSuccess)](QKeychain::Job* j) {
        const Error e = classify(j->error(), j->errorString());
        if (e == Error::None)
            onSuccess(id, j);
        else
            Q_EMIT failed(id, key, e, explain(e, key, j->errorString()));
    });
    job->start();
    return id;
}

quint64 SecretStore::readSecret(const QString& key)
{
    if (m_sessionOnly)
        return answerFromSession(Read, key, {});
    return startJob(new QKeychain::ReadPasswordJob(m_service, this), key, [this, key](quint64 id, QKeychain::Job* j) {
        Q_EMIT secretRead(id, key, static_cast<QKeychain::ReadPasswordJob*>(j)->textData());
    });
}

quint64 SecretStore::writeSecret(const QString& key, const QString& secret)
{
    if (m_sessionOnly)
        return answerFromSession(Write, key, secret);
    auto* job = new QKeychain::WritePasswordJob(m_service, this);
    job->setTextData(secret);
    return startJob(job, key, [this, key](quint64 id, QKeychain::Job*) { Q_EMIT secretWritten(id, key); });
}

quint64 SecretStore::removeSecret(const QString& key)
{
    if (m_sessionOnly)
        return answerFromSession(Remove, key, {});
    return startJob(new QKeychain::DeletePasswordJob(m_service, this), key,
        [this, key](quint64 id, QKeychain::Job*) { Q_EMIT secretRemoved(id, key); });
}

#include "moc_secretstore.cpp"
