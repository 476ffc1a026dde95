// SPDX-License-Identifier: MIT
#pragma once

#include "models/timelineevent.h"

#include <QAbstractTableModel>
#include <QList>

#include <optional>

// The timeline of one incident, in sequence order, loaded lazily: the model knows how many events the incident
// has and asks for the next page (fetchRequested) when a view scrolls near the end of what it has. Whoever owns
// the store answers by calling appendPage(). Pure logic: no I/O. Lives on the GUI thread.
class TimelineModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, SinceStartColumn, KindColumn, ActorColumn, SummaryColumn, ColumnCount };
    enum Role { EventRole = Qt::UserRole + 1, SeqRole, KindRole, TimeMsRole };

    explicit TimelineModel(QObject* parent = nullptr);

    // Shows the timeline of incidentId (0: none). totalCount is how many events the store holds for it; -1 when
    // not known yet (setTotalCount later). Clears what was loaded.
    void setIncident(qint64 incidentId, qint64 startedMs, qint64 totalCount = -1);
    qint64 incidentId() const { return m_incidentId; }
    void setTotalCount(qint64 totalCount);
    qint64 totalCount() const { return m_totalCount; }
    void setPageSize(int rows) { m_pageSize = rows; }

    // The answer to fetchRequested (possibly empty). Events of other incidents or already present are ignored.
    void appendPage(const QList<TimelineEvent>& events);
    // Events just written (here or by another console). Shown at once when everything older is loaded; otherwise
    // only counted, and loaded in order with the next pages.
    void appendLive(const QList<TimelineEvent>& events);

    const QList<TimelineEvent>& events() const { return m_events; }
    // What the filter searches: every word is in the summary, kind, actor or any text of the detail (a command's
    // output excerpt, stderr, result rows, the command itself), case-insensitive, read in place.
    static bool matches(const TimelineEvent& event, const QStringList& words);
    // The other event of the same command run (command.started ↔ command.finished) among those loaded, or nullopt.
    std::optional<TimelineEvent> pairedRun(const TimelineEvent& event) const;
    TimelineEvent event(int row) const;
    QStringList kinds() const; // kinds present so far, sorted

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

Q_SIGNALS:
    // Wants the events of incidentId with seq > afterSeq, at most limit.
    void fetchRequested(qint64 incidentId, qint64 afterSeq, int limit);
    void kindsChanged();

private:
    void insertInOrder(const QList<TimelineEvent>& events);

    qint64 m_incidentId = 0;
    qint64 m_startedMs = 0;
    qint64 m_totalCount = -1;
    int m_pageSize = 500;
    bool m_fetchPending = false;
    qint64 m_newestSeq = 0; // newest seq loaded or counted
    QList<TimelineEvent> m_events;
    QStringList m_kinds;
};
