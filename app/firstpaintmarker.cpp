// SPDX-License-Identifier: MIT
#include "app/firstpaintmarker.h"

#include <QCoreApplication>
#include <QEvent>
#include <QTimer>

#include <cstdio>

namespace {
int mode() { return qEnvironmentVariableIntValue("PETFORCE_BENCH_PAINT_MARKER"); }
} // namespace

bool FirstPaintMarker::requested() { return mode() == 1 || mode() == 2; }

bool FirstPaintMarker::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Paint && !m_seen) {
        m_seen = true;
        std::fputs("PAINTED\n", stdout);
        std::fflush(stdout);
        if (mode() == 1)
            QTimer::singleShot(0, qApp, &QCoreApplication::quit);
    }
    return QObject::eventFilter(watched, event);
}
