// SPDX-License-Identifier: MIT
#include "models/alertrule.h"

#include <cmath>

#include <utility>

using namespace Qt::StringLiterals;

AlertState::AlertState(AlertRule rule)
    : m_rule(std::move(rule))
{
}

std::optional<AlertState::Transition> AlertState::update(std::optional<double> value, qint64 nowMs)
{
    if (!value)
        return std::nullopt;
    m_lastValue = value;
    const bool fires = m_rule.condition.fires(*value);
    State next = m_state;
    switch (m_state) {
    case State::Inactive:
    case State::Resolved:
        if (fires) {
            m_conditionSinceMs = nowMs;
            next = m_rule.forMs <= 0 ? State::Firing : State::Pending;
        }
        break;
    case State::Pending:
        if (!fires)
            next = State::Inactive;
        else if (nowMs - m_conditionSinceMs >= m_rule.forMs)
            next = State::Firing;
        break;
    case State::Firing:
        if (fires) {
            m_clearSinceMs.reset();
        } else {
            if (!m_clearSinceMs)
                m_clearSinceMs = nowMs;
            if (nowMs - *m_clearSinceMs >= m_rule.clearForMs)
                next = State::Resolved;
        }
        break;
    }
    if (next == m_state)
        return std::nullopt;
    Transition t { m_state, next, *value, nowMs };
    m_state = next;
    m_clearSinceMs.reset();
    m_sinceMs = nowMs;
    return t;
}

QString AlertState::stateName(State state)
{
    switch (state) {
    case State::Inactive:
        return u"inactive"_s;
    case State::Pending:
        return u"pending"_s;
    case State::Firing:
        return u"firing"_s;
    case State::Resolved:
        return u"resolved"_s;
    }
    return {};
}

QString AlertText::value(double v)
{
    if (std::abs(v) >= 1000)
        return QString::number(v, 'f', 0);
    if (std::abs(v) >= 100)
        return QString::number(v, 'f', 1);
    return QString::number(v, 'g', 3);
}

QString AlertText::withUnit(const QString& value, const QString& unit)
{
    return unit.isEmpty() ? value : value + u' ' + unit;
}

QString AlertText::threshold(const RunbookAlert& condition)
{
    return condition.op + u' ' + withUnit(QString::number(condition.threshold), condition.unit);
}
