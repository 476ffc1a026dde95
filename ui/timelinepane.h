// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;
class QTimer;
class EventDetailView;
class TimelineFilterModel;
class TimelineModel;

// The active incident's timeline: events in sequence order, a filter by kind and a search through the events' text
// and their commands' output, local times with UTC on hover, time since start, the chosen event's detail
// (EventDetailView: output, result table, stderr, the output files) and a line to add a note. Loads rows lazily through
// the TimelineModel.
class TimelinePane : public QWidget {
    Q_OBJECT
public:
    explicit TimelinePane(TimelineModel* model, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    EventDetailView* detail() const { return m_detail; }
    TimelineFilterModel* filter() const { return m_filter; }
    void focusNoteEditor();
    void setNoteEnabled(bool enabled);
    // Gives a note back to the editor (a write failed): nothing typed is lost.
    void restoreNote(const QString& text);

Q_SIGNALS:
    void noteSubmitted(const QString& text);

private:
    void submitNote();
    void updateKinds();
    void showCurrent(); // the current row's event in the detail

    TimelineModel* m_model;
    TimelineFilterModel* m_filter;
    QComboBox* m_kind;
    QTableView* m_view;
    QLineEdit* m_note;
    QPushButton* m_addNote;
    QLineEdit* m_search;
    EventDetailView* m_detail;
    QTimer* m_searchDelay;
    bool m_followTail = false;
    bool m_detailAwaitsFinish = false; // the detail shows a command.started whose finish is not loaded yet
};
