// SPDX-License-Identifier: MIT
#pragma once
// Test and benchmark support: 50-100 MB of command output through a CommandRunner into a StepOutputView, measuring
// the longest event-loop stall and the peak memory above the baseline (VmHWM reset through /proc/self/clear_refs).

#include "procstatus.h"
#include "services/commandrunner.h"
#include "ui/stepoutputview.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

namespace OutputProbe {

using ProcStatus::kb;

struct Result {
    bool ok = false;
    qint64 bytes = 0;
    qint64 durationMs = 0;
    qint64 maxStallMs = 0;
    qint64 peakOverBaselineKb = 0;
    double mbPerS() const { return durationMs > 0 ? bytes / (1024.0 * 1024.0) / (durationMs / 1000.0) : 0; }
};

// Streams `megabytes` of text lines through a runner into view (shown), with a 5 ms ticker measuring stalls.
inline Result stream(StepOutputView& view, qint64 megabytes)
{
    QTemporaryDir runs;
    CommandRunner runner;
    QObject::connect(&runner, &CommandRunner::outputReceived, &view, &StepOutputView::appendOutput);
    view.clear();
    QCoreApplication::processEvents();
    {
        QFile clear(QStringLiteral("/proc/self/clear_refs"));
        if (clear.open(QIODevice::WriteOnly))
            clear.write("5"); // resets VmHWM to the current RSS
    }
    const qint64 baselineKb = kb("VmRSS:");
    Result r;
    r.bytes = megabytes * 1024 * 1024;
    CommandSpec spec = CommandSpec::shell(
        QStringLiteral("{ yes 'PetForce step output 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ' "
                       "|| true; } | head -c %1")
            .arg(r.bytes));
    spec.runsFolder = runs.path();
    QEventLoop loop;
    QElapsedTimer sinceTick;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(
        &ticker, &QTimer::timeout, [&] { r.maxStallMs = std::max(r.maxStallMs, sinceTick.restart() - 5); });
    QElapsedTimer elapsed;
    QObject::connect(&runner, &CommandRunner::finished, [&](const CommandResult& result) {
        r.durationMs = elapsed.elapsed();
        view.finishOutput(result.out.tail, result.out.tailTruncated);
        r.ok = result.ok() && result.out.bytes == r.bytes;
        loop.quit();
    });
    sinceTick.start();
    ticker.start();
    elapsed.start();
    runner.start(spec);
    loop.exec();
    ticker.stop();
    r.peakOverBaselineKb = kb("VmHWM:") - baselineKb;
    return r;
}

} // namespace OutputProbe
