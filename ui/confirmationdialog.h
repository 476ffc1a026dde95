// SPDX-License-Identifier: MIT
#pragma once

#include "models/confirmationrequest.h"

#include <QDialog>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

// Asks before a command runs, by its risk: writes show the exact command and the target environment; destructive
// commands also show what they will touch and need the target's name typed; extra confirmations must be ticked.
// Production is marked in red. Cancel is always safe. Window-modal and opened with open(), never exec().
class ConfirmationDialog : public QDialog {
    Q_OBJECT
public:
    explicit ConfirmationDialog(const ConfirmationRequest& request, QWidget* parent = nullptr);

    // Asks, then calls done(true) once if the operator confirmed, done(false) if not. A request whose level is
    // None is confirmed at once, without a dialog. Returns the dialog shown, or nullptr.
    static ConfirmationDialog* ask(QWidget* parent, const ConfirmationRequest& request, std::function<void(bool)> done);

    const ConfirmationRequest& request() const { return m_request; }
    // What the timeline records: "none", "shown", "typed petforce-production", "+ ticked: ...".
    QString confirmationText() const;
    static QString confirmationText(const ConfirmationRequest& request);

private:
    void updateRunButton();

    ConfirmationRequest m_request;
    QLineEdit* m_typed = nullptr;
    QLabel* m_mismatch = nullptr; // "not yet <name>", shown while the typed text does not match
    QList<QCheckBox*> m_extra;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_run = nullptr;
};
