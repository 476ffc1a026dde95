// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookdocument.h"

#include <QByteArray>

// The JSON form of a runbook document that `petforce-console --check-runbook` prints (docs/RUNBOOKS.md, "Lint").
// Keys keep a fixed, readable order so that an expected file can be reviewed line by line:
// {"runbooks": [{title, number, line, severity, alert{metric, op, threshold, unit, raw}, symptoms, diagnosis,
//   resolution[{label, title, line, steps}], postIncident}], "catalogue": [{group, line, steps}]}
// with each step {kind, risk, title, line, text, parameters[{name, type, value?, from?}], and when set: notes,
// url, environment (profile fields used), interactive, untilStopped}.
// Pure; any thread.
class RunbookJson {
public:
    static QByteArray toJson(const RunbookDocument& document);
};
