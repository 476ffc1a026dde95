// SPDX-License-Identifier: MIT
#include "models/runbook.h"

const RunbookStep* Runbook::step(QStringView ref) const
{
    for (const RunbookStep* s : allSteps()) {
        if (s->ref == ref)
            return s;
    }
    return nullptr;
}

QList<const RunbookStep*> Runbook::allSteps() const
{
    QList<const RunbookStep*> steps;
    for (const RunbookStep& s : diagnosis)
        steps.append(&s);
    for (const ResolutionOption& option : resolution) {
        for (const RunbookStep& s : option.steps)
            steps.append(&s);
    }
    return steps;
}
