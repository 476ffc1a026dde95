// SPDX-License-Identifier: MIT
#include "services/redisclient.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <hiredis/hiredis.h>

#include <deque>

using namespace Qt::StringLiterals;

bool RedisReply::toDouble(double* value) const
{
    switch (type) {
    case Type::Integer:
    case Type::Bool:
        *value = double(integer);
        return true;
    case Type::String:
    case Type::Status:
    case Type::Double: {
        bool ok = false;
        const double v = string.toDouble(&ok);
        if (ok)
            *value = v;
        return ok;
    }
    default:
        return false;
    }
}

namespace {
RedisReply convert(const redisReply* r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY: // Debian 12's hiredis 0.14 reads RESP2: no maps, sets, doubles or booleans
        out.type = RedisReply::Type::Array;
        out.elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

QByteArray encode(const QByteArrayList& arguments)
{
    QByteArray out = '*' + QByteArray::number(arguments.size()) + "\r\n";
    for (const QByteArray& a : arguments)
        out += '$' + QByteArray::number(a.size()) + "\r\n" + a + "\r\n";
    return out;
}
} // namespace

class RedisClientPrivate {
public:
    RedisClient* q;
    QString host;
    quint16 port = 6379;
    bool tls = false;
    QString password;
    int connectTimeoutMs = 3000;
    QTcpSocket* socket = nullptr;
    redisReader* reader = nullptr;
    QTimer connectTimer;
    bool ready = false;
    QString error;
    std::deque<RedisClient::Callback> waiting; // sent, awaiting replies, in order
    QList<QPair<QByteArray, RedisClient::Callback>> queued; // not sent yet (connecting)

    void connectNow()
    {
        dropSocket();
        reader = redisReaderCreate();
        socket = tls ? new QSslSocket(q) : new QTcpSocket(q);
        QObject::connect(socket, &QTcpSocket::readyRead, q, [this] { onReadyRead(); });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, q,
            [this](QAbstractSocket::SocketError) { fail(socket ? socket->errorString() : u"socket error"_s); });
        QObject::connect(socket, &QAbstractSocket::disconnected, q, [this] { fail(u"connection closed"_s); });
        auto onConnected = [this] {
            connectTimer.stop();
            if (!password.isEmpty()) {
                const QByteArray auth = encode({ "AUTH", password.toUtf8() });
                socket->write(auth);
                waiting.push_back([this](bool ok, const RedisReply& reply) {
                    if (ok && reply.isError())
                        fail(u"AUTH: "_s + QString::fromUtf8(reply.string));
                });
            }
            ready = true;
            const auto pending = std::exchange(queued, {});
            for (const auto& [bytes, callback] : pending) {
                socket->write(bytes);
                waiting.push_back(callback);
            }
            Q_EMIT q->connected();
        };
        connectTimer.start(connectTimeoutMs);
        if (tls) {
            auto* ssl = static_cast<QSslSocket*>(socket);
            QObject::connect(ssl, &QSslSocket::encrypted, q, onConnected);
            QObject::connect(ssl, &QSslSocket::sslErrors, q, [this](const QList<QSslError>& errors) {
                fail(errors.isEmpty() ? u"TLS error"_s : errors.first().errorString());
            });
            ssl->connectToHostEncrypted(host, port);
        } else {
            QObject::connect(socket, &QAbstractSocket::connected, q, onConnected);
            socket->connectToHost(host, port);
        }
    }

    void onReadyRead()
    {
        const QByteArray data = socket->readAll();
        if (redisReaderFeed(reader, data.constData(), size_t(data.size())) != REDIS_OK) {
            fail(u"protocol error: "_s + QString::fromUtf8(reader->errstr));
            return;
        }
        for (;;) {
            void* raw = nullptr;
            if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
                fail(u"protocol error: "_s + QString::fromUtf8(reader->errstr));
                return;
            }
            if (!raw)
                return;
            const RedisReply reply = convert(static_cast<redisReply*>(raw));
            freeReplyObject(raw);
            if (waiting.empty())
                continue; // a reply nobody asked for (a push): ignored
            auto callback = std::move(waiting.front());
            waiting.pop_front();
            QPointer<RedisClient> alive(q);
            callback(true, reply);
            if (!alive || !reader)
                return; // the callback destroyed or disconnected the client
        }
    }

    void dropSocket()
    {
        connectTimer.stop();
        ready = false;
        if (socket) {
            socket->disconnect(q);
            socket->abort();
            socket->deleteLater();
            socket = nullptr;
        }
        if (reader) {
            redisReaderFree(reader);
            reader = nullptr;
        }
    }

    void fail(const QString& why)
    {
        if (!socket)
            return;
        error = why;
        dropSocket();
        auto sent = std::exchange(waiting, {});
        auto pending = std::exchange(queued, {});
        QPointer<RedisClient> alive(q);
        const RedisReply none;
        for (auto& callback : sent) {
            callback(false, none);
            if (!alive)
                return;
        }
        for (auto& entry : pending) {
            entry.second(false, none);
            if (!alive)
                return;
        }
        Q_EMIT q->disconnected(why);
    }
};

RedisClient::RedisClient(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<RedisClientPrivate>())
{
    d->q = this;
    d->connectTimer.setSingleShot(true);
    connect(&d->connectTimer, &QTimer::timeout, this, [this] { d->fail(u"connection timed out"_s); });
}

RedisClient::~RedisClient()
{
    d->waiting.clear();
    d->queued.clear();
    d->dropSocket();
}

void RedisClient::setServer(const QString& host, quint16 port, bool tls)
{
    d->host = host;
    d->port = port;
    d->tls = tls;
}

void RedisClient::setPassword(const QString& password) { d->password = password; }

void RedisClient::setConnectTimeoutMs(int ms) { d->connectTimeoutMs = ms; }

bool RedisClient::isConnected() const { return d->ready; }

QString RedisClient::errorString() const { return d->error; }

void RedisClient::command(const QByteArrayList& arguments, Callback callback)
{
    const QByteArray bytes = encode(arguments);
    if (d->ready) {
        d->socket->write(bytes);
        d->waiting.push_back(std::move(callback));
        return;
    }
    d->queued.append({ bytes, std::move(callback) });
    if (!d->socket)
        d->connectNow();
}

namespace {
struct ScanState {
    QByteArray pattern;
    int maxKeys = 0;
    QList<RedisClient::KeyValue> keys;
    RedisClient::ScanDone done;
    bool over = false;
    void end(bool ok, bool capped, const QString& error)
    {
        if (over)
            return;
        over = true;
        done(ok, keys, capped, error);
    }
};

void scanStep(RedisClient* client, const std::shared_ptr<ScanState>& state, const QByteArray& cursor)
{
    client->command({ "SCAN", cursor, "MATCH", state->pattern, "COUNT", "1000" },
        [client, state](bool ok, const RedisReply& reply) {
            if (!ok || reply.isError() || reply.elements.size() != 2)
                return state->end(
                    false, false, ok ? u"SCAN: "_s + QString::fromUtf8(reply.string) : client->errorString());
            const QByteArray next = reply.elements[0].string;
            QByteArrayList mget { "MGET" };
            for (const RedisReply& k : reply.elements[1].elements) {
                if (state->keys.size() + mget.size() - 1 >= state->maxKeys)
                    break;
                mget.append(k.string);
            }
            const bool capped = state->keys.size() + mget.size() - 1 >= state->maxKeys
                && (next != "0" || mget.size() - 1 < reply.elements[1].elements.size());
            const bool last = next == "0" || capped;
            if (mget.size() == 1) {
                if (last)
                    state->end(true, capped, {});
                else
                    scanStep(client, state, next);
                return;
            }
            client->command(mget, [client, state, mget, next, last, capped](bool ok, const RedisReply& values) {
                if (!ok || values.isError())
                    return state->end(
                        false, false, ok ? u"MGET: "_s + QString::fromUtf8(values.string) : client->errorString());
                for (qsizetype i = 1; i < mget.size(); ++i) {
                    const RedisReply v = values.elements.value(i - 1);
                    state->keys.append({ mget.at(i), v.string, v.type == RedisReply::Type::Nil });
                }
                if (last)
                    state->end(true, capped, {});
                else
                    scanStep(client, state, next);
            });
        });
}
} // namespace

void RedisClient::scanValues(const QByteArray& pattern, int maxKeys, ScanDone done)
{
    auto state = std::make_shared<ScanState>();
    state->pattern = pattern;
    state->maxKeys = qMax(1, maxKeys);
    state->done = std::move(done);
    scanStep(this, state, "0");
}

void RedisClient::disconnectFromServer() { d->fail(u"disconnected by the console"_s); }

#include "moc_redisclient.cpp"
