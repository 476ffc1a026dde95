// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

// For the startup benchmark: with PETFORCE_BENCH_PAINT_MARKER=1 in the environment, prints "PAINTED" on standard
// output when the first widget paints, then quits; with 2 it only prints (for tests that go on with the running
// console). Installed on the application by main(); costs nothing otherwise.
class FirstPaintMarker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    static bool requested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    bool m_seen = false;
};
