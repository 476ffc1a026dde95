// SPDX-License-Identifier: MIT
#include "models/dbahealth.h"

void DbaHealth::computeRates(const DbaHealth& previous)
{
    const double dt = sampledAt - previous.sampledAt;
    if (previous.sampledAt <= 0 || dt <= 0)
        return;
    const auto rate = [dt](qint64 now, qint64 before) { return now >= before ? double(now - before) / dt : -1.0; };
    commitsPerS = rate(commits, previous.commits);
    rollbacksPerS = rate(rollbacks, previous.rollbacks);
    deadlocksPerS = rate(deadlocks, previous.deadlocks);
    tempFilesPerS = rate(tempFiles, previous.tempFiles);
    tempBytesPerS = rate(tempBytes, previous.tempBytes);
}
