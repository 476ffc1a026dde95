// SPDX-License-Identifier: MIT
#include "models/dbasessionfiltermodel.h"

#include "models/dbasessionmodel.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

DbaSessionFilterModel::DbaSessionFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(DbaSessionModel::SortRole);
}

void DbaSessionFilterModel::setStateFilter(StateFilter filter)
{
    m_state = filter;
    invalidateFilter();
}

void DbaSessionFilterModel::setApplication(const QString& application)
{
    m_application = application;
    invalidateFilter();
}

void DbaSessionFilterModel::setMinimumAgeS(double seconds)
{
    m_minAge = seconds;
    invalidateFilter();
}

void DbaSessionFilterModel::setText(const QString& text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void DbaSessionFilterModel::applyLongRunningPreset(double seconds)
{
    m_state = StateFilter::HideIdle;
    m_application.clear();
    m_text.clear();
    m_minAge = seconds;
    invalidateFilter();
}

void DbaSessionFilterModel::applyIdlePreset(double seconds)
{
    m_state = StateFilter::Idle;
    m_application.clear();
    m_text.clear();
    m_minAge = seconds;
    invalidateFilter();
}

void DbaSessionFilterModel::clearFilters()
{
    m_state = StateFilter::All;
    m_application.clear();
    m_text.clear();
    m_minAge = 0;
    invalidateFilter();
}

double DbaSessionFilterModel::parseInterval(const QString& text)
{
    const QString t = text.trimmed().toLower();
    static const QRegularExpression hms(u"^(\\d+):(\\d{2}):(\\d{2})$"_s);
    if (const auto m = hms.match(t); m.hasMatch())
        return m.captured(1).toDouble() * 3600 + m.captured(2).toDouble() * 60 + m.captured(3).toDouble();
    static const QRegularExpression unit(
        u"^(\\d+(?:\\.\\d+)?)\\s*(s|sec|secs|second|seconds|min|mins|minute|minutes|h|hour|hours)$"_s);
    const auto m = unit.match(t);
    if (!m.hasMatch())
        return -1;
    const double v = m.captured(1).toDouble();
    const QString u = m.captured(2);
    if (u.startsWith(u'h'))
        return v * 3600;
    if (u.startsWith(u"min"))
        return v * 60;
    return v;
}

bool DbaSessionFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const auto* model = qobject_cast<const DbaSessionModel*>(sourceModel());
    if (!model || sourceParent.isValid())
        return true;
    const DbaSession* s = model->session(sourceRow);
    if (!s)
        return false;
    switch (m_state) {
    case StateFilter::All:
        break;
    case StateFilter::HideIdle:
        if (s->isIdle())
            return false;
        break;
    case StateFilter::Active:
        if (s->state != u"active"_s)
            return false;
        break;
    case StateFilter::IdleInTransaction:
        if (!s->isIdleInTransaction())
            return false;
        break;
    case StateFilter::Idle:
        if (!s->isIdle())
            return false;
        break;
    }
    if (!m_application.isEmpty() && s->application != m_application)
        return false;
    if (m_minAge > 0) {
        const double age = s->isIdle() ? s->stateAgeS : s->queryAgeS;
        if (age < m_minAge)
            return false;
    }
    if (!m_text.isEmpty()) {
        const auto has = [this](const QString& v) { return v.contains(m_text, Qt::CaseInsensitive); };
        if (!has(s->query) && !has(s->user) && !has(s->application) && !has(s->clientAddress)
            && QString::number(s->pid) != m_text)
            return false;
    }
    return true;
}

bool DbaSessionFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(DbaSessionModel::SortRole);
    const QVariant r = right.data(DbaSessionModel::SortRole);
    if (l.typeId() == QMetaType::Double || l.typeId() == QMetaType::Int)
        return l.toDouble() < r.toDouble();
    return QSortFilterProxyModel::lessThan(left, right);
}

#include "moc_dbasessionfiltermodel.cpp"
