// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;
class TimelineFilterModel;
class TimelineModel;

// The active incident's timeline: events in sequence order, a filter by kind, local times with UTC on hover,
// time since start, and a line to add a note. Loads rows lazily through the TimelineModel.
class TimelinePane : public QWidget {
    Q_OBJECT
public:
    explicit TimelinePane(TimelineModel* model, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    void focusNoteEditor();
    void setNoteEnabled(bool enabled);
    // Gives a note back to the editor (a write failed): nothing typed is lost.
    void restoreNote(const QString& text);

Q_SIGNALS:
    void noteSubmitted(const QString& text);

private:
    void submitNote();
    void updateKinds();

    TimelineModel* m_model;
    TimelineFilterModel* m_filter;
    QComboBox* m_kind;
    QTableView* m_view;
    QLineEdit* m_note;
    QPushButton* m_addNote;
    bool m_followTail = false;
};
