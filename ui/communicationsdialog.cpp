// SPDX-License-Identifier: MIT
#include "ui/communicationsdialog.h"

#include "services/escalationmonitor.h"
#include "services/escalationservice.h"
#include "services/pagerdutyclient.h"
#include "services/slackposter.h"
#include "services/storeclient.h"

#include <algorithm>
#include <limits>

#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

CommunicationsDialog::CommunicationsDialog(EscalationService* service, const Incident& incident, QWidget* parent)
    : QDialog(parent)
    , m_service(service)
    , m_incident(incident)
    , m_templates(service->templates())
{
    setObjectName(u"communicationsDialog"_s);
    setWindowTitle(tr("Status message \u2014 %1 %2").arg(severityCode(incident.severity), incident.title));
    setAttribute(Qt::WA_DeleteOnClose);

    m_template = new QComboBox(this);
    m_template->setObjectName(u"templateCombo"_s);
    for (const CommunicationTemplate& t : std::as_const(m_templates))
        m_template->addItem(t.name);

    auto* form = new QFormLayout;
    form->addRow(tr("&Template:"), m_template);
    using F = MessageValues::Field;
    const QList<std::pair<F, QString>> fields { { F::EtaField, tr("ETA:") }, { F::OnCallField, tr("On-call:") },
        { F::ProgressField, tr("Progress:") }, { F::NextField, tr("Next:") }, { F::RootCauseField, tr("Root cause:") },
        { F::FixField, tr("Fix:") }, { F::FollowUpField, tr("Follow-up link:") } };
    for (const auto& [field, label] : fields) {
        auto* edit = new QLineEdit(this);
        edit->setObjectName(u"field%1"_s.arg(int(field)));
        form->addRow(label, edit);
        m_fields.insert(int(field), edit);
        connect(edit, &QLineEdit::textChanged, this, &CommunicationsDialog::refill);
        connect(edit, &QLineEdit::textEdited, this, [this, f = int(field)] { m_typed.insert(f); });
    }

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(u"messageText"_s);
    m_text->setMinimumSize(460, 160);
    connect(m_text, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_filling)
            m_edited = true;
    });
    m_status = new QLabel(this);
    m_status->setObjectName(u"sendStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(tr("&Copy to clipboard"), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(u"copyButton"_s);
    m_post = buttons->addButton(tr("&Post to Slack"), QDialogButtonBox::ActionRole);
    m_post->setObjectName(u"postButton"_s);
    auto* reset = buttons->addButton(tr("&Refill"), QDialogButtonBox::ResetRole);
    connect(reset, &QPushButton::clicked, this, [this] {
        m_edited = false;
        refill();
    });
    connect(m_copy, &QPushButton::clicked, this, &CommunicationsDialog::copyToClipboard);
    connect(m_post, &QPushButton::clicked, this, &CommunicationsDialog::postToSlack);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    SlackPoster* slack = service->slack();
    connect(slack, &SlackPoster::posted, this, [this](quint64 id) {
        if (id != m_postId)
            return;
        m_postId = 0;
        m_post->setEnabled(true);
        m_service->monitor()->recordMessage(m_incident.id, m_postedTemplate, u"slack"_s, messageText());
        m_status->setText(tr("Posted to Slack and recorded on the timeline."));
        Q_EMIT messageSent(u"slack"_s, messageText());
    });
    connect(slack, &SlackPoster::retryScheduled, this, [this](quint64 id, int, const QString& reason) {
        if (id == m_postId)
            m_status->setText(reason);
    });
    connect(slack, &SlackPoster::postFailed, this, [this](quint64 id, const QString& reason, const QString&) {
        if (id != m_postId)
            return;
        m_postId = 0;
        m_post->setEnabled(true);
        m_status->setText(tr("Not posted: %1. The message is kept here; copy it or try again.").arg(reason));
    });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    connect(m_template, &QComboBox::currentIndexChanged, this, [this] {
        m_edited = false;
        refill();
    });
    connect(m_template, &QComboBox::activated, this, [this] { m_templateChosen = true; });
    // Prefilled once the dialog is whole (each field refills the message): who is on call, and what the timeline
    // says was done since the last status message (notes, commands run, status changes).
    const QList<OnCallEntry> onCalls = service->pagerDuty()->onCalls();
    if (!onCalls.isEmpty())
        m_fields.value(int(F::OnCallField))->setText(onCalls.constFirst().user);
    m_fields.value(int(F::ProgressField))->setText(service->monitor()->history(incident.id).progressText());
    // Until the timeline is read: what the escalation monitor knows of the messages sent.
    chooseDefault(service->monitor()->history(incident.id).lastUpdateMs.has_value());
    refill();

    m_store = service->monitor()->store();
    if (!m_store)
        return;
    connect(m_store, &StoreClient::eventsLoaded, this, [this](quint64 id, qint64, const QList<TimelineEvent>& events) {
        if (id != m_eventsRequest)
            return;
        m_eventsLoaded = true;
        addEvents(events);
        chooseDefault(CommunicationTemplate::anyMessageSent(m_events));
    });
    connect(m_store, &StoreClient::eventsAppended, this, &CommunicationsDialog::addEvents);
    connect(m_store, &StoreClient::incidentChanged, this, [this](const Incident& changed) {
        if (changed.id != m_incident.id)
            return;
        const bool resolvedNow = m_incident.isOpen() && !changed.isOpen();
        m_incident = changed;
        if (resolvedNow)
            chooseDefault(true);
        refill();
    });
    m_eventsRequest = m_store->requestEvents(incident.id, 0, 1'000'000);
}

void CommunicationsDialog::addEvents(const QList<TimelineEvent>& events)
{
    bool added = false;
    for (const TimelineEvent& e : events) {
        if (e.incidentId != m_incident.id)
            continue;
        const auto at = std::lower_bound(m_events.begin(), m_events.end(), e.seq,
            [](const TimelineEvent& known, qint64 seq) { return known.seq < seq; });
        if (at != m_events.end() && at->seq == e.seq)
            continue; // seen in the load and as appended
        m_events.insert(at, e);
        added = true;
    }
    if (added)
        followTimeline();
}

void CommunicationsDialog::followTimeline()
{
    m_noted = MessageValues::fromNotes(m_events);
    for (auto it = m_noted.values.cbegin(); it != m_noted.values.cend(); ++it) {
        QLineEdit* edit = m_fields.value(int(it.key()));
        if (edit && !m_typed.contains(int(it.key())) && edit->text() != it.value())
            edit->setText(it.value()); // → refill
    }
    refill();
}

void CommunicationsDialog::chooseDefault(bool messageSent)
{
    if (m_templateChosen || m_edited)
        return;
    const int index = m_template->findText(
        CommunicationTemplate::defaultName(m_templates, !m_incident.isOpen(), messageSent), Qt::MatchFixedString);
    if (index >= 0)
        m_template->setCurrentIndex(index);
}

void CommunicationsDialog::selectTemplate(const QString& name)
{
    m_templateChosen = true;
    const int index = m_template->findText(name, Qt::MatchFixedString);
    if (index >= 0)
        m_template->setCurrentIndex(index);
}

QString CommunicationsDialog::currentTemplate() const { return m_template->currentText(); }

void CommunicationsDialog::setField(MessageValues::Field field, const QString& value)
{
    if (QLineEdit* edit = m_fields.value(int(field))) {
        m_typed.insert(int(field));
        edit->setText(value);
    }
}

QString CommunicationsDialog::messageText() const { return m_text->toPlainText(); }

QString CommunicationsDialog::statusText() const { return m_status->text(); }

MessageValues CommunicationsDialog::values() const
{
    MessageValues v = MessageValues::fromIncident(m_incident, m_service->monitor()->nowMs());
    v.merge(m_noted); // "Impact: …" has no field of its own
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        if (!it.value()->text().trimmed().isEmpty())
            v.set(MessageValues::Field(it.key()), it.value()->text().trimmed());
    }
    return v;
}

void CommunicationsDialog::refill()
{
    if (m_edited)
        return; // the commander's own edits win; Refill starts again
    const int index = m_template->currentIndex();
    if (index < 0 || index >= m_templates.size())
        return;
    m_filling = true;
    m_text->setPlainText(m_templates.at(index).fill(values()));
    m_filling = false;
}

void CommunicationsDialog::copyToClipboard()
{
    m_templateChosen = true; // what was sent stays in front
    QGuiApplication::clipboard()->setText(messageText());
    m_service->monitor()->recordMessage(m_incident.id, currentTemplate(), u"clipboard"_s, messageText());
    m_status->setText(tr("Copied to the clipboard and recorded on the timeline."));
    Q_EMIT messageSent(u"clipboard"_s, messageText());
}

void CommunicationsDialog::postToSlack()
{
    if (m_postId)
        return;
    m_templateChosen = true;
    m_post->setEnabled(false);
    m_status->setText(tr("Recording the message on the timeline before posting it\u2026"));
    m_postedTemplate = currentTemplate();
    const QString text = messageText();
    // Posted only once "message.sending" is on disk: nothing leaves unrecorded.
    m_postId = std::numeric_limits<quint64>::max(); // recording: a second click waits
    m_service->monitor()->recordSending(
        m_incident.id, m_postedTemplate, u"slack"_s, text, this, [this, text](bool recorded, const QString& why) {
            if (!recorded) {
                m_postId = 0;
                m_post->setEnabled(true);
                m_status->setText(tr("Not posted: the timeline could not record it (%1). Nothing was sent; the "
                                     "message is kept here.")
                                      .arg(why));
                return;
            }
            m_status->setText(tr("Posting to Slack\u2026"));
            m_postId = m_service->slack()->post(text);
        });
}

#include "moc_communicationsdialog.cpp"
