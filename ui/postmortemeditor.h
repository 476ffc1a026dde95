// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/postmortemdraft.h"
#include "models/timelineevent.h"
#include "services/postmortemdrafts.h"

#include <QTimeZone>
#include <QWidget>

#include <optional>

class ActionItemModel;
class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTableView;
class QTextBrowser;
class QTimer;
class StoreClient;
struct StoreError;

// The post-mortem editor of one incident, a window of its own: Markdown source and live preview side by side, the
// incident's events to insert into the Timeline, the action items table. Loads the stored post-mortem (or builds
// the first draft from the timeline), autosaves every few seconds to a locked draft file (PostmortemDrafts),
// saves into the store (StoreClient::savePostmortem) and exports a .md file atomically. GUI thread; the store must
// outlive it.
class PostmortemEditor : public QWidget {
    Q_OBJECT
public:
    // restored: an orphaned draft's bytes to start from instead of the stored document.
    PostmortemEditor(StoreClient* store, const Incident& incident, const QString& draftsFolder,
        std::optional<QByteArray> restored = std::nullopt, QWidget* parent = nullptr);
    ~PostmortemEditor() override;

    void setAutosaveInterval(int ms); // default 3000 ms
    QString markdown() const;
    void setMarkdown(const QString& text);
    bool isLoaded() const { return m_loaded; }
    QTimeZone timeZone() const { return m_zone; }
    void setTimeZone(const QTimeZone& zone);
    ActionItemModel* actionItems() const { return m_items; }
    QListWidget* eventList() const { return m_events; }
    QTextBrowser* preview() const { return m_preview; }
    QString statusText() const;

public Q_SLOTS:
    void insertSelectedEvents(); // into "## Timeline"
    void saveToStore();
    // Writes path atomically off the GUI thread; exported() tells how it went (a failure is shown, the draft kept).
    void exportTo(const QString& path);
    void exportInteractively(); // asks for a file (non-modal)
    // Queues an autosave of the draft if it changed (false: nothing to save, or autosave is off); autosaved()
    // follows once it is on disk.
    bool autosaveNow();

Q_SIGNALS:
    void loaded();
    void autosaved(const QString& draftPath);
    void autosaveFailed(const QString& message);
    void exported(bool ok, const QString& pathOrError);
    void savedToStore();
    void saveFailed(const QString& message);

private:
    void maybeFinishLoading();
    void updatePreview(); // the source as laid out for export (PostmortemExport::forLayout)
    void showStatus(const QString& text, bool error = false);
    void rebuildEventList();

    StoreClient* m_store;
    Incident m_incident;
    PostmortemDrafts m_drafts;
    std::optional<QByteArray> m_restored;
    std::optional<PostmortemRecord> m_record;
    QList<TimelineEvent> m_timeline;
    bool m_recordLoaded = false;
    bool m_eventsLoaded = false;
    bool m_loaded = false;
    bool m_dirty = false; // changed since the last save into the store
    bool m_draftDirty = false; // changed since the last autosave
    quint64 m_recordRequest = 0;
    quint64 m_eventsRequest = 0;
    QTimeZone m_zone;

    QPlainTextEdit* m_source = nullptr;
    QTextBrowser* m_preview = nullptr;
    QListWidget* m_events = nullptr;
    QTableView* m_table = nullptr;
    ActionItemModel* m_items = nullptr;
    QComboBox* m_zoneBox = nullptr;
    QLabel* m_status = nullptr;
    QTimer* m_autosave = nullptr;
    QTimer* m_previewTimer = nullptr;
};
