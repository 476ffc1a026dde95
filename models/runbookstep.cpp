// SPDX-License-Identifier: MIT
#include "models/runbookstep.h"

#include <array>

using namespace Qt::StringLiterals;

namespace {
constexpr std::array<std::pair<StepKind, const char16_t*>, 9> kindNames { {
    { StepKind::Sql, u"sql" },
    { StepKind::Aws, u"aws" },
    { StepKind::Redis, u"redis" },
    { StepKind::Psql, u"psql" },
    { StepKind::Gh, u"gh" },
    { StepKind::Shell, u"shell" },
    { StepKind::Link, u"link" },
    { StepKind::Manual, u"manual" },
    { StepKind::Snippet, u"snippet" },
} };
constexpr std::array<std::pair<StepRisk, const char16_t*>, 3> riskNames { {
    { StepRisk::Read, u"read" },
    { StepRisk::Write, u"write" },
    { StepRisk::Destructive, u"destructive" },
} };
} // namespace

bool RunbookStep::isRunnable() const
{
    return kind != StepKind::Link && kind != StepKind::Manual && kind != StepKind::Snippet;
}

const RunbookParameter* RunbookStep::parameter(QStringView name) const
{
    for (const RunbookParameter& p : parameters) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

QString RunbookStep::offeredValue(const RunbookParameter& p) const
{
    if (risk == StepRisk::Destructive || p.type == ParameterType::Pid)
        return {};
    return p.defaultValue();
}

QStringList RunbookStep::profileFields() const
{
    QStringList fields;
    for (const StepSpan& span : spans) {
        QString field;
        if (span.kind == StepSpan::Kind::Profile)
            field = span.key;
        else if (span.kind == StepSpan::Kind::Insert && span.key == u"redis")
            field = u"redis_host"_s; // -h/-p/--tls come from the profile
        if (!field.isEmpty() && !fields.contains(field))
            fields.append(field);
    }
    return fields;
}

QString RunbookStep::kindName(StepKind kind)
{
    for (const auto& [k, name] : kindNames) {
        if (k == kind)
            return QString::fromUtf16(name);
    }
    return {};
}

std::optional<StepKind> RunbookStep::kindFromName(QStringView name)
{
    for (const auto& [k, n] : kindNames) {
        if (name == QStringView(n))
            return k;
    }
    return std::nullopt;
}

QString RunbookStep::riskName(StepRisk risk)
{
    for (const auto& [r, name] : riskNames) {
        if (r == risk)
            return QString::fromUtf16(name);
    }
    return {};
}

std::optional<StepRisk> RunbookStep::riskFromName(QStringView name)
{
    for (const auto& [r, n] : riskNames) {
        if (name == QStringView(n))
            return r;
    }
    return std::nullopt;
}
