// SPDX-License-Identifier: MIT
#pragma once

#include "services/secretstore.h"

#include <QObject>
#include <QString>

// One named secret (a PagerDuty token, a Slack webhook URL) fetched through the SecretStore when first needed and
// then kept in memory for the session. Lives on the GUI thread; does not own the store.
class KeychainSecret : public QObject {
    Q_OBJECT
public:
    KeychainSecret(SecretStore* store, QString key, QObject* parent = nullptr);

    QString key() const { return m_key; }
    bool hasValue() const { return !m_value.isEmpty(); }
    QString value() const { return m_value; }
    SecretStore* store() const { return m_store; }

    // → ready(value) at once (queued) when cached, else after the keychain answers; or unavailable().
    void fetch();
    // Writes a new value to the keychain (→ stored() or unavailable()); the value is used for the session either way.
    void store(const QString& value);
    void forget() { m_value.clear(); }

Q_SIGNALS:
    void ready(const QString& value);
    void stored();
    void unavailable(SecretStore::Error error, const QString& message);

private:
    SecretStore* m_store;
    QString m_key;
    QString m_value;
    quint64 m_readId = 0;
    quint64 m_writeId = 0;
};
