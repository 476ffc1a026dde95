// SPDX-License-Identifier: MIT
#include "services/desktopnotifier.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

using namespace Qt::StringLiterals;

DesktopNotifier::DesktopNotifier(QObject* parent)
    : QObject(parent)
{
}

bool DesktopNotifier::sessionBusAvailable() { return QDBusConnection::sessionBus().isConnected(); }

bool DesktopNotifier::notify(const QString& title, const QString& body, bool critical)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return false;
    QDBusMessage call = QDBusMessage::createMethodCall(u"org.freedesktop.Notifications"_s,
        u"/org/freedesktop/Notifications"_s, u"org.freedesktop.Notifications"_s, u"Notify"_s);
    QVariantMap hints;
    hints.insert(u"urgency"_s, QVariant::fromValue(uchar(critical ? 2 : 1)));
    hints.insert(u"desktop-entry"_s, u"app.petforce.OpsConsole"_s);
    call << QCoreApplication::applicationName() << uint(0) << u"dialog-warning"_s << title << body << QStringList()
         << hints << int(critical ? 0 : -1);
    auto* watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher* w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError())
            Q_EMIT failed(reply.error().message());
        else
            Q_EMIT shown(reply.value());
    });
    return true;
}

#include "moc_desktopnotifier.cpp"
