// SPDX-License-Identifier: MIT
#pragma once

#include "models/communicationtemplate.h"
#include "models/incident.h"

#include <QDialog>
#include <QHash>
#include <QSet>

class EscalationService;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class StoreClient;

// Status messages from the runbook's templates: pick a template, see it filled from the incident and the fields
// below, edit it, then copy it to the clipboard or post it to Slack. Each message sent is recorded on the
// incident's timeline; a failed post keeps the text and says why. Non-modal (open(), never exec()).
//
// The fields start from the incident's timeline (read from the store, followed while open): the newest note of
// each caption ("Root cause:", "Fix deployed:", …; MessageValues::fromNotes) unless the commander typed there.
// The template starts as CommunicationTemplate::defaultName says (Incident Started → Update → Resolved) and
// follows the incident's resolution until the commander picks one, edits the text or sends it.
class CommunicationsDialog : public QDialog {
    Q_OBJECT
public:
    CommunicationsDialog(EscalationService* service, const Incident& incident, QWidget* parent = nullptr);

    void selectTemplate(const QString& name); // the commander's choice: kept from now on
    QString currentTemplate() const;
    void setField(MessageValues::Field field, const QString& value); // as if typed there
    QString messageText() const;
    QString statusText() const;

    void copyToClipboard();
    void postToSlack();

Q_SIGNALS:
    void messageSent(const QString& channel, const QString& text);

private:
    void refill();
    MessageValues values() const;
    void addEvents(const QList<TimelineEvent>& events);
    void followTimeline(); // fields from the notes, the default template
    void chooseDefault(bool messageSent);

    EscalationService* m_service;
    Incident m_incident;
    QList<CommunicationTemplate> m_templates;
    QComboBox* m_template;
    QHash<int, QLineEdit*> m_fields;
    QPlainTextEdit* m_text;
    QLabel* m_status;
    QPushButton* m_copy;
    QPushButton* m_post;
    StoreClient* m_store = nullptr;
    quint64 m_eventsRequest = 0;
    bool m_eventsLoaded = false;
    QList<TimelineEvent> m_events;
    MessageValues m_noted; // from the notes
    QSet<int> m_typed; // fields the commander typed in
    bool m_templateChosen = false;
    bool m_filling = false;
    bool m_edited = false;
    quint64 m_postId = 0;
    QString m_postedTemplate;
};
