// SPDX-License-Identifier: MIT
// How long reading the seed runbook takes: md4c walk, step splitting, risk rules, parameters, prefills.
//   scripts/bench runbook_parse [ROUNDS]
// prints: BENCH runbook_parse rounds=… bytes=… steps=… median_ms=… p95_ms=… max_ms=…
#include "services/runbookparser.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::max(1, atoi(argv[1])) : 200;
    QFile file(QStringLiteral(":/runbooks/petforce-operational-runbook.md"));
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    const QByteArray data = file.readAll();
    QList<double> times;
    int steps = 0;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer timer;
        timer.start();
        const RunbookDocument doc = RunbookParser::parse(data, QStringLiteral("seed.md"));
        times.append(double(timer.nsecsElapsed()) / 1e6);
        steps = doc.catalogueStepCount();
        for (const Runbook& r : doc.runbooks)
            steps += int(r.allSteps().size());
    }
    std::sort(times.begin(), times.end());
    const auto at
        = [&times](double q) { return times.at(std::min<qsizetype>(times.size() - 1, qsizetype(q * times.size()))); };
    std::printf("BENCH runbook_parse rounds=%d bytes=%lld steps=%d median_ms=%.2f p95_ms=%.2f max_ms=%.2f\n", rounds,
        static_cast<long long>(data.size()), steps, at(0.5), at(0.95), times.constLast());
    return 0;
}
