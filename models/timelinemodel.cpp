// SPDX-License-Identifier: MIT
#include "models/timelinemodel.h"

#include "models/incidentclock.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
constexpr qsizetype SummaryMaxChars = 500;
constexpr qsizetype ToolTipMaxChars = 4000;

QString shown(const QString& text, qsizetype maxChars)
{
    return text.size() > maxChars ? text.left(maxChars) + u'…' : text;
}

// The detail for a tooltip: long strings cut before it is turned into text (an older store's event may be huge).
QString detailText(const QJsonObject& detail)
{
    QJsonObject cut = detail;
    for (auto it = cut.begin(); it != cut.end(); ++it) {
        if (it.value().isString() && it.value().toString().size() > ToolTipMaxChars)
            it.value() = shown(it.value().toString(), ToolTipMaxChars);
    }
    return shown(QString::fromUtf8(QJsonDocument(cut).toJson(QJsonDocument::Indented)), ToolTipMaxChars);
}
} // namespace

TimelineModel::TimelineModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void TimelineModel::setIncident(qint64 incidentId, qint64 startedMs, qint64 totalCount)
{
    beginResetModel();
    m_incidentId = incidentId;
    m_startedMs = startedMs;
    m_totalCount = totalCount;
    m_fetchPending = false;
    m_newestSeq = 0;
    m_events.clear();
    endResetModel();
    if (!m_kinds.isEmpty()) {
        m_kinds.clear();
        Q_EMIT kindsChanged();
    }
}

void TimelineModel::setTotalCount(qint64 totalCount) { m_totalCount = totalCount; }

void TimelineModel::appendPage(const QList<TimelineEvent>& events)
{
    insertInOrder(events);
    m_fetchPending = false; // only now: a view may ask for more while the rows are being inserted
    // The page may have been shorter than asked: the store holds no more than that.
    if (m_totalCount < 0 && events.size() < m_pageSize)
        m_totalCount = m_events.size();
}

void TimelineModel::appendLive(const QList<TimelineEvent>& events)
{
    qint64 mine = 0;
    for (const TimelineEvent& e : events) {
        if (e.incidentId == m_incidentId && m_incidentId != 0 && e.seq > m_newestSeq) {
            ++mine;
            m_newestSeq = e.seq;
        }
    }
    if (mine == 0 || m_totalCount < 0)
        return; // nothing new, or the count not known yet will include them (the store answers in order)
    const bool complete = m_events.size() >= m_totalCount;
    m_totalCount += mine;
    // While older events are still unloaded, appending would leave a gap: they arrive with the next pages.
    if (complete)
        insertInOrder(events);
}

void TimelineModel::insertInOrder(const QList<TimelineEvent>& events)
{
    QList<TimelineEvent> fresh;
    for (const TimelineEvent& e : events) {
        if (e.incidentId == m_incidentId && m_incidentId != 0)
            fresh.append(e);
    }
    std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    const qint64 lastSeq = m_events.isEmpty() ? 0 : m_events.constLast().seq;
    fresh.erase(
        std::remove_if(fresh.begin(), fresh.end(), [lastSeq](const auto& e) { return e.seq <= lastSeq; }), fresh.end());
    fresh.erase(std::unique(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.seq == b.seq; }),
        fresh.end());
    if (fresh.isEmpty())
        return;

    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_events.append(fresh);
    endInsertRows();
    m_newestSeq = std::max(m_newestSeq, m_events.constLast().seq);
    if (m_totalCount >= 0 && m_events.size() > m_totalCount)
        m_totalCount = m_events.size();

    bool kindsGrew = false;
    for (const TimelineEvent& e : std::as_const(fresh)) {
        if (!m_kinds.contains(e.kind)) {
            m_kinds.append(e.kind);
            kindsGrew = true;
        }
    }
    if (kindsGrew) {
        m_kinds.sort();
        Q_EMIT kindsChanged();
    }
}

TimelineEvent TimelineModel::event(int row) const
{
    return row >= 0 && row < m_events.size() ? m_events.at(row) : TimelineEvent {};
}

namespace {
bool contains(const QJsonValue& v, const QString& word)
{
    if (v.isString())
        return v.toString().contains(word, Qt::CaseInsensitive);
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        return std::any_of(a.begin(), a.end(), [&](const QJsonValue& item) { return contains(item, word); });
    }
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        return std::any_of(o.begin(), o.end(), [&](const QJsonValue& item) { return contains(item, word); });
    }
    return false;
}
} // namespace

bool TimelineModel::matches(const TimelineEvent& event, const QStringList& words)
{
    return std::all_of(words.cbegin(), words.cend(), [&](const QString& word) {
        return event.summary.contains(word, Qt::CaseInsensitive) || event.kind.contains(word, Qt::CaseInsensitive)
            || event.actor.contains(word, Qt::CaseInsensitive) || contains(event.detail, word);
    });
}

std::optional<TimelineEvent> TimelineModel::pairedRun(const TimelineEvent& event) const
{
    const QString run = event.detail.value(u"run"_s).toString();
    const bool started = event.kind == u"command.started"_s;
    if (run.isEmpty() || (!started && event.kind != u"command.finished"_s))
        return std::nullopt;
    const QString other = started ? u"command.finished"_s : u"command.started"_s;
    for (const TimelineEvent& e : m_events) {
        if (e.kind == other && e.detail.value(u"run"_s).toString() == run)
            return e;
    }
    return std::nullopt;
}

QStringList TimelineModel::kinds() const { return m_kinds; }

int TimelineModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_events.size()); }

int TimelineModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TimelineModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TimelineEvent& e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(e.timeMs).toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case SinceStartColumn:
            return e.timeMs >= m_startedMs ? QString(u"+"_s + formatDuration(e.timeMs - m_startedMs)) : QString();
        case KindColumn:
            return e.kind;
        case ActorColumn:
            return e.actor;
        case SummaryColumn:
            // One line, cut: a long text laid out in a cell (an event of an older store, or another console's)
            // would hold up every paint.
            return shown(e.summary, SummaryMaxChars);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn) {
            return QDateTime::fromMSecsSinceEpoch(e.timeMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss.zzz 'UTC'"_s);
        }
        if (index.column() == SummaryColumn && !e.detail.isEmpty())
            return QString(shown(e.summary, SummaryMaxChars) + u"\n\n"_s + detailText(e.detail));
        return {};
    case EventRole:
        return QVariant::fromValue(e);
    case SeqRole:
        return e.seq;
    case KindRole:
        return e.kind;
    case TimeMsRole:
        return e.timeMs;
    }
    return {};
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SinceStartColumn:
        return tr("Since start");
    case KindColumn:
        return tr("Kind");
    case ActorColumn:
        return tr("By");
    case SummaryColumn:
        return tr("Event");
    }
    return {};
}

bool TimelineModel::canFetchMore(const QModelIndex& parent) const
{
    if (parent.isValid() || m_incidentId == 0 || m_fetchPending)
        return false;
    return m_totalCount < 0 || m_events.size() < m_totalCount;
}

void TimelineModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetchPending = true;
    Q_EMIT fetchRequested(m_incidentId, m_events.isEmpty() ? 0 : m_events.constLast().seq, m_pageSize);
}
