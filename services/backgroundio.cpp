// SPDX-License-Identifier: MIT
#include "services/backgroundio.h"

#include <QThreadPool>

QThreadPool* BackgroundIo::pool()
{
    // Created on first use, a child of the application object (destroyed, and waited for, with it).
    static QPointer<QThreadPool> instance;
    if (!instance) {
        instance = new QThreadPool(QCoreApplication::instance());
        instance->setObjectName(QStringLiteral("backgroundIo"));
        instance->setMaxThreadCount(1); // one at a time, in order
        instance->setExpiryTimeout(-1);
    }
    return instance;
}

void BackgroundIo::run(std::function<void()> job) { pool()->start(std::move(job)); }

bool BackgroundIo::waitForDone(int msecs) { return pool()->waitForDone(msecs); }
