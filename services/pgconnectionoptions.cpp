// SPDX-License-Identifier: MIT
#include "services/pgconnectionoptions.h"

#include <QUrl>

using namespace Qt::StringLiterals;

QString PgConnectionOptions::applicationName() const
{
    QString name = u"petforce-console"_s;
    if (!purpose.isEmpty())
        name += u'/' + purpose;
    QByteArray utf8 = name.toUtf8();
    if (utf8.size() > 63) {
        utf8.truncate(63);
        name = QString::fromUtf8(utf8);
        if (name.endsWith(QChar::ReplacementCharacter))
            name.chop(1);
    }
    return name;
}

QList<QPair<QByteArray, QByteArray>> PgConnectionOptions::libpqParameters() const
{
    QList<QPair<QByteArray, QByteArray>> p;
    auto add = [&p](const QByteArray& key, const QByteArray& value) { p.append(qMakePair(key, value)); };
    // With expand_dbname, the first dbname may be a whole URL or key=value string; later keywords override it.
    if (!conninfo.isEmpty())
        add("dbname", conninfo.toUtf8());
    add("application_name", applicationName().toUtf8());
    add("client_encoding", "UTF8");
    add("connect_timeout", QByteArray::number(qMax(2, connectTimeoutS)));
    add("keepalives", "1");
    add("keepalives_idle", QByteArray::number(keepalivesIdleS));
    add("keepalives_interval", QByteArray::number(keepalivesIntervalS));
    add("keepalives_count", QByteArray::number(keepalivesCount));
    add("tcp_user_timeout", QByteArray::number(qint64(keepalivesIdleS + keepalivesIntervalS * keepalivesCount) * 1000));
    for (auto it = parameters.cbegin(); it != parameters.cend(); ++it) {
        if (it.key() == u"password"_s)
            continue;
        add(it.key().toUtf8(), it.value().toUtf8());
    }
    if (!password.isEmpty())
        add("password", password.toUtf8());
    return p;
}

QString PgConnectionOptions::describe() const
{
    QString host, port, db, user;
    if (conninfo.startsWith(u"postgres://"_s) || conninfo.startsWith(u"postgresql://"_s)) {
        const QUrl url(conninfo);
        host = url.host();
        if (url.port() > 0)
            port = QString::number(url.port());
        db = url.path().mid(1);
        user = url.userName();
    } else {
        const auto words = conninfo.split(u' ', Qt::SkipEmptyParts);
        for (const QString& w : words) {
            const qsizetype eq = w.indexOf(u'=');
            if (eq < 0)
                continue;
            const QString key = w.left(eq), value = w.mid(eq + 1);
            if (key == u"host"_s)
                host = value;
            else if (key == u"port"_s)
                port = value;
            else if (key == u"dbname"_s)
                db = value;
            else if (key == u"user"_s)
                user = value;
        }
    }
    host = parameters.value(u"host"_s, host);
    port = parameters.value(u"port"_s, port);
    db = parameters.value(u"dbname"_s, db);
    user = parameters.value(u"user"_s, user);
    QString text = user.isEmpty() ? QString() : user + u'@';
    text += host.isEmpty() ? u"(default host)"_s : host;
    if (!port.isEmpty())
        text += u':' + port;
    if (!db.isEmpty())
        text += u'/' + db;
    return text;
}
