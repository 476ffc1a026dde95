// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookstep.h"

#include <QWidget>

class QLineEdit;
class QListWidget;
class RunbookLibrary;

// The library's runbooks and its command catalogue, searchable: every word typed must appear in the runbook's
// title, alert or symptoms, or in a catalogue step's group, title or text. Activating a row opens it. Lives on
// the GUI thread; does not own the library.
class RunbookPicker : public QWidget {
    Q_OBJECT
public:
    explicit RunbookPicker(RunbookLibrary* library, QWidget* parent = nullptr);

    void setQuery(const QString& query);
    QListWidget* list() const { return m_list; }
    QLineEdit* search() const { return m_search; }

Q_SIGNALS:
    void runbookChosen(const QString& title);
    void catalogueStepChosen(const RunbookStep& step);

private:
    void refill();

    RunbookLibrary* m_library;
    QLineEdit* m_search;
    QListWidget* m_list;
};
