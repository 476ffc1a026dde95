// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "services/postmortemdrafts.h"

#include <QHash>
#include <QObject>
#include <QPointer>

class MainWindow;
class PostmortemEditor;
class QAction;
class QMenu;
class QMessageBox;
class StoreClient;

// Wires post-mortems into the main window: the "Write Post-Mortem…" action of the active incident (enabled once
// it is resolved, the flow's "Document" step, and offered then), and at start-up the offer to restore orphaned
// drafts (PostmortemDrafts::orphans) byte for byte. GUI thread; a child of the window; editors are top-level
// windows it tracks (one per incident).
class PostmortemLauncher : public QObject {
    Q_OBJECT
public:
    PostmortemLauncher(MainWindow* window, StoreClient* store, QMenu* menu);

    QAction* action() const { return m_action; }
    // Opens (or raises) the editor of incident; restored: an orphaned draft's bytes.
    PostmortemEditor* openEditor(const Incident& incident, std::optional<QByteArray> restored = std::nullopt);
    PostmortemEditor* editor(qint64 incidentId) const;
    // Closes every editor (each keeps its draft for the next start): the main window is closing.
    void closeEditors();
    QMessageBox* restoreOffer() const { return m_offer; } // the open restore question, if any (tests)
    QString draftsFolder() const { return m_folder; }
    void setDraftsFolder(const QString& folder) { m_folder = folder; }

Q_SIGNALS:
    void editorOpened(PostmortemEditor* editor);

private:
    void update();
    void offerNextOrphan();

    MainWindow* m_window;
    StoreClient* m_store;
    QAction* m_action;
    QString m_folder;
    QHash<qint64, QPointer<PostmortemEditor>> m_editors;
    QHash<qint64, Incident> m_known; // incidents, for the orphan offers
    QList<PostmortemDrafts::Orphan> m_orphans; // found at start-up, not yet offered
    quint64 m_incidentsRequest = 0;
    QPointer<QMessageBox> m_offer;
    bool m_orphansOffered = false;
};
