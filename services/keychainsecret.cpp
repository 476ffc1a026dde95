// SPDX-License-Identifier: MIT
#include "services/keychainsecret.h"

#include <QTimer>

using namespace Qt::StringLiterals;

KeychainSecret::KeychainSecret(SecretStore* store, QString key, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_key(std::move(key))
{
    if (!m_store)
        return;
    connect(m_store, &SecretStore::secretRead, this, [this](quint64 id, const QString&, const QString& secret) {
        if (id != m_readId)
            return;
        m_readId = 0;
        m_value = secret;
        Q_EMIT ready(secret);
    });
    connect(m_store, &SecretStore::secretWritten, this, [this](quint64 id, const QString&) {
        if (id != m_writeId)
            return;
        m_writeId = 0;
        Q_EMIT stored();
    });
    connect(m_store, &SecretStore::failed, this,
        [this](quint64 id, const QString&, SecretStore::Error error, const QString& message) {
            if (id != m_readId && id != m_writeId)
                return;
            (id == m_readId ? m_readId : m_writeId) = 0;
            Q_EMIT unavailable(error, message);
        });
}

void KeychainSecret::fetch()
{
    if (hasValue()) {
        QTimer::singleShot(0, this, [this] { Q_EMIT ready(m_value); });
        return;
    }
    if (!m_store) {
        QTimer::singleShot(0, this,
            [this] { Q_EMIT unavailable(SecretStore::Error::NoBackend, u"The console has no secret store."_s); });
        return;
    }
    if (m_readId == 0)
        m_readId = m_store->readSecret(m_key);
}

void KeychainSecret::store(const QString& value)
{
    m_value = value;
    if (m_store)
        m_writeId = m_store->writeSecret(m_key, value);
}

#include "moc_keychainsecret.cpp"
