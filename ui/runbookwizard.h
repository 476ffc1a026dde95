// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/runbook.h"
#include "models/timelineevent.h"
#include "services/consoleservices.h"
#include "services/stepexecutor.h"
#include "ui/ipseteditor.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <optional>

class QComboBox;
class QFormLayout;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QMessageBox;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class RunbookPicker;
class StepOutputView;

// The guided runbook: overview (alert, severity, symptoms) → diagnosis → choice of a resolution option → its
// steps → verify (the diagnosis again) → post-incident checklist. Each step shows the exact command as it will
// run for the active environment, its risk, typed parameter editors validated live (prefilled from earlier
// results), and Run / Stop / Skip / Copy; Run asks by risk (ConfirmationDialog) and the StepExecutor runs it,
// recording command.started / command.finished on the active incident's timeline. The steps' states are rebuilt
// from those events when an incident is set (runs are resumable): a finished step shows its outcome and the tail of
// the output file its command.finished event names; a start without an end is "outcome unknown". The post-incident
// checklist's ticks are runbook.checklist events on the same timeline, so reopening the runbook shows them ticked.
// Every step runs for the incident named on the step page (stepIncident); without one, Run offers to open one
// (incidentRequested), and on a resolved one it asks first (resolvedIncidentQuestion). The place (runbook, option,
// page) is given back by place() and restored after a restart by restorePlace(). Lives on the GUI thread; does not
// own the services.
class RunbookWizard : public QWidget {
    Q_OBJECT
public:
    explicit RunbookWizard(const ConsoleServices& services, QWidget* parent = nullptr);
    ~RunbookWizard() override;

    // Opens the library's runbook of that title (false when there is none: the picker stays, with a message).
    bool openRunbook(const QString& title);
    // One catalogue command on its own.
    void openCatalogueStep(const RunbookStep& step);
    void showPicker();
    // The active incident (0: none): the steps' states are rebuilt from its events.
    void setIncident(qint64 incidentId);
    // The same with what the step page names (title, severity, status); a new value of the same incident (its
    // status changed) only updates the name.
    void setIncident(const std::optional<Incident>& incident);
    qint64 incident() const { return m_incidentId; }
    QString incidentText() const; // the step page's "For incident #12 — …" line

    // Where the wizard is, to be found again after a restart: a library runbook, its option and page, for which
    // incident, and when (wall ms). An empty runbook: the picker (or a catalogue command) is shown.
    struct Place {
        QString runbook;
        int option = 0;
        QString item;
        qint64 incident = 0;
        qint64 atMs = 0;
    };
    Place place() const;
    // After a restart, once the active incident is known: opens the runbook and page of saved when it was left
    // for that incident, or the runbook and step of the incident's last runbook command (its command.started
    // events; else its alert.fired's runbook) when those are newer (the console did not quit cleanly). Waits for
    // the library's first load; does nothing once something else was opened. → placeRestored().
    void restorePlace(const Place& saved, qint64 incidentId);

    QString runbookTitle() const { return m_runbook.title; }
    // The rows of the step list: "overview", "diagnosis/0", "option", "resolution/0/1", "verify/0", "checklist".
    QStringList itemRefs() const;
    bool selectItem(const QString& ref);
    QString currentRef() const;
    RunbookStep stepAt(const QString& ref) const; // the step of that row (a Manual one for a row without a step)
    bool chooseOption(int index);
    QString stepState(const QString& ref) const; // "", "running", "ok", "failed", "stopped", "skipped", "unknown"
    void setParameter(const QString& name, const QString& value);
    QString parameterReason(const QString& name) const; // why the value is refused; empty when valid

    StepExecutor* executor() const { return m_executor; }
    RunbookPicker* picker() const { return m_picker; }
    // The step page's widgets (built on first use: asking for one builds the page).
    StepOutputView* output() const { return built(m_output); }
    QPushButton* runButton() const { return built(m_run); }
    QPushButton* stopButton() const { return built(m_stop); }
    QPushButton* skipButton() const { return built(m_skip); }
    QPushButton* copyButton() const { return built(m_copy); }
    // The WAF step's editor while a `wafv2 update-ip-set` step is shown (objectName wafEditor), else null.
    IpSetEditor* ipSetEditor() const { return m_ipSet; }
    QStringList offenders() const { return m_offenders; } // from "Check top offending IPs", top first
    QString commandText() const; // as shown
    QString statusText() const;

Q_SIGNALS:
    // No incident is active and the operator agreed to open one for this runbook.
    void incidentRequested(Severity severity, const QString& title);
    void stepFinished(const QString& ref, const CommandOutcome& outcome);
    void placeRestored(const QString& runbook, const QString& item);

private:
    struct Item {
        QString ref; // see itemRefs()
        QString label;
        RunbookStep step; // Step items
        bool isStep = false;
    };
    // Page 1 (the steps) is built on first need, not at start: the picker is what the first frame shows.
    void ensureWizardPage();
    bool hasWizardPage() const { return m_list != nullptr; }
    // One of the step page's members once the page is built (const, like the plain pointers it stands for).
    template <typename T> T* built(T* const& member) const
    {
        const_cast<RunbookWizard*>(this)->ensureWizardPage();
        return member;
    }
    void rebuildItems();
    void showItem(int row);
    void showStep(const Item& item);
    void refreshPrepared();
    void updateButtons();
    void updateItemLabels();
    EnvironmentProfile activeProfile() const;
    QMap<QString, QString> values() const;
    const Item* currentItem() const;
    void run();
    void startRun(const Item& item);
    void offerIncident(); // the question "No incident is active. Open one…?" (one at a time)
    void askResolved(const Item& item); // the question before recording on a resolved incident
    void updateIncidentLabel();
    void decideRestore(const QList<TimelineEvent>& events);
    void applyRestore();
    void skip();
    void copy();
    void setState(const QString& ref, const QString& state);
    void onEventsLoaded(quint64 requestId, qint64 incidentId, const QList<TimelineEvent>& events);
    void onFinished(const CommandOutcome& outcome, const CommandResult& process);
    void fillChecklist();
    void onChecklistChanged(QListWidgetItem* item);
    void showSavedOutput(const QString& ref);
    QStringList prefillValues(const RunbookParameter& parameter) const;
    // Prefills from runs of an earlier session: reads the saved output of the steps step's parameters are
    // prefilled from, when only the timeline has them, off the GUI thread; then offers their values.
    void loadSavedResults(const RunbookStep& step);
    void offerPrefills(const QString& sourceRef);

    ConsoleServices m_services;
    StepExecutor* m_executor;
    Runbook m_runbook;
    int m_option = 0;
    QList<Item> m_items;
    QHash<QString, QString> m_states; // ref → state
    QHash<QString, QMap<QString, QStringList>> m_results; // step ref → column/field → values
    QHash<QString, QByteArray> m_json; // step ref → JSON answer
    QHash<QString, CommandOutcome> m_finished; // item ref → its last finished run (live or from the timeline)
    QHash<QString, bool> m_checked; // post-incident checklist: item text → ticked (saved as runbook.checklist)
    bool m_fillingChecklist = false;
    quint64 m_savedOutputRead = 0; // the latest read of a saved output file (older answers are dropped)
    QHash<QString, QString> m_lastRunOfStep; // step ref → item ref of its last finished run in the timeline
    QSet<QString> m_resultReads; // step refs whose saved output is being read for prefills
    quint64 m_resultsGeneration = 0; // bumped when m_results is cleared: older reads are dropped
    QString m_runningRef;
    qint64 m_incidentId = 0;
    std::optional<Incident> m_incidentInfo; // what the step page names (nullopt: only the id is known)
    qint64 m_resolvedAccepted = 0; // a resolved incident the operator agreed to record on
    QPointer<QMessageBox> m_incidentOffer;
    QPointer<QMessageBox> m_resolvedQuestion;
    quint64 m_eventsRequest = 0;
    bool m_libraryRunbook = false; // m_runbook is the library's (not a catalogue command)
    quint64 m_opened = 0; // bumped by every open or picker: a restore does not replace what was opened since
    struct Restore {
        Place saved;
        qint64 incident = 0;
        quint64 opened = 0;
        quint64 eventsRequest = 0;
        Place target; // decided
        bool waitingForLibrary = false;
    };
    std::optional<Restore> m_restore;

    QStackedWidget* m_stack;
    RunbookPicker* m_picker;
    QLabel* m_pickerMessage;
    // Page 1: null until ensureWizardPage().
    QLabel* m_overview = nullptr;
    QListWidget* m_list = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_stepIncident = nullptr;
    QLabel* m_meta = nullptr;
    QLabel* m_problems = nullptr; // what keeps the step from running, under the buttons (they do not move)
    QPlainTextEdit* m_command = nullptr;
    QWidget* m_parameters = nullptr;
    QFormLayout* m_parameterForm = nullptr;
    QHash<QString, QComboBox*> m_editors;
    QHash<QString, QLabel*> m_reasons;
    QComboBox* m_options = nullptr;
    QListWidget* m_checklist = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_skip = nullptr;
    QPushButton* m_copy = nullptr;
    QLabel* m_status = nullptr;
    StepOutputView* m_output = nullptr;
    // The WAF step (issue 16, finding 3) and the console's answers beside diagnosis steps (finding 7).
    QPointer<IpSetEditor> m_ipSet;
    QString m_ipSetRef; // the item whose editor it is
    QStringList m_offenders;
    QHash<QString, QString> m_answerRefs; // run id → item ref
    QHash<QString, StepAnswer> m_answers; // item ref → the answer of its last run
    void showIpSetEditor(const RunbookStep& step);
};
