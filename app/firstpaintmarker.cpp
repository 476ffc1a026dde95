// SPDX-License-Identifier: MIT
#include "app/firstpaintmarker.h"

#include <QCoreApplication>
#include <QEvent>
#include <QTimer>

#include <cstdio>

bool FirstPaintMarker::requested() { return qEnvironmentVariableIntValue("PETFORCE_BENCH_PAINT_MARKER") == 1; }

bool FirstPaintMarker::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Paint && !m_seen) {
        m_seen = true;
        std::fputs("PAINTED\n", stdout);
        std::fflush(stdout);
        QTimer::singleShot(0, qApp, &QCoreApplication::quit);
    }
    return QObject::eventFilter(watched, event);
}
