// SPDX-License-Identifier: MIT
#pragma once

#include "services/redisreply.h"

#include <QByteArrayList>
#include <QObject>

#include <functional>
#include <memory>

class RedisClientPrivate;

// A minimal asynchronous Redis client over QTcpSocket (QSslSocket with tls): commands are sent as RESP arrays
// and replies parsed by hiredis's reply reader (redisReaderCreate/Feed/GetReply from libhiredis), not by a parser
// of our own. Lives on the thread that creates it (the GUI thread) and never blocks it. Commands sent while
// connecting wait for the connection; each command's callback runs exactly once, in order, with the reply, or
// with ok = false (and the error in errorString()) when the connection fails or is lost, or when the client is
// closed. The callbacks run on this object's thread; the client owns nothing the caller gave it.
class RedisClient : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(bool ok, const RedisReply& reply)>;

    explicit RedisClient(QObject* parent = nullptr);
    ~RedisClient() override; // pending callbacks are dropped without being called

    void setServer(const QString& host, quint16 port, bool tls = false);
    void setPassword(const QString& password); // AUTH after connecting when not empty
    void setConnectTimeoutMs(int ms); // default 3000

    bool isConnected() const;
    QString errorString() const; // why the last connection failed or was lost

    // Sends a command (connecting first when needed) and calls callback with its reply.
    void command(const QByteArrayList& arguments, Callback callback);
    // The keys matching pattern with their values: SCAN … MATCH pattern COUNT 1000, then MGET of each batch, until
    // the cursor is back at 0 or maxKeys keys were read (capped = true: the rest were not read). done runs once,
    // on this object's thread; ok = false with the error when the connection failed or a reply was an error.
    struct KeyValue {
        QByteArray key;
        QByteArray value; // empty for a key that expired between SCAN and MGET (isNil)
        bool isNil = false;
    };
    using ScanDone = std::function<void(bool ok, const QList<KeyValue>& keys, bool capped, const QString& error)>;
    void scanValues(const QByteArray& pattern, int maxKeys, ScanDone done);
    // Drops the connection; pending callbacks get ok = false.
    void disconnectFromServer();

Q_SIGNALS:
    void connected();
    void disconnected(const QString& error);

private:
    friend class RedisClientPrivate;
    std::unique_ptr<RedisClientPrivate> d;
};
