// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace QKeychain {
class Job;
}

// The only door to the OS keychain (QtKeychain: the Secret Service of GNOME Keyring or KWallet on Linux).
// Asynchronous: every call returns a request id at once and the answer arrives later as a signal carrying it.
// Never falls back to plain text on disk (QtKeychain's insecure fallback stays off). When the keychain fails, the
// caller may ask for a session-only fallback: secrets then live in this object's memory until it is destroyed.
// Touches the keychain only when a secret is read, written or removed (never at start-up), because on a desktop
// with no keyring yet the first access pops a "choose a password" prompt.
//
// Lives on the thread that creates it (the GUI thread); signals are emitted on that thread. Virtual so that tests
// of other parts can substitute a fake.
class SecretStore : public QObject {
    Q_OBJECT
public:
    enum class Error {
        None,
        NotFound, // no secret under that key
        NoBackend, // no Secret Service on the session bus (or no session bus)
        AccessDenied, // the keyring is locked, or the operator dismissed the unlock prompt
        Other,
    };
    Q_ENUM(Error)

    // service: the keychain "service" the entries are filed under.
    explicit SecretStore(QString service = QStringLiteral("app.petforce.OpsConsole"), QObject* parent = nullptr);
    ~SecretStore() override;

    QString service() const { return m_service; }

    virtual quint64 readSecret(const QString& key); // → secretRead or failed
    virtual quint64 writeSecret(const QString& key, const QString& secret); // → secretWritten or failed
    virtual quint64 removeSecret(const QString& key); // → secretRemoved or failed

    // After a failure, and only when the operator agrees: keep secrets for this session in memory instead of the
    // keychain. Nothing is written to disk. Entries already in memory stay until the object is destroyed.
    void useSessionFallback();
    bool usesSessionFallback() const { return m_sessionOnly; }

    // A message for people about an error, with what to do.
    static QString explain(Error error, const QString& key, const QString& detail);

Q_SIGNALS:
    void secretRead(quint64 requestId, const QString& key, const QString& secret);
    void secretWritten(quint64 requestId, const QString& key);
    void secretRemoved(quint64 requestId, const QString& key);
    void failed(quint64 requestId, const QString& key, SecretStore::Error error, const QString& message);

private:
    QString m_service;
    quint64 m_nextRequest = 1;
    bool m_sessionOnly = false;
    QHash<QString, QString> m_session;

    quint64 answerFromSession(int operation, const QString& key, const QString& secret);
    // Starts a keychain job for key; onSuccess(job) emits the operation's signal, failures emit failed().
    quint64 startJob(QKeychain::Job* job, const QString& key, std::function<void(quint64, QKeychain::Job*)> onSuccess);
};
