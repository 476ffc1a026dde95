// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

// Desktop notifications through org.freedesktop.Notifications on the session bus (QtDBus, asynchronous).
// notify() returns false at once when there is no session bus; failed() comes later when the call fails (no
// notification server), so the caller can fall back (tray message, in-window alert only).
//
// Lives on the GUI thread.
class DesktopNotifier : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(QObject* parent = nullptr);

    static bool sessionBusAvailable();
    bool notify(const QString& title, const QString& body, bool critical = true);

Q_SIGNALS:
    void shown(uint notificationId);
    void failed(const QString& reason);
};
