// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

// Shows the timeline's events of one kind, or all, and only those whose text contains the search words (the
// summary and the detail: a command's output, stderr and result rows, TimelineModel::matches). Keeps the
// timeline's sequence order (never sorts) and passes lazy loading through to the TimelineModel. Lives on the GUI
// thread.
class TimelineFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TimelineFilterModel(QObject* parent = nullptr);
    void setKind(const QString& kind); // empty: all kinds
    QString kind() const { return m_kind; }
    // Words separated by blanks, each found anywhere in the event's text, case-insensitive; empty: every event.
    void setSearchText(const QString& text);
    QString searchText() const { return m_search; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_kind;
    QString m_search;
    QStringList m_words;
};
