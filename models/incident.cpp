// SPDX-License-Identifier: MIT
#include "models/incident.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

QString incidentStatusName(IncidentStatus status)
{
    switch (status) {
    case IncidentStatus::Investigating:
        return u"Investigating"_s;
    case IncidentStatus::Mitigating:
        return u"Mitigating"_s;
    case IncidentStatus::Resolved:
        return u"Resolved"_s;
    }
    return {};
}

std::optional<IncidentStatus> incidentStatusFromName(QStringView name)
{
    for (auto s : { IncidentStatus::Investigating, IncidentStatus::Mitigating, IncidentStatus::Resolved }) {
        if (incidentStatusName(s).compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

QString IncidentDraft::validationError() const
{
    const QString t = title.trimmed();
    if (t.isEmpty())
        return QCoreApplication::translate("IncidentDraft", "Give the incident a title.");
    if (t.size() > 200)
        return QCoreApplication::translate("IncidentDraft", "The title is too long (%1 characters; at most 200).")
            .arg(t.size());
    for (const QChar c : title) {
        if (c.category() == QChar::Other_Control)
            return QCoreApplication::translate("IncidentDraft", "The title must be one line of text.");
    }
    if (environment.trimmed().isEmpty())
        return QCoreApplication::translate("IncidentDraft", "Choose the environment the incident is in.");
    if (impact.size() > 4000)
        return QCoreApplication::translate("IncidentDraft", "The impact is too long (at most 4000 characters).");
    return {};
}
