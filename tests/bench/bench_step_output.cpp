// SPDX-License-Identifier: MIT
// 50 MB of command output through the CommandRunner into the step's output view (offscreen):
//   BENCH step_output mb_per_s=… max_stall_ms=… peak_over_cap=… cap_bytes=…
// max_stall_ms: the longest the event loop went without serving a 5 ms timer (minus its interval).
// peak_over_cap: peak RSS above the baseline taken with the view shown and warmed up (VmHWM after resetting it
// through /proc/self/clear_refs) divided by the view's cap (its character cap as UTF-16 bytes).
// Targets: stall ≤ 50 ms, ratio ≤ 2.
#include "../support/outputprobe.h"

#include <QApplication>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const qint64 megabytes = argc > 1 ? QByteArray(argv[1]).toLongLong() : 50;
    StepOutputView view;
    view.resize(1000, 700);
    view.show();
    // Warm up: the view's first layout and fonts belong to the baseline.
    view.appendOutput(CommandStream::Stdout, QByteArray("warm-up line\n").repeated(20000));
    QElapsedTimer warm;
    warm.start();
    while (warm.elapsed() < 300)
        app.processEvents(QEventLoop::AllEvents, 50);

    const OutputProbe::Result r = OutputProbe::stream(view, megabytes);
    const double capBytes = double(view.capChars()) * 2;
    std::printf("BENCH step_output mb_per_s=%.1f max_stall_ms=%lld peak_over_cap=%.2f cap_bytes=%.0f ok=%d\n",
        r.mbPerS(), static_cast<long long>(r.maxStallMs), r.peakOverBaselineKb * 1024.0 / capBytes, capBytes,
        r.ok ? 1 : 0);
    return r.ok ? 0 : 1;
}
