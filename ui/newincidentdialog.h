// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

// Asks for a new incident: title, severity (with the runbook's description and response time), environment,
// impact. Invalid input is refused in the dialog with the reason. Opened with open(), never exec().
class NewIncidentDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewIncidentDialog(const QStringList& environments, QWidget* parent = nullptr);

    void setSeverity(Severity severity);
    void setTitle(const QString& title);
    void setEnvironment(const QString& environment);
    IncidentDraft draft() const;

    void accept() override; // refuses an invalid draft, showing why

private:
    void updateSeverityHelp();

    QLineEdit* m_title;
    QComboBox* m_severity;
    QLabel* m_severityHelp;
    QComboBox* m_environment;
    QLineEdit* m_commander;
    QPlainTextEdit* m_impact;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};
