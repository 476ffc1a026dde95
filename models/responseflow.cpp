// SPDX-License-Identifier: MIT
#include "models/responseflow.h"

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

ResponseFlow::ResponseFlow(QList<FlowStep> steps)
    : m_steps(std::move(steps))
{
}

const ResponseFlow& ResponseFlow::defaults()
{
    // The runbook's "Incident Response Flow" diagram.
    static const ResponseFlow flow({
        { u"Acknowledge"_s, u"1 min"_s, 1min, { u"PagerDuty"_s, u"Slack #incidents"_s } },
        { u"Assess"_s, u"2-5 min"_s, 5min, { u"Check dashboards"_s, u"Review logs"_s, u"Determine severity"_s } },
        { u"Communicate"_s, u"1 min"_s, 1min, { u"Update stakeholders"_s, u"Set ETA"_s } },
        { u"Mitigate"_s, u"varies"_s, std::nullopt, { u"Follow runbook"_s, u"Implement fix"_s } },
        { u"Verify"_s, u"5 min"_s, 5min, { u"Check metrics"_s, u"User verification"_s } },
        { u"Document"_s, u"1 hour"_s, 1h, { u"Post-mortem"_s, u"Action items"_s } },
    });
    return flow;
}

FlowStep ResponseFlow::step(int index) const
{
    if (index < 0 || index >= m_steps.size())
        return {};
    return m_steps.at(index);
}

int ResponseFlow::indexOf(QStringView name) const
{
    for (int i = 0; i < m_steps.size(); ++i) {
        if (m_steps.at(i).name.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}
