// SPDX-License-Identifier: MIT
#pragma once
// A tiny HTTP/1.1 server on loopback for tests: answers each request with the next queued reply (or the default),
// records what it received, and can hold a request unanswered to provoke a client timeout.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

class FakeHttpServer : public QObject {
    Q_OBJECT
public:
    struct Reply {
        Reply(int status_ = 200, QByteArray body_ = "ok", QList<std::pair<QByteArray, QByteArray>> headers_ = {})
            : status(status_)
            , body(std::move(body_))
            , headers(std::move(headers_))
        {
        }
        int status;
        QByteArray body;
        QList<std::pair<QByteArray, QByteArray>> headers;
        bool hang = false; // never answer
    };
    struct Request {
        QByteArray method;
        QByteArray target; // path and query, as sent
        QMap<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };

    FakeHttpServer()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QUrl url(const QString& path = {}) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }
    void enqueue(const Reply& reply) { m_queue.append(reply); }
    void setDefault(const Reply& reply) { m_default = reply; }
    const QList<Request>& requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }

Q_SIGNALS:
    void requestReceived();

private:
    void onData(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        Request request;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.target = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                request.headers.insert(
                    lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length", "0").toLongLong();
        if (buffer.size() < end + 4 + length)
            return;
        request.body = buffer.mid(end + 4, length);
        buffer.remove(0, end + 4 + length);
        m_requests.append(request);
        const Reply reply = m_queue.isEmpty() ? m_default : m_queue.takeFirst();
        Q_EMIT requestReceived();
        if (reply.hang)
            return;
        QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status)
            + " X\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\nConnection: keep-alive\r\n";
        for (const auto& [name, value] : reply.headers)
            out += name + ": " + value + "\r\n";
        out += "\r\n" + reply.body;
        socket->write(out);
    }

    QTcpServer m_server;
    QList<Reply> m_queue;
    Reply m_default;
    QList<Request> m_requests;
    QMap<QTcpSocket*, QByteArray> m_buffers;
};
