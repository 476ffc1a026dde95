// SPDX-License-Identifier: MIT
#include "ui/runbookwizard.h"

#include "models/commandaudit.h"
#include "models/environmentlistmodel.h"
#include "models/parametertype.h"
#include "services/auditrecorder.h"
#include "services/runbooklibrary.h"
#include "services/storeclient.h"
#include "ui/confirmationdialog.h"
#include "ui/ipseteditor.h"
#include "ui/runbookpicker.h"
#include "ui/stepoutputview.h"

#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QFile>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace {

QString stateMark(const QString& state)
{
    if (state == u"ok")
        return u"✓ "_s;
    if (state == u"failed" || state == u"timed out" || state == u"not started")
        return u"✗ "_s;
    if (state == u"stopped")
        return u"■ "_s;
    if (state == u"skipped")
        return u"↷ "_s;
    if (state == u"running")
        return u"▶ "_s;
    if (state == u"unknown" || state == u"outcome unknown")
        return u"? "_s;
    return u"  "_s;
}

constexpr char16_t ChecklistKind[] = u"runbook.checklist";
constexpr qint64 SavedTailBytes = 64 * 1024;

// The last bytes of a saved output file (read off the GUI thread).
struct SavedOutput {
    bool found = false;
    QByteArray tail;
    bool truncated = false;
    QByteArray errTail;
};

QByteArray fileTail(const QString& path, bool* found, bool* truncated)
{
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly)) {
        *found = false;
        return {};
    }
    *found = true;
    const qint64 size = f.size();
    *truncated = size > SavedTailBytes;
    if (*truncated)
        f.seek(size - SavedTailBytes);
    QByteArray bytes = f.read(SavedTailBytes);
    if (*truncated) {
        const qsizetype nl = bytes.indexOf('\n');
        if (nl >= 0)
            bytes.remove(0, nl + 1); // from a line's start
    }
    return bytes;
}

SavedOutput readSavedOutput(const QString& path)
{
    SavedOutput out;
    out.tail = fileTail(path, &out.found, &out.truncated);
    if (path.endsWith(u".stdout"_s)) {
        bool found = false;
        bool truncated = false;
        out.errTail = fileTail(path.chopped(7) + u".stderr"_s, &found, &truncated);
    }
    return out;
}

// "runbook:<title>#<ref>" → ref, when the source is this runbook's.
QString refOf(const QString& source, const QString& title)
{
    const QString prefix = u"runbook:"_s + title + u'#';
    return source.startsWith(prefix) ? source.mid(prefix.size()) : QString();
}

} // namespace

RunbookWizard::RunbookWizard(const ConsoleServices& services, QWidget* parent)
    : QWidget(parent)
    , m_services(services)
    , m_executor(new StepExecutor(services.audit, services.secrets, this))
    , m_stack(new QStackedWidget(this))
{
    // The sandbox's drill threshold (scripts/sandbox env exports PETFORCE_IDLE_THRESHOLD); the executor never
    // applies it to a production profile.
    m_executor->setIntervalOverride(qEnvironmentVariable("PETFORCE_IDLE_THRESHOLD"));

    // Page 0: the picker.
    auto* pickerPage = new QWidget(m_stack);
    m_picker = new RunbookPicker(services.runbooks, pickerPage);
    m_pickerMessage = new QLabel(pickerPage);
    m_pickerMessage->setWordWrap(true);
    auto* pickerLayout = new QVBoxLayout(pickerPage);
    pickerLayout->addWidget(m_pickerMessage);
    pickerLayout->addWidget(m_picker);
    m_stack->addWidget(pickerPage);
    connect(m_picker, &RunbookPicker::runbookChosen, this, &RunbookWizard::openRunbook);
    connect(m_picker, &RunbookPicker::catalogueStepChosen, this, &RunbookWizard::openCatalogueStep);

    // Page 1, the steps, is built by ensureWizardPage() when first needed.

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_stack);

    // Something runs only from page 1; the handlers build it all the same (never a null widget).
    connect(m_executor, &StepExecutor::assessed, this, [this](const ConfirmationRequest& request) {
        ensureWizardPage();
        ConfirmationDialog::ask(this, request, [this, request](bool ok) {
            if (!ok) {
                m_executor->stop(); // back to idle; nothing ran
                m_status->setText(tr("Cancelled: nothing ran."));
                m_runningRef.clear();
                updateButtons();
                return;
            }
            m_executor->run(ConfirmationDialog::confirmationText(request));
        });
    });
    connect(m_executor, &StepExecutor::failed, this, [this](const QString& error) {
        ensureWizardPage();
        m_status->setText(error);
        m_runningRef.clear();
        updateButtons();
    });
    connect(m_executor, &StepExecutor::started, this, [this](const QString& runId) {
        ensureWizardPage();
        m_answerRefs.insert(runId, m_runningRef);
        m_answers.remove(m_runningRef);
        m_output->clear();
        setState(m_runningRef, u"running"_s);
        m_status->setText(tr("Running…"));
        updateButtons();
    });
    connect(m_executor, &StepExecutor::outputReceived, this, [this](CommandStream stream, const QByteArray& chunk) {
        ensureWizardPage();
        m_output->appendOutput(stream, chunk);
    });
    connect(m_executor, &StepExecutor::sqlResult, this, [this](const PgResult& result) {
        ensureWizardPage();
        m_output->showSqlResult(result);
        const Item* item = nullptr;
        for (const Item& i : std::as_const(m_items)) {
            if (i.ref == m_runningRef)
                item = &i;
        }
        if (!item)
            return;
        QMap<QString, QStringList> columns;
        for (int c = 0; c < result.columns().size(); ++c) {
            QStringList values;
            for (const QList<QVariant>& row : result.rows())
                values.append(row.value(c).toString());
            columns.insert(result.columns().at(c).name, values);
        }
        m_results.insert(item->step.ref, columns);
    });
    connect(m_executor, &StepExecutor::finished, this, &RunbookWizard::onFinished);
    // The console's own answer beside a diagnosis step; offenders feed the WAF step's add list.
    connect(m_executor, &StepExecutor::answerReady, this, [this](const QString& runId, const StepAnswer& answer) {
        ensureWizardPage();
        const QString ref = m_answerRefs.value(runId);
        m_answers.insert(ref, answer);
        if (!answer.offenders.isEmpty())
            m_offenders = answer.offenders;
        if (currentRef() == ref)
            m_output->showAnswer(answer);
    });
    connect(m_executor, &StepExecutor::ipSetsListed, this,
        [this](const QString&, const QList<IpSetSummary>& sets, const QString& error) {
            if (m_ipSet)
                m_ipSet->setSets(sets, error);
        });
    connect(m_executor, &StepExecutor::ipSetAddressesRead, this,
        [this](const QString& id, const QStringList& addresses, const QString& error) {
            if (m_ipSet)
                m_ipSet->setCurrent(id, addresses, error);
        });
    connect(m_executor, &StepExecutor::stateChanged, this, &RunbookWizard::updateButtons);
    // Record before acting: a read step that ran unrecorded, and a finish the store did not take yet, say so.
    connect(m_executor, &StepExecutor::notRecorded, this, [this](const QString&, const QString& why) {
        ensureWizardPage();
        m_output->showRecording(tr("Not recorded: the incident store refused the start of this read step (%1). It "
                                   "ran, but neither its start nor its result is on the timeline.")
                                    .arg(why));
    });
    if (m_services.audit) {
        connect(m_services.audit, &AuditRecorder::finishNotRecorded, this,
            [this](const QString& runId, const QString& why) {
                if (runId != m_executor->runId())
                    return;
                ensureWizardPage();
                m_output->showRecording(tr("Result not recorded yet: the incident store refused it (%1). It is kept in "
                                           "memory and written as soon as the store takes writes again.")
                                            .arg(why));
            });
        connect(m_services.audit, &AuditRecorder::finishRecorded, this, [this](const QString& runId) {
            if (runId == m_executor->runId() && m_output)
                m_output->showRecording({});
        });
    }
    if (m_services.store)
        connect(m_services.store, &StoreClient::eventsLoaded, this, &RunbookWizard::onEventsLoaded);
    if (m_services.runbooks) {
        connect(m_services.runbooks, &RunbookLibrary::reloaded, this, [this] {
            if (m_restore && m_restore->waitingForLibrary)
                applyRestore();
        });
    }
    if (m_services.environments)
        connect(m_services.environments, &EnvironmentListModel::activeChanged, this, &RunbookWizard::refreshPrepared);
}

RunbookWizard::~RunbookWizard() = default;

void RunbookWizard::ensureWizardPage()
{
    if (hasWizardPage())
        return;
    // Page 1: the wizard (index 1 of the stack).
    auto* page = new QWidget(m_stack);
    auto* back = new QPushButton(tr("◀ Runbooks"), page);
    back->setObjectName(u"wizardBack"_s);
    connect(back, &QPushButton::clicked, this, &RunbookWizard::showPicker);
    m_overview = new QLabel(page);
    m_overview->setObjectName(u"wizardOverview"_s);
    m_overview->setWordWrap(true);
    m_overview->setTextFormat(Qt::RichText);
    m_list = new QListWidget(page);
    m_list->setObjectName(u"wizardSteps"_s);
    connect(m_list, &QListWidget::currentRowChanged, this, &RunbookWizard::showItem);

    auto* stepPane = new QWidget(page);
    m_title = new QLabel(stepPane);
    m_title->setObjectName(u"stepTitle"_s);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_stepIncident = new QLabel(stepPane);
    m_stepIncident->setObjectName(u"stepIncident"_s);
    m_stepIncident->setWordWrap(true);
    m_stepIncident->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_meta = new QLabel(stepPane);
    m_meta->setObjectName(u"stepMeta"_s);
    m_meta->setTextFormat(Qt::RichText);
    m_meta->setWordWrap(true);
    m_command = new QPlainTextEdit(stepPane);
    m_command->setObjectName(u"stepCommand"_s);
    m_command->setReadOnly(true);
    m_command->setFont(QFont(u"monospace"_s));
    m_command->setMaximumHeight(96);
    m_parameters = new QWidget(stepPane);
    m_parameterForm = new QFormLayout(m_parameters);
    m_parameterForm->setContentsMargins(0, 0, 0, 0);
    m_options = new QComboBox(stepPane);
    m_options->setObjectName(u"resolutionOptions"_s);
    connect(m_options, &QComboBox::activated, this, [this](int index) { chooseOption(index); });
    m_checklist = new QListWidget(stepPane);
    m_checklist->setObjectName(u"postIncidentChecklist"_s);
    connect(m_checklist, &QListWidget::itemChanged, this, &RunbookWizard::onChecklistChanged);
    m_run = new QPushButton(tr("Run"), stepPane);
    m_run->setObjectName(u"stepRun"_s);
    m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return)); // the confirmations are the same as a click's
    m_run->setToolTip(tr("Run this step (%1)").arg(m_run->shortcut().toString(QKeySequence::NativeText)));
    m_stop = new QPushButton(tr("Stop"), stepPane);
    m_stop->setObjectName(u"stepStop"_s);
    m_skip = new QPushButton(tr("Skip"), stepPane);
    m_skip->setObjectName(u"stepSkip"_s);
    m_copy = new QPushButton(tr("Copy"), stepPane);
    m_copy->setObjectName(u"stepCopy"_s);
    m_copy->setToolTip(tr("Copy the command as it will run, with the values filled in"));
    connect(m_run, &QPushButton::clicked, this, &RunbookWizard::run);
    connect(m_stop, &QPushButton::clicked, m_executor, &StepExecutor::stop);
    connect(m_skip, &QPushButton::clicked, this, &RunbookWizard::skip);
    connect(m_copy, &QPushButton::clicked, this, &RunbookWizard::copy);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_skip);
    buttons->addWidget(m_copy);
    buttons->addStretch();
    m_problems = new QLabel(stepPane);
    m_problems->setObjectName(u"stepProblems"_s);
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::PlainText);
    m_problems->setStyleSheet(u"color: #b00020"_s);
    m_problems->hide();
    m_status = new QLabel(stepPane);
    m_status->setObjectName(u"stepStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_output = new StepOutputView(stepPane);
    auto* stepLayout = new QVBoxLayout(stepPane);
    stepLayout->setContentsMargins(0, 0, 0, 0);
    stepLayout->addWidget(m_title);
    stepLayout->addWidget(m_stepIncident);
    stepLayout->addWidget(m_meta);
    stepLayout->addWidget(m_options);
    stepLayout->addWidget(m_checklist);
    stepLayout->addWidget(m_command);
    stepLayout->addWidget(m_parameters);
    stepLayout->addLayout(buttons);
    stepLayout->addWidget(m_problems);
    stepLayout->addWidget(m_status);
    stepLayout->addWidget(m_output, 1);

    auto* split = new QSplitter(Qt::Vertical, page); // the steps above the step: fits a side dock
    split->addWidget(m_list);
    split->addWidget(stepPane);
    split->setStretchFactor(1, 3);
    m_list->setMinimumHeight(96);
    split->setSizes({ 96, 1000 }); // the step first: its Run button in sight at the default size (issue 16)
    auto* pageLayout = new QVBoxLayout(page);
    auto* top = new QHBoxLayout;
    top->addWidget(back);
    top->addWidget(m_overview, 1);
    pageLayout->addLayout(top);
    pageLayout->addWidget(split, 1);
    m_stack->addWidget(page);

    updateIncidentLabel();
    updateButtons(); // from the state so far (executor, incident)
}

void RunbookWizard::showPicker()
{
    ++m_opened;
    m_pickerMessage->clear();
    m_stack->setCurrentIndex(0);
}

bool RunbookWizard::openRunbook(const QString& title)
{
    const QList<Runbook> runbooks = m_services.runbooks ? m_services.runbooks->runbooks() : QList<Runbook>();
    for (const Runbook& r : runbooks) {
        if (r.title.compare(title, Qt::CaseInsensitive) != 0)
            continue;
        ensureWizardPage();
        if (m_libraryRunbook && m_stack->currentIndex() == 1 && m_runbook.title == r.title) {
            // Already open (an alert asks for its runbook again): it stays on its page.
            if (m_incidentId == 0)
                offerIncident();
            return true;
        }
        if (m_executor->isBusy() || !m_runningRef.isEmpty()) {
            m_status->setText(tr("A step is still running: stop it before opening another runbook."));
            return false;
        }
        ++m_opened;
        m_libraryRunbook = true;
        m_runbook = r;
        m_option = 0;
        m_states.clear();
        m_results.clear();
        m_json.clear();
        ++m_resultsGeneration;
        m_resultReads.clear();
        m_lastRunOfStep.clear();
        m_finished.clear();
        m_checked.clear();
        m_checklist->clear(); // refilled from the runbook and the timeline's ticks
        m_stack->setCurrentIndex(1);
        rebuildItems();
        m_list->setCurrentRow(0);
        setIncident(m_incidentId); // rebuild the states of this runbook's runs
        if (m_incidentId == 0)
            offerIncident();
        return true;
    }
    m_stack->setCurrentIndex(0);
    m_pickerMessage->setText(tr("There is no runbook named “%1” in the library.").arg(title));
    m_picker->setQuery(title);
    return false;
}

void RunbookWizard::openCatalogueStep(const RunbookStep& step)
{
    ensureWizardPage();
    Runbook r;
    r.title = step.ref.section(u'/', 0, 1); // "catalogue/ECS"
    ++m_opened;
    m_libraryRunbook = false;
    RunbookStep s = step;
    ResolutionOption only;
    only.label = tr("Command");
    only.title = step.title;
    only.steps.append(s);
    r.resolution.append(only);
    m_runbook = r;
    m_option = 0;
    m_states.clear();
    m_finished.clear();
    m_checked.clear();
    m_checklist->clear();
    m_stack->setCurrentIndex(1);
    rebuildItems();
    selectItem(u"resolution/0/0"_s);
}

void RunbookWizard::setIncident(qint64 incidentId)
{
    if (incidentId != m_incidentId) {
        // The steps' states are the new incident's (from its events), not the last one's.
        m_states.clear();
        m_finished.clear();
        m_lastRunOfStep.clear();
        m_checked.clear();
        if (!m_runningRef.isEmpty())
            m_states.insert(m_runningRef, u"running"_s);
        updateItemLabels();
        if (hasWizardPage() && m_checklist->count() > 0)
            fillChecklist();
        m_resolvedAccepted = 0;
        if (m_incidentInfo && m_incidentInfo->id != incidentId)
            m_incidentInfo.reset();
        if (m_resolvedQuestion)
            m_resolvedQuestion->done(QMessageBox::Cancel); // asked about another incident
    }
    if (incidentId > 0 && m_incidentOffer)
        m_incidentOffer->done(QMessageBox::No); // one is active now: nothing to open
    m_incidentId = incidentId;
    if (incidentId > 0 && m_services.store && !m_runbook.title.isEmpty())
        m_eventsRequest = m_services.store->requestEvents(incidentId, 0, 100000);
    updateIncidentLabel();
    updateButtons();
}

void RunbookWizard::setIncident(const std::optional<Incident>& incident)
{
    const qint64 id = incident ? incident->id : 0;
    m_incidentInfo = incident;
    if (id != m_incidentId)
        setIncident(id);
    else
        updateIncidentLabel();
}

QString RunbookWizard::incidentText() const
{
    if (m_incidentId <= 0)
        return tr("No incident is active: a step run now is recorded nowhere. Run offers to open one.");
    if (!m_incidentInfo)
        return tr("For incident #%1").arg(m_incidentId);
    QString title = m_incidentInfo->title;
    if (title.size() > 60)
        title = title.left(59) + u'…';
    return tr("For incident #%1 — %2 (%3, %4)")
        .arg(QString::number(m_incidentId), title, severityCode(m_incidentInfo->severity),
            m_incidentInfo->isOpen() ? tr("open") : tr("resolved"));
}

void RunbookWizard::updateIncidentLabel()
{
    if (!m_stepIncident)
        return;
    m_stepIncident->setText(incidentText());
    m_stepIncident->setToolTip(m_incidentInfo ? m_incidentInfo->title : QString());
    const bool warn = m_incidentId <= 0 || (m_incidentInfo && !m_incidentInfo->isOpen());
    m_stepIncident->setStyleSheet(warn ? u"color: #b00020; font-weight: bold;"_s : u"font-weight: bold;"_s);
}

void RunbookWizard::offerIncident()
{
    if (m_incidentOffer && m_incidentOffer->isVisible()) {
        m_incidentOffer->raise(); // one question at a time
        return;
    }
    const Runbook r = m_runbook;
    QString text = tr("No incident is active. Open one for “%1” with severity %2? Commands run from the runbook are "
                      "recorded on the incident's timeline.")
                       .arg(r.title, r.severity ? severityCode(*r.severity) : u"P2"_s);
    if (r.alert)
        text += u' ' + tr("If its alert %1 has an open incident, that one is used.").arg(r.alert->raw);
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("No active incident"), text, QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(u"openIncidentQuestion"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_incidentOffer = box;
    connect(box, &QMessageBox::finished, this, [this, box, r](int) {
        if (box->clickedButton() == box->button(QMessageBox::Yes) && m_incidentId == 0)
            Q_EMIT incidentRequested(r.severity.value_or(Severity::P2), r.title);
    });
    box->open();
}

void RunbookWizard::askResolved(const Item& item)
{
    if (m_resolvedQuestion && m_resolvedQuestion->isVisible()) {
        m_resolvedQuestion->raise();
        return;
    }
    const qint64 id = m_incidentId;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Incident resolved"),
        tr("Incident #%1 “%2” is resolved. Record “%3” on it anyway?")
            .arg(QString::number(id), m_incidentInfo ? m_incidentInfo->title : QString(), item.label),
        QMessageBox::NoButton, this);
    box->setObjectName(u"resolvedIncidentQuestion"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("What runs now is recorded on the incident this step runs for. A new problem "
                               "deserves an incident of its own."));
    QPushButton* record = box->addButton(tr("Record on #%1").arg(id), QMessageBox::AcceptRole);
    record->setObjectName(u"resolvedRecordAnyway"_s);
    QPushButton* open = box->addButton(tr("Open a New Incident…"), QMessageBox::ActionRole);
    open->setObjectName(u"resolvedOpenNew"_s);
    QPushButton* cancel = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(cancel); // Enter records nothing
    m_resolvedQuestion = box;
    const QString ref = item.ref;
    connect(box, &QMessageBox::finished, this, [this, box, record, open, id, ref] {
        if (box->clickedButton() == record && m_incidentId == id) {
            m_resolvedAccepted = id;
            const Item* current = currentItem();
            if (current && current->ref == ref)
                startRun(*current);
        } else if (box->clickedButton() == open) {
            m_status->setText(tr("Nothing ran: open the incident first, then run the step again."));
            Q_EMIT incidentRequested(m_runbook.severity.value_or(Severity::P2), m_runbook.title);
        } else if (m_status) {
            m_status->setText(tr("Cancelled: nothing ran."));
        }
    });
    box->open();
}

RunbookWizard::Place RunbookWizard::place() const
{
    Place p;
    p.incident = m_incidentId;
    p.atMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_libraryRunbook || m_stack->currentIndex() != 1)
        return p;
    p.runbook = m_runbook.title;
    p.option = m_option;
    p.item = currentRef();
    return p;
}

void RunbookWizard::restorePlace(const Place& saved, qint64 incidentId)
{
    Restore r;
    r.saved = saved;
    r.incident = incidentId;
    r.opened = m_opened;
    m_restore = r;
    if (incidentId > 0 && m_services.store)
        m_restore->eventsRequest = m_services.store->requestEvents(incidentId, 0, -1);
    else
        decideRestore({});
}

void RunbookWizard::decideRestore(const QList<TimelineEvent>& events)
{
    // The last runbook command of the incident (a start is recorded before anything runs), else its alert's runbook.
    Place fromEvents;
    for (const TimelineEvent& e : events) {
        if (e.kind == QStringView(AuditKind::Started)) {
            const QString source = CommandAudit::fromJson(e.detail).source;
            const qsizetype hash = source.indexOf(u'#');
            if (!source.startsWith(u"runbook:"_s) || hash < 0)
                continue;
            fromEvents.runbook = source.mid(8, hash - 8);
            fromEvents.item = source.mid(hash + 1);
            fromEvents.option
                = fromEvents.item.startsWith(u"resolution/"_s) ? fromEvents.item.section(u'/', 1, 1).toInt() : 0;
            fromEvents.atMs = e.timeMs;
        } else if (e.kind == u"alert.fired"_s && fromEvents.runbook.isEmpty()) {
            fromEvents.runbook = e.detail.value(u"runbook"_s).toString();
            fromEvents.item = u"overview"_s;
            fromEvents.atMs = e.timeMs;
        }
    }
    const Place& saved = m_restore->saved;
    const bool savedHere
        = saved.incident == m_restore->incident && (saved.atMs >= fromEvents.atMs || fromEvents.runbook.isEmpty());
    m_restore->target = savedHere ? saved : fromEvents;
    m_restore->target.incident = m_restore->incident;
    if (m_restore->target.runbook.isEmpty()) {
        m_restore.reset();
        return;
    }
    applyRestore();
}

void RunbookWizard::applyRestore()
{
    if (!m_restore || m_restore->opened != m_opened || m_restore->incident != m_incidentId) {
        m_restore.reset(); // something else was opened meanwhile, or another incident is active
        return;
    }
    const Place target = m_restore->target;
    bool known = false;
    const QList<Runbook> runbooks = m_services.runbooks ? m_services.runbooks->runbooks() : QList<Runbook>();
    for (const Runbook& r : runbooks)
        known = known || r.title.compare(target.runbook, Qt::CaseInsensitive) == 0;
    if (!known && m_services.runbooks && (runbooks.isEmpty() || m_services.runbooks->isLoading())) {
        m_restore->waitingForLibrary = true; // its first load is still running
        return;
    }
    m_restore.reset();
    if (!known || !openRunbook(target.runbook))
        return;
    if (target.option > 0)
        chooseOption(target.option);
    if (!target.item.isEmpty())
        selectItem(target.item);
    Q_EMIT placeRestored(m_runbook.title, currentRef());
}

void RunbookWizard::onEventsLoaded(quint64 requestId, qint64 incidentId, const QList<TimelineEvent>& events)
{
    if (m_restore && requestId == m_restore->eventsRequest) {
        decideRestore(events);
        return;
    }
    if (requestId != m_eventsRequest || incidentId != m_incidentId)
        return;
    ensureWizardPage(); // requested only once a runbook is open: already built
    QHash<QString, QString> runRef;
    for (const TimelineEvent& e : events) {
        if (e.kind == QStringView(AuditKind::Started)) {
            const CommandAudit audit = CommandAudit::fromJson(e.detail);
            const QString ref = refOf(audit.source, m_runbook.title);
            if (!ref.isEmpty()) {
                runRef.insert(audit.runId, ref);
                m_states.insert(ref, u"unknown"_s);
                m_finished.remove(ref);
            }
        } else if (e.kind == QStringView(AuditKind::Finished)) {
            const QString run = e.detail.value(u"run"_s).toString();
            if (runRef.contains(run)) {
                const CommandOutcome outcome = CommandOutcome::fromJson(e.detail);
                const QString ref = runRef.value(run);
                m_states.insert(ref, outcome.status);
                m_finished.insert(ref, outcome);
                for (const Item& i : std::as_const(m_items)) {
                    if (i.ref == ref && i.isStep)
                        m_lastRunOfStep.insert(i.step.ref, ref);
                }
            }
        } else if (e.kind == QStringView(ChecklistKind) && e.detail.value(u"runbook"_s).toString() == m_runbook.title) {
            m_checked.insert(e.detail.value(u"item"_s).toString(), e.detail.value(u"checked"_s).toBool());
        }
    }
    fillChecklist();
    if (!m_runningRef.isEmpty())
        m_states.insert(m_runningRef, u"running"_s);
    updateItemLabels();
    showItem(m_list->currentRow());
}

void RunbookWizard::rebuildItems()
{
    ensureWizardPage();
    m_ipSetRef.clear(); // another runbook or option: the WAF editor starts afresh
    m_items.clear();
    const bool single = m_runbook.diagnosis.isEmpty() && m_runbook.symptoms.isEmpty() && !m_runbook.alert;
    if (!single)
        m_items.append({ u"overview"_s, tr("Overview"), {}, false });
    for (int i = 0; i < m_runbook.diagnosis.size(); ++i)
        m_items.append({ u"diagnosis/%1"_s.arg(i), tr("Diagnose: %1").arg(m_runbook.diagnosis.at(i).title),
            m_runbook.diagnosis.at(i), true });
    if (!single && !m_runbook.resolution.isEmpty())
        m_items.append({ u"option"_s, tr("Choose a resolution"), {}, false });
    if (m_option >= 0 && m_option < m_runbook.resolution.size()) {
        const ResolutionOption& o = m_runbook.resolution.at(m_option);
        for (int i = 0; i < o.steps.size(); ++i)
            m_items.append({ u"resolution/%1/%2"_s.arg(m_option).arg(i), tr("%1: %2").arg(o.label, o.steps.at(i).title),
                o.steps.at(i), true });
    }
    for (int i = 0; i < m_runbook.diagnosis.size(); ++i)
        m_items.append({ u"verify/%1"_s.arg(i), tr("Verify: %1").arg(m_runbook.diagnosis.at(i).title),
            m_runbook.diagnosis.at(i), true });
    if (!single)
        m_items.append({ u"checklist"_s, tr("Post-incident checklist"), {}, false });

    m_options->clear();
    for (const ResolutionOption& o : std::as_const(m_runbook.resolution))
        m_options->addItem(o.title.isEmpty() ? o.label : o.label + u": "_s + o.title);
    m_options->setCurrentIndex(m_option);

    QString html = u"<b>%1</b>"_s.arg(m_runbook.title.toHtmlEscaped());
    if (m_runbook.severity)
        html += u" · %1"_s.arg(severityCode(*m_runbook.severity));
    if (m_runbook.alert)
        html += tr(" · alert <code>%1</code>").arg(m_runbook.alert->raw.toHtmlEscaped());
    m_overview->setText(html);

    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const Item& item : std::as_const(m_items))
        m_list->addItem(item.label);
    updateItemLabels();
}

void RunbookWizard::updateItemLabels()
{
    if (!hasWizardPage())
        return; // the labels are made when the items are
    for (int i = 0; i < m_items.size() && i < m_list->count(); ++i)
        m_list->item(i)->setText(stateMark(m_states.value(m_items.at(i).ref)) + m_items.at(i).label);
}

RunbookStep RunbookWizard::stepAt(const QString& ref) const
{
    for (const Item& item : m_items)
        if (item.ref == ref && item.isStep)
            return item.step;
    return {};
}

QStringList RunbookWizard::itemRefs() const
{
    QStringList refs;
    for (const Item& i : m_items)
        refs.append(i.ref);
    return refs;
}

bool RunbookWizard::selectItem(const QString& ref)
{
    const int row = int(itemRefs().indexOf(ref));
    if (row < 0)
        return false;
    ensureWizardPage(); // items exist only once a runbook is open: already built
    m_list->setCurrentRow(row);
    return true;
}

QString RunbookWizard::currentRef() const
{
    const Item* item = currentItem();
    return item ? item->ref : QString();
}

const RunbookWizard::Item* RunbookWizard::currentItem() const
{
    if (!hasWizardPage())
        return nullptr; // nothing open yet
    const int row = m_list->currentRow();
    return row >= 0 && row < m_items.size() ? &m_items.at(row) : nullptr;
}

bool RunbookWizard::chooseOption(int index)
{
    if (index < 0 || index >= m_runbook.resolution.size())
        return false;
    m_option = index;
    const QString ref = currentRef();
    rebuildItems();
    if (!selectItem(ref))
        selectItem(u"option"_s);
    return true;
}

QString RunbookWizard::stepState(const QString& ref) const { return m_states.value(ref); }

void RunbookWizard::showItem(int row)
{
    if (row < 0 || row >= m_items.size())
        return;
    ensureWizardPage();
    const Item& item = m_items.at(row);
    m_options->setVisible(item.ref == u"option");
    m_checklist->setVisible(item.ref == u"checklist");
    m_command->setVisible(item.isStep);
    m_parameters->setVisible(item.isStep);
    m_output->setVisible(item.isStep);
    if (!item.isStep)
        m_problems->hide();
    m_status->clear();
    if (item.isStep) {
        showStep(item);
    } else if (item.ref == u"overview") {
        m_title->setText(m_runbook.title);
        QString text;
        if (m_runbook.severity)
            text += tr("<b>Severity</b> %1<br>").arg(severityCode(*m_runbook.severity));
        if (m_runbook.alert)
            text += tr("<b>Alert</b> <code>%1</code><br>").arg(m_runbook.alert->raw.toHtmlEscaped());
        if (!m_runbook.symptoms.isEmpty()) {
            text += tr("<b>Symptoms</b><ul>");
            for (const QString& s : std::as_const(m_runbook.symptoms))
                text += u"<li>"_s + s.toHtmlEscaped() + u"</li>"_s;
            text += u"</ul>"_s;
        }
        text += tr("Next: %n diagnosis step(s).", nullptr, int(m_runbook.diagnosis.size()));
        m_meta->setText(text);
    } else if (item.ref == u"option") {
        m_title->setText(tr("Choose a resolution"));
        m_meta->setText(tr("Pick the option that fits what the diagnosis showed; its steps follow."));
    } else if (item.ref == u"checklist") {
        m_title->setText(tr("Post-incident checklist"));
        m_meta->clear();
        if (m_checklist->count() == 0)
            fillChecklist();
    }
    updateButtons();
}

void RunbookWizard::fillChecklist()
{
    ensureWizardPage();
    QStringList items = m_runbook.postIncident;
    if (items.isEmpty())
        items = { tr("Verify the alert has cleared"), tr("Update the status page"),
            tr("Write the post-mortem within 48 hours"), tr("File follow-up tickets") };
    m_fillingChecklist = true;
    m_checklist->clear();
    for (const QString& text : std::as_const(items)) {
        auto* i = new QListWidgetItem(text, m_checklist);
        i->setFlags(i->flags() | Qt::ItemIsUserCheckable);
        i->setCheckState(m_checked.value(text) ? Qt::Checked : Qt::Unchecked);
    }
    m_fillingChecklist = false;
}

void RunbookWizard::onChecklistChanged(QListWidgetItem* item)
{
    if (m_fillingChecklist || !item)
        return;
    const bool checked = item->checkState() == Qt::Checked;
    if (m_checked.value(item->text()) == checked)
        return;
    m_checked.insert(item->text(), checked);
    // Saved with the run's state: an event on the incident's timeline (none without an incident).
    if (m_incidentId > 0 && m_services.store) {
        QJsonObject detail;
        detail.insert(u"runbook"_s, m_runbook.title);
        detail.insert(u"item"_s, item->text());
        detail.insert(u"index"_s, m_checklist->row(item));
        detail.insert(u"checked"_s, checked);
        m_services.store->appendEvent(m_incidentId, QString::fromUtf16(ChecklistKind),
            (checked ? tr("Checklist ticked: %1") : tr("Checklist unticked: %1")).arg(item->text()), detail);
    }
}

void RunbookWizard::showSavedOutput(const QString& ref)
{
    // A finished run of an earlier session (or of this one, shown again): its outcome now, and the tail of its
    // output file once read off the GUI thread.
    const CommandOutcome outcome = m_finished.value(ref);
    QString status = outcome.status;
    if (!outcome.error.isEmpty())
        status += u": "_s + outcome.error;
    if (!m_executor->notRecordedReason().isEmpty())
        status += tr(" — not recorded on the timeline");
    m_status->setText(status);
    if (outcome.outputPath.isEmpty())
        return;
    const quint64 read = ++m_savedOutputRead;
    auto* watcher = new QFutureWatcher<SavedOutput>(this);
    connect(watcher, &QFutureWatcher<SavedOutput>::finished, this, [this, watcher, read, ref, outcome] {
        watcher->deleteLater();
        const SavedOutput saved = watcher->result();
        if (read != m_savedOutputRead || currentRef() != ref || !m_runningRef.isEmpty())
            return;
        m_output->clear();
        if (!saved.found) {
            m_output->showNote(tr("The output file %1 is no longer there.").arg(outcome.outputPath));
            return;
        }
        if (outcome.outputPath.endsWith(u".tsv"_s)) {
            m_output->showTsv(QString::fromUtf8(saved.tail));
        } else {
            m_output->appendOutput(CommandStream::Stdout, saved.tail);
            if (!saved.errTail.isEmpty())
                m_output->appendOutput(CommandStream::Stderr, saved.errTail);
            m_output->finishOutput(saved.tail, saved.truncated);
        }
        m_output->showNote(tr("Output of the run that ended %1. Full output: %2 (SHA-256 %3)")
                               .arg(outcome.status, outcome.outputPath, outcome.sha256.left(16)));
    });
    watcher->setFuture(QtConcurrent::run(readSavedOutput, outcome.outputPath));
}

void RunbookWizard::showStep(const Item& item)
{
    const RunbookStep& step = item.step;
    m_title->setText(step.title.isEmpty() ? RunbookStep::kindName(step.kind) : step.title);
    // The parameter editors: typed, validated live, prefilled from earlier results.
    // The same WAF step shown again (its runs reloaded from the timeline): its editor stays, with what was ticked.
    QPointer<IpSetEditor> keptIpSet;
    if (m_ipSet && m_ipSetRef == item.ref) {
        int row = -1;
        QFormLayout::ItemRole role;
        m_parameterForm->getWidgetPosition(m_ipSet, &row, &role);
        if (row >= 0) {
            const QFormLayout::TakeRowResult taken = m_parameterForm->takeRow(row);
            if (taken.labelItem) {
                delete taken.labelItem->widget();
                delete taken.labelItem;
            }
            delete taken.fieldItem; // the layout item, not the editor
            keptIpSet = m_ipSet;
        }
    }
    while (m_parameterForm->rowCount() > 0)
        m_parameterForm->removeRow(0);
    m_editors.clear();
    m_reasons.clear();
    for (const RunbookParameter& p : step.parameters) {
        if (p.prefill.source == ParameterPrefill::Source::Environment)
            continue; // from the profile
        if (StepExecutor::isIpSetUpdate(step)
            && (p.name == u"lock_token" || p.name == u"ip_set_id" || p.name == u"addresses"))
            continue; // read by get-ip-set when the confirmation is built; the set and list in the WAF editor
        auto* editor = new QComboBox(m_parameters);
        editor->setObjectName(u"param_"_s + p.name);
        editor->setEditable(true);
        editor->setInsertPolicy(QComboBox::NoInsert);
        const QStringList offered = prefillValues(p);
        editor->addItems(offered);
        editor->setEditText(offered.isEmpty() ? step.offeredValue(p) : offered.constFirst());
        // The runbook's example is a hint, not a value (never prefilled for a destructive step or a pid).
        editor->lineEdit()->setPlaceholderText(
            p.placeholder || p.example.isEmpty() ? p.example : tr("e.g. %1").arg(p.example));
        editor->setToolTip(p.description.isEmpty() ? ParameterType::description(p.type) : p.description);
        auto* reason = new QLabel(m_parameters);
        reason->setObjectName(u"reason_"_s + p.name);
        reason->setWordWrap(true);
        reason->setStyleSheet(u"color: #b00020"_s);
        // A line kept for the reason, shown or not: the buttons below do not move as it comes and goes.
        reason->setMinimumHeight(reason->fontMetrics().lineSpacing());
        auto* row = new QWidget(m_parameters);
        auto* rowLayout = new QVBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        rowLayout->addWidget(editor);
        rowLayout->addWidget(reason);
        m_parameterForm->addRow(u"%1 (%2)"_s.arg(p.name, ParameterType::name(p.type)), row);
        m_editors.insert(p.name, editor);
        m_reasons.insert(p.name, reason);
        connect(editor, &QComboBox::editTextChanged, this, &RunbookWizard::refreshPrepared);
    }
    if (keptIpSet) {
        m_parameterForm->addRow(tr("WAF IP set"), keptIpSet);
        keptIpSet->setOffered(m_offenders, tr("Check top offending IPs"));
    } else {
        showIpSetEditor(step);
    }
    m_ipSetRef = m_ipSet ? item.ref : QString();
    m_parameters->setVisible(!m_editors.isEmpty() || m_ipSet);
    loadSavedResults(step);
    if (item.ref != m_runningRef)
        m_output->clear(); // another step's output does not belong here
    if (m_answers.contains(item.ref))
        m_output->showAnswer(m_answers.value(item.ref));
    if (item.ref != m_runningRef && m_finished.contains(item.ref) && m_states.value(item.ref) != u"unknown")
        showSavedOutput(item.ref);
    if (m_states.value(item.ref) == u"unknown")
        m_status->setText(tr("The console stopped while this step ran: its outcome is unknown. Check before "
                             "running it again: run the diagnosis (Verify) to see the current state."));
    refreshPrepared();
}

void RunbookWizard::showIpSetEditor(const RunbookStep& step)
{
    delete m_ipSet; // another step's
    if (!StepExecutor::isIpSetUpdate(step))
        return;
    // The set from list-ip-sets, its list from get-ip-set, the additions offered from the diagnosis's offenders.
    m_ipSet = new IpSetEditor(m_parameters);
    m_parameterForm->addRow(tr("WAF IP set"), m_ipSet);
    const QString scope = StepExecutor::ipSetScope(step);
    connect(m_ipSet, &IpSetEditor::setChosen, this, [this, scope](const QString& name, const QString& id) {
        m_executor->readIpSetAddresses(activeProfile(), scope, name, id);
    });
    connect(m_ipSet, &IpSetEditor::changed, this, &RunbookWizard::refreshPrepared);
    m_ipSet->setOffered(m_offenders, tr("Check top offending IPs"));
    m_executor->listIpSets(activeProfile(), scope);
}

QStringList RunbookWizard::prefillValues(const RunbookParameter& p) const
{
    if (p.prefill.source != ParameterPrefill::Source::StepResult)
        return {};
    if (m_json.contains(p.prefill.stepRef))
        return StepOutputView::jsonValues(m_json.value(p.prefill.stepRef), p.prefill.key);
    QStringList values = m_results.value(p.prefill.stepRef).value(p.prefill.key);
    values.removeDuplicates();
    return values;
}

void RunbookWizard::loadSavedResults(const RunbookStep& step)
{
    for (const RunbookParameter& p : step.parameters) {
        const QString source = p.prefill.stepRef;
        if (p.prefill.source != ParameterPrefill::Source::StepResult || m_results.contains(source)
            || m_json.contains(source) || m_resultReads.contains(source))
            continue;
        const CommandOutcome outcome = m_finished.value(m_lastRunOfStep.value(source));
        if (outcome.status != u"ok" || outcome.outputPath.isEmpty())
            continue;
        m_resultReads.insert(source);
        auto* watcher = new QFutureWatcher<SavedOutput>(this);
        connect(watcher, &QFutureWatcher<SavedOutput>::finished, this,
            [this, watcher, source, path = outcome.outputPath, generation = m_resultsGeneration] {
                watcher->deleteLater();
                if (generation != m_resultsGeneration)
                    return; // another runbook since
                m_resultReads.remove(source);
                const SavedOutput saved = watcher->result();
                // A run of this session may have answered meanwhile; a cut tail has no header or no whole JSON.
                if (!saved.found || saved.truncated || m_results.contains(source) || m_json.contains(source))
                    return;
                if (path.endsWith(u".tsv"_s))
                    m_results.insert(source, StepOutputView::tsvColumns(QString::fromUtf8(saved.tail)));
                else if (saved.tail.trimmed().startsWith('{'))
                    m_json.insert(source, saved.tail);
                else
                    return;
                offerPrefills(source);
            });
        watcher->setFuture(QtConcurrent::run(readSavedOutput, outcome.outputPath));
    }
}

void RunbookWizard::offerPrefills(const QString& sourceRef)
{
    const Item* item = currentItem();
    if (!item || !item->isStep)
        return;
    for (const RunbookParameter& p : item->step.parameters) {
        QComboBox* editor = m_editors.value(p.name);
        if (!editor || p.prefill.stepRef != sourceRef || editor->count() > 0)
            continue;
        const QStringList offered = prefillValues(p);
        const QString typed = editor->currentText(); // addItems() makes the first item current: keep what was typed
        editor->addItems(offered);
        const bool untouched = typed.isEmpty() || typed == item->step.offeredValue(p);
        editor->setEditText(untouched && !offered.isEmpty() ? offered.constFirst() : typed);
    }
    refreshPrepared();
}

EnvironmentProfile RunbookWizard::activeProfile() const
{
    if (!m_services.environments)
        return {};
    const int row = m_services.environments->activeRow();
    return row >= 0 ? m_services.environments->profiles().value(row) : EnvironmentProfile();
}

QMap<QString, QString> RunbookWizard::values() const
{
    QMap<QString, QString> v;
    for (auto it = m_editors.cbegin(); it != m_editors.cend(); ++it) {
        const QString text = it.value()->currentText();
        if (!text.isEmpty())
            v.insert(it.key(), text);
    }
    if (m_ipSet && !m_ipSet->selectedId().isEmpty())
        v.insert(u"ip_set_id"_s, m_ipSet->selectedId());
    if (m_ipSet)
        StepExecutor::setIpSetChange(v, m_ipSet->toAdd(), m_ipSet->toRemove());
    return v;
}

void RunbookWizard::refreshPrepared()
{
    const Item* item = currentItem();
    if (!item || !item->isStep)
        return;
    const EnvironmentProfile profile = activeProfile();
    const RunbookStep& step = item->step;
    for (auto it = m_editors.cbegin(); it != m_editors.cend(); ++it) {
        const RunbookParameter* p = step.parameter(it.key());
        const QString text = it.value()->currentText();
        QString reason;
        if (text.isEmpty())
            reason = tr("A value is needed: %1.").arg(p ? ParameterType::description(p->type) : QString());
        else if (p) {
            const ParameterCheck check = ParameterType::validate(p->type, text);
            reason = check.ok ? (check.needsExtraConfirmation ? check.confirmationReason : QString()) : check.reason;
        }
        m_reasons.value(it.key())->setText(reason);
    }
    const PreparedCommand prepared
        = StepExecutor::prepare({ step, profile, values(), 0, {} }, m_executor->intervalOverride());
    QString shown = step.isRunnable() ? prepared.displayText : step.text;
    if (step.kind == StepKind::Link)
        shown = step.url.isEmpty() ? step.text : step.url;
    m_command->setPlainText(shown);
    const QString env = profile.name().isEmpty() ? tr("no environment")
        : profile.isProduction()
        ? u"<span style='background:#b00020;color:white;font-weight:bold'>&nbsp;%1 (PRODUCTION)&nbsp;</span>"_s.arg(
            profile.label().toHtmlEscaped())
        : profile.label().toHtmlEscaped();
    const QString risk = RunbookStep::riskName(step.risk);
    const QString riskHtml = step.risk == StepRisk::Destructive ? u"<b style='color:#b00020'>%1</b>"_s.arg(risk)
        : step.risk == StepRisk::Write                          ? u"<b style='color:#a05a00'>%1</b>"_s.arg(risk)
                                                                : risk;
    QString meta = tr("%1 · risk %2 · %3").arg(env, riskHtml, RunbookStep::kindName(step.kind));
    if (!step.riskReason.isEmpty())
        meta += u" <i>(%1)</i>"_s.arg(step.riskReason.toHtmlEscaped());
    if (step.untilStopped)
        meta += tr(" · runs until stopped");
    if (step.interactive)
        meta += tr(" · needs a terminal: opens in $TERMINAL or x-terminal-emulator");
    if (!step.isRunnable())
        meta += tr(" · nothing runs from the console");
    const QString problems = step.isRunnable() && !prepared.isReady() ? prepared.errors.join(u'\n') : QString();
    m_problems->setText(problems);
    m_problems->setVisible(!problems.isEmpty());
    m_meta->setText(meta);
    updateButtons();
}

void RunbookWizard::updateButtons()
{
    if (!hasWizardPage())
        return; // ensureWizardPage() calls this once the buttons exist
    const Item* item = currentItem();
    const bool busy = m_executor->isBusy() || !m_runningRef.isEmpty();
    const bool step = item && item->isStep;
    bool ready = step && (item->step.isRunnable() || item->step.kind == StepKind::Link);
    if (ready && item->step.isRunnable()) {
        for (QLabel* reason : std::as_const(m_reasons)) {
            if (!reason->text().isEmpty() && !m_editors.isEmpty()) {
                // An extra-confirmation note is not a refusal: only refusals disable Run.
                const QString name = m_reasons.key(reason);
                const RunbookParameter* p = item->step.parameter(name);
                if (!p || !ParameterType::validate(p->type, m_editors.value(name)->currentText()).ok)
                    ready = false;
            }
        }
    }
    if (ready && m_ipSet && !m_ipSet->problem().isEmpty())
        ready = false; // no set chosen, its list not read, or nothing to add or remove
    m_run->setText(item && item->isStep && item->step.kind == StepKind::Link ? tr("Open")
            : item && item->isStep && item->step.interactive                 ? tr("Run in terminal")
                                                                             : tr("Run"));
    m_run->setEnabled(ready && !busy);
    m_stop->setEnabled(busy && m_executor->state() == StepExecutor::State::Running);
    m_skip->setEnabled(step && !busy);
    m_copy->setEnabled(step);
}

void RunbookWizard::run()
{
    const Item* item = currentItem();
    if (!item || !item->isStep || m_executor->isBusy() || !m_runningRef.isEmpty())
        return;
    if (item->step.kind == StepKind::Link) {
        QDesktopServices::openUrl(QUrl(item->step.url));
        setState(item->ref, u"ok"_s);
        return;
    }
    if (m_incidentId == 0 && m_services.audit) {
        m_status->setText(tr("No incident is active: open one first, so that what runs is on its timeline."));
        offerIncident();
        return;
    }
    if (m_incidentInfo && !m_incidentInfo->isOpen() && m_services.audit && m_resolvedAccepted != m_incidentId) {
        m_status->setText(tr("Incident #%1 is resolved: asking before recording on it.").arg(m_incidentId));
        askResolved(*item);
        return;
    }
    startRun(*item);
}

void RunbookWizard::startRun(const Item& stepItem)
{
    const Item* item = &stepItem;
    if (m_executor->isBusy() || !m_runningRef.isEmpty())
        return;
    m_runningRef = item->ref;
    m_run->setEnabled(false); // before anything else: a double click never runs twice
    m_status->setText(item->step.kind == StepKind::Sql && item->step.risk == StepRisk::Destructive
            ? tr("Counting what this step acts on…")
            : StepExecutor::isIpSetUpdate(item->step) ? tr("Reading the IP set…")
            : StepExecutor::isLogsTail(item->step)    ? tr("Asking `aws --version` (v1 has no `logs tail`)…")
                                                      : QString());
    const StepRequest request { item->step, activeProfile(), values(), m_incidentId,
        u"runbook:"_s + m_runbook.title + u'#' + item->ref };
    if (!m_executor->assess(request))
        m_runningRef.clear();
    updateButtons();
}

void RunbookWizard::onFinished(const CommandOutcome& outcome, const CommandResult& process)
{
    ensureWizardPage();
    const QString ref = m_runningRef;
    m_runningRef.clear();
    if (process.started)
        m_output->finishOutput(process.out.tail, process.out.tailTruncated);
    QString status = outcome.status;
    if (!outcome.error.isEmpty())
        status += u": "_s + outcome.error;
    if (!outcome.note.isEmpty())
        status += u" ("_s + outcome.note + u')';
    if (!m_executor->notRecordedReason().isEmpty())
        status += tr(" — not recorded on the timeline");
    m_status->setText(status);
    if (!outcome.outputPath.isEmpty())
        m_output->showNote(tr("Full output: %1 (SHA-256 %2)").arg(outcome.outputPath, outcome.sha256.left(16)));
    for (const Item& i : std::as_const(m_items)) {
        if (i.ref == ref && process.started && !process.out.tailTruncated && process.out.tail.trimmed().startsWith('{'))
            m_json.insert(i.step.ref, process.out.tail);
    }
    m_finished.insert(ref, outcome);
    setState(ref, outcome.status);
    updateButtons();
    Q_EMIT stepFinished(ref, outcome);
    if (m_ipSet && outcome.status == u"ok" && currentRef() == ref)
        m_ipSet->chooseSet(m_ipSet->selectedName()); // the list as it is now; the ticks start afresh
    if (StepExecutor::isLockConflict(outcome) && m_runningRef.isEmpty() && !m_executor->isBusy()) {
        // The IP set changed between the read and the update: nothing was changed. Read it again and ask again with
        // the new list before → after (never a blind retry).
        m_runningRef = ref;
        m_status->setText(tr("The IP set changed since it was read (WAFOptimisticLockException); nothing was "
                             "changed. Reading it again: check the new list before → after."));
        if (!m_executor->reassess())
            m_runningRef.clear();
        updateButtons();
    }
}

void RunbookWizard::skip()
{
    const Item* item = currentItem();
    if (!item || !item->isStep)
        return;
    setState(item->ref, u"skipped"_s);
    if (m_list->currentRow() + 1 < m_list->count())
        m_list->setCurrentRow(m_list->currentRow() + 1);
}

void RunbookWizard::copy()
{
    if (QClipboard* clipboard = QGuiApplication::clipboard())
        clipboard->setText(m_command->toPlainText());
    m_status->setText(tr("Copied the command."));
}

void RunbookWizard::setState(const QString& ref, const QString& state)
{
    if (ref.isEmpty())
        return;
    m_states.insert(ref, state);
    updateItemLabels();
}

void RunbookWizard::setParameter(const QString& name, const QString& value)
{
    if (QComboBox* editor = m_editors.value(name))
        editor->setEditText(value);
}

QString RunbookWizard::parameterReason(const QString& name) const
{
    const QLabel* reason = m_reasons.value(name);
    return reason ? reason->text() : QString();
}

// Both are empty until the page is built (as they were before anything was opened).
QString RunbookWizard::commandText() const { return m_command ? m_command->toPlainText() : QString(); }
QString RunbookWizard::statusText() const { return m_status ? m_status->text() : QString(); }

#include "moc_runbookwizard.cpp"
