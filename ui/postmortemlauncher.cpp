// SPDX-License-Identifier: MIT
#include "ui/postmortemlauncher.h"

#include "services/backgroundio.h"
#include "services/postmortemdrafts.h"
#include "services/storeclient.h"
#include "ui/mainwindow.h"
#include "ui/postmortemeditor.h"

#include <QAbstractButton>
#include <QAction>
#include <QFile>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

using namespace Qt::StringLiterals;

PostmortemLauncher::PostmortemLauncher(MainWindow* window, StoreClient* store, QMenu* menu)
    : QObject(window)
    , m_window(window)
    , m_store(store)
    , m_folder(PostmortemDrafts::defaultFolder())
{
    m_action = menu->addAction(tr("Write &Post-Mortem…"), this, [this] {
        if (const std::optional<Incident> incident = m_window->activeIncident())
            openEditor(*incident);
    });
    m_action->setObjectName(u"actionPostmortem"_s);
    m_action->setToolTip(tr("The flow's Document step: a post-mortem drafted from the incident's timeline"));
    connect(m_window, &MainWindow::activeIncidentChanged, this, &PostmortemLauncher::update);
    connect(m_store, &StoreClient::incidentChanged, this, [this](const Incident& incident) {
        m_known.insert(incident.id, incident);
        update();
        if (!incident.isOpen() && incident.id == m_window->activeIncident().value_or(Incident {}).id
            && incident.lastSeq > 0 && !m_editors.value(incident.id))
            m_window->statusBar()->showMessage(
                tr("Incident %1 is resolved. Next, Document: Incident → Write Post-Mortem…").arg(incident.id), 15000);
    });
    connect(m_store, &StoreClient::opened, this, [this] {
        // The drafts folder is read (and each lock tried) off the GUI thread.
        BackgroundIo::run(
            this, [folder = m_folder] { return PostmortemDrafts::orphans(folder); },
            [this](const QList<PostmortemDrafts::Orphan>& orphans) {
                m_orphans = orphans;
                if (!m_orphans.isEmpty())
                    m_incidentsRequest = m_store->requestIncidents(IncidentStore::Filter::All);
            });
    });
    connect(m_store, &StoreClient::incidentsLoaded, this, [this](quint64 request, const QList<Incident>& incidents) {
        for (const Incident& i : incidents)
            m_known.insert(i.id, i);
        if (request == m_incidentsRequest && !m_orphansOffered) {
            m_orphansOffered = true;
            offerNextOrphan();
        }
    });
    update();
}

PostmortemEditor* PostmortemLauncher::editor(qint64 incidentId) const { return m_editors.value(incidentId); }

void PostmortemLauncher::closeEditors()
{
    for (const QPointer<PostmortemEditor>& editor : std::as_const(m_editors)) {
        if (editor)
            editor->close();
    }
}

void PostmortemLauncher::update()
{
    const std::optional<Incident> incident = m_window->activeIncident();
    m_action->setEnabled(incident.has_value());
}

PostmortemEditor* PostmortemLauncher::openEditor(const Incident& incident, std::optional<QByteArray> restored)
{
    if (PostmortemEditor* open = m_editors.value(incident.id)) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto* editor = new PostmortemEditor(m_store, incident, m_folder, std::move(restored));
    m_editors.insert(incident.id, editor);
    editor->show();
    Q_EMIT editorOpened(editor);
    return editor;
}

void PostmortemLauncher::offerNextOrphan()
{
    while (!m_orphans.isEmpty()) {
        const PostmortemDrafts::Orphan orphan = m_orphans.takeFirst();
        if (!m_known.contains(orphan.incidentId) || m_editors.value(orphan.incidentId))
            continue;
        const Incident incident = m_known.value(orphan.incidentId);
        auto* box = new QMessageBox(QMessageBox::Question, tr("Restore post-mortem draft"),
            tr("An autosaved post-mortem draft of incident %1 (%2) was not saved before the console stopped.\n\n"
               "Restore it?")
                .arg(incident.id)
                .arg(incident.title),
            QMessageBox::NoButton, m_window);
        box->setObjectName(u"postmortemRestoreOffer"_s);
        QPushButton* restore = box->addButton(tr("Restore"), QMessageBox::AcceptRole);
        restore->setObjectName(u"restoreDraft"_s);
        QPushButton* discard = box->addButton(tr("Discard"), QMessageBox::DestructiveRole);
        discard->setObjectName(u"discardDraft"_s);
        box->addButton(tr("Later"), QMessageBox::RejectRole);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::buttonClicked, this, [this, restore, discard, orphan, incident](QAbstractButton* b) {
            if (b == restore)
                openEditor(incident, orphan.bytes);
            else if (b == discard)
                BackgroundIo::run([path = orphan.path] { QFile::remove(path); });
            if (b == restore || b == discard)
                QMetaObject::invokeMethod(this, &PostmortemLauncher::offerNextOrphan, Qt::QueuedConnection);
        });
        m_offer = box;
        box->open();
        return;
    }
}

#include "moc_postmortemlauncher.cpp"
