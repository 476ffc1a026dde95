// SPDX-License-Identifier: MIT
#pragma once

#include "models/communicationtemplate.h"
#include "models/incident.h"

#include <QDialog>
#include <QHash>

class EscalationService;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

// Status messages from the runbook's templates: pick a template, see it filled from the incident and the fields
// below, edit it, then copy it to the clipboard or post it to Slack. Each message sent is recorded on the
// incident's timeline; a failed post keeps the text and says why. Non-modal (open(), never exec()).
class CommunicationsDialog : public QDialog {
    Q_OBJECT
public:
    CommunicationsDialog(EscalationService* service, const Incident& incident, QWidget* parent = nullptr);

    void selectTemplate(const QString& name);
    QString currentTemplate() const;
    void setField(MessageValues::Field field, const QString& value);
    QString messageText() const;
    QString statusText() const;

    void copyToClipboard();
    void postToSlack();

Q_SIGNALS:
    void messageSent(const QString& channel, const QString& text);

private:
    void refill();
    MessageValues values() const;

    EscalationService* m_service;
    Incident m_incident;
    QList<CommunicationTemplate> m_templates;
    QComboBox* m_template;
    QHash<int, QLineEdit*> m_fields;
    QPlainTextEdit* m_text;
    QLabel* m_status;
    QPushButton* m_copy;
    QPushButton* m_post;
    bool m_filling = false;
    bool m_edited = false;
    quint64 m_postId = 0;
    QString m_postedTemplate;
};
