// SPDX-License-Identifier: MIT
#include "ui/postmortemeditor.h"

#include "models/actionitemmodel.h"
#include "services/atomicfilewriter.h"
#include "services/backgroundio.h"
#include "services/postmortemexport.h"
#include "services/storeclient.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

PostmortemEditor::PostmortemEditor(StoreClient* store, const Incident& incident, const QString& draftsFolder,
    std::optional<QByteArray> restored, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_store(store)
    , m_incident(incident)
    , m_drafts(incident.id, draftsFolder)
    , m_restored(std::move(restored))
    , m_zone(QTimeZone::systemTimeZone())
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Post-mortem: %1").arg(incident.title));
    resize(1200, 800);

    m_source = new QPlainTextEdit(this);
    m_source->setObjectName(u"postmortemSource"_s);
    m_source->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_source->setEnabled(false);
    m_preview = new QTextBrowser(this);
    m_preview->setObjectName(u"postmortemPreview"_s);
    m_events = new QListWidget(this);
    m_events->setObjectName(u"postmortemEvents"_s);
    m_events->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_items = new ActionItemModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"actionItemTable"_s);
    m_table->setModel(m_items);
    m_table->horizontalHeader()->setSectionResizeMode(ActionItemModel::Text, QHeaderView::Stretch);
    m_zoneBox = new QComboBox(this);
    m_zoneBox->setEditable(true);
    for (const QByteArray& id : QTimeZone::availableTimeZoneIds())
        m_zoneBox->addItem(QString::fromUtf8(id));
    m_zoneBox->setCurrentText(QString::fromUtf8(m_zone.id()));
    m_status = new QLabel(this);
    m_status->setObjectName(u"postmortemStatus"_s);
    m_status->setWordWrap(true);

    auto* insert = new QPushButton(tr("Insert into Timeline"), this);
    auto* addItem = new QPushButton(tr("Add action item"), this);
    addItem->setObjectName(u"addActionItem"_s);
    auto* removeItem = new QPushButton(tr("Remove"), this);
    auto* save = new QPushButton(tr("&Save"), this);
    auto* exportButton = new QPushButton(tr("&Export…"), this);
    exportButton->setToolTip(tr("Markdown (.md), or HTML and PDF for people who do not read Markdown"));

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(new QLabel(tr("Events of the incident"), side));
    sideLayout->addWidget(m_events, 2);
    sideLayout->addWidget(insert);
    sideLayout->addWidget(new QLabel(tr("Action items"), side));
    sideLayout->addWidget(m_table, 1);
    auto* itemButtons = new QHBoxLayout;
    itemButtons->addWidget(addItem);
    itemButtons->addWidget(removeItem);
    sideLayout->addLayout(itemButtons);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_source);
    splitter->addWidget(m_preview);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Times in"), this));
    top->addWidget(m_zoneBox);
    top->addStretch();
    top->addWidget(save);
    top->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    m_autosave = new QTimer(this);
    m_autosave->setInterval(3000);
    connect(m_autosave, &QTimer::timeout, this, &PostmortemEditor::autosaveNow);
    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(200);
    connect(m_previewTimer, &QTimer::timeout, this, &PostmortemEditor::updatePreview);
    connect(m_source, &QPlainTextEdit::textChanged, this, [this] {
        m_dirty = true;
        m_draftDirty = true;
        m_previewTimer->start();
    });
    connect(m_items, &ActionItemModel::itemsEdited, this, [this] {
        setMarkdown(PostmortemDraft::replaceSection(
            markdown(), u"Action Items"_s, PostmortemDraft::actionItemsBody(m_items->items())));
    });
    connect(m_zoneBox, &QComboBox::currentTextChanged, this, [this](const QString& id) {
        const QTimeZone zone(id.toUtf8());
        if (zone.isValid() && zone != m_zone) {
            m_zone = zone;
            m_dirty = true;
            rebuildEventList();
        }
    });
    connect(insert, &QPushButton::clicked, this, &PostmortemEditor::insertSelectedEvents);
    connect(m_events, &QListWidget::itemDoubleClicked, this, &PostmortemEditor::insertSelectedEvents);
    connect(addItem, &QPushButton::clicked, this, [this] {
        const int row = m_items->addItem();
        const QModelIndex text = m_items->index(row, ActionItemModel::Text);
        m_table->setCurrentIndex(text); // Tab goes on from here to Owner and Due (it went on from another row)
        m_table->edit(text);
    });
    connect(removeItem, &QPushButton::clicked, this, [this] { m_items->removeItem(m_table->currentIndex().row()); });
    connect(save, &QPushButton::clicked, this, &PostmortemEditor::saveToStore);
    connect(exportButton, &QPushButton::clicked, this, &PostmortemEditor::exportInteractively);

    QString lockError;
    if (!m_drafts.acquire(&lockError))
        showStatus(lockError + u' ' + tr("Autosave is off in this window."), true);

    connect(m_store, &StoreClient::postmortemLoaded, this,
        [this](quint64 request, qint64, const PostmortemRecord& record, bool found) {
            if (request != m_recordRequest)
                return;
            if (found)
                m_record = record;
            m_recordLoaded = true;
            maybeFinishLoading();
        });
    connect(
        m_store, &StoreClient::eventsLoaded, this, [this](quint64 request, qint64, const QList<TimelineEvent>& events) {
            if (request != m_eventsRequest)
                return;
            m_timeline = events;
            m_eventsLoaded = true;
            maybeFinishLoading();
        });
    connect(m_store, &StoreClient::eventsAppended, this, [this](const QList<TimelineEvent>& events) {
        if (!m_eventsLoaded)
            return;
        for (const TimelineEvent& e : events)
            if (e.incidentId == m_incident.id && (m_timeline.isEmpty() || e.seq > m_timeline.last().seq))
                m_timeline.append(e);
        rebuildEventList();
    });
    connect(m_store, &StoreClient::postmortemSaved, this, [this](const PostmortemRecord& record) {
        if (record.incidentId != m_incident.id)
            return;
        if (record.markdown == markdown()) {
            m_dirty = false;
            m_drafts.discard(); // safe in the store now
        }
        showStatus(tr("Saved with incident %1 at %2.")
                       .arg(m_incident.id)
                       .arg(QDateTime::fromMSecsSinceEpoch(record.updatedMs, m_zone).toString(u"HH:mm:ss"_s)));
        Q_EMIT savedToStore();
    });
    connect(m_store, &StoreClient::writeFailed, this, [this](const QString& what, const StoreError& error) {
        if (!what.contains(tr("post-mortem")))
            return;
        showStatus(tr("%1 failed: %2 The draft is kept.").arg(what, error.message), true);
        Q_EMIT saveFailed(error.message);
    });
    m_recordRequest = m_store->requestPostmortem(m_incident.id);
    m_eventsRequest = m_store->requestEvents(m_incident.id, 0, -1);
    showStatus(tr("Loading…"));
}

PostmortemEditor::~PostmortemEditor()
{
    if (m_loaded && m_dirty)
        autosaveNow(); // if changed since the last one // the draft stays for the next start
}

void PostmortemEditor::maybeFinishLoading()
{
    if (!m_recordLoaded || !m_eventsLoaded || m_loaded)
        return;
    if (m_record && QTimeZone(m_record->timeZone.toUtf8()).isValid()) {
        m_zone = QTimeZone(m_record->timeZone.toUtf8());
        m_zoneBox->setCurrentText(m_record->timeZone);
    }
    if (m_record)
        m_items->setItems(m_record->actionItems);
    if (m_restored) {
        m_source->setPlainText(QString::fromUtf8(*m_restored));
        showStatus(tr("Restored the autosaved draft. Save to keep it with the incident."));
    } else if (m_record && !m_record->markdown.isEmpty()) {
        m_source->setPlainText(m_record->markdown);
        showStatus(tr("Opened the post-mortem saved with incident %1.").arg(m_incident.id));
    } else {
        m_source->setPlainText(PostmortemDraft::build(m_incident, m_timeline, m_items->items(), m_zone));
        showStatus(tr("First draft from the incident's timeline."));
    }
    m_dirty = bool(m_restored);
    m_draftDirty = bool(m_restored);
    m_source->setEnabled(true);
    updatePreview();
    rebuildEventList();
    m_loaded = true;
    if (m_drafts.isHeld())
        m_autosave->start();
    Q_EMIT loaded();
}

void PostmortemEditor::rebuildEventList()
{
    m_events->clear();
    for (const PostmortemTimelineLine& line : PostmortemDraft::timelineLines(m_timeline)) {
        const QString time = QDateTime::fromMSecsSinceEpoch(line.timeMs, m_zone).toString(u"HH:mm"_s);
        auto* item = new QListWidgetItem(time + u"  "_s + line.text, m_events);
        item->setToolTip(
            line.inDraft ? tr("In the first draft") : tr("Not in the first draft: insert it if it matters"));
        item->setData(Qt::UserRole, line.toMarkdown(m_zone));
    }
}

void PostmortemEditor::setAutosaveInterval(int ms) { m_autosave->setInterval(ms); }

QString PostmortemEditor::markdown() const { return m_source->toPlainText(); }

void PostmortemEditor::updatePreview() { m_preview->setMarkdown(PostmortemExport::forLayout(m_source->toPlainText())); }

void PostmortemEditor::setMarkdown(const QString& text)
{
    if (text != m_source->toPlainText())
        m_source->setPlainText(text);
}

void PostmortemEditor::setTimeZone(const QTimeZone& zone) { m_zoneBox->setCurrentText(QString::fromUtf8(zone.id())); }

QString PostmortemEditor::statusText() const { return m_status->text(); }

void PostmortemEditor::showStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #b00020; font-weight: bold"_s : QString());
}

void PostmortemEditor::insertSelectedEvents()
{
    QString text = markdown();
    for (int row = 0; row < m_events->count(); ++row)
        if (m_events->item(row)->isSelected())
            text = PostmortemDraft::appendToSection(
                text, u"Timeline"_s, m_events->item(row)->data(Qt::UserRole).toString());
    setMarkdown(text);
}

bool PostmortemEditor::autosaveNow()
{
    if (!m_loaded || !m_draftDirty || !m_drafts.isHeld())
        return false;
    m_draftDirty = false;
    m_drafts.save(markdown().toUtf8(), this, [this](bool ok, const QString& error) {
        if (ok) {
            Q_EMIT autosaved(m_drafts.path());
            return;
        }
        m_draftDirty = true; // try again at the next tick
        showStatus(error, true);
        Q_EMIT autosaveFailed(error);
    });
    return true;
}

void PostmortemEditor::saveToStore()
{
    if (!m_loaded)
        return;
    autosaveNow(); // the draft holds it until the store says it is saved
    PostmortemRecord record;
    record.incidentId = m_incident.id;
    record.markdown = markdown();
    record.actionItems = m_items->items();
    record.timeZone = QString::fromUtf8(m_zone.id());
    m_store->savePostmortem(record);
    showStatus(tr("Saving…"));
}

void PostmortemEditor::exportTo(const QString& path)
{
    autosaveNow();
    showStatus(tr("Exporting to %1…").arg(path));
    BackgroundIo::run(
        this,
        [path, text = markdown(), title = PostmortemExport::documentTitle(m_incident.id)] {
            QString error;
            const QByteArray bytes = PostmortemExport::render(text, PostmortemExport::formatFor(path), title);
            return AtomicFileWriter::write(path, bytes, &error) ? QString() : error;
        },
        [this, path](const QString& error) {
            if (!error.isEmpty()) {
                showStatus(error + u' ' + tr("The draft is kept."), true);
                auto* box = new QMessageBox(QMessageBox::Warning, tr("Export failed"),
                    error + u"\n\n"_s + tr("The draft is kept."), QMessageBox::Ok, this);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
                Q_EMIT exported(false, error);
                return;
            }
            showStatus(tr("Exported to %1.").arg(path));
            Q_EMIT exported(true, path);
        });
}

void PostmortemEditor::exportInteractively()
{
    auto* dialog
        = new QFileDialog(this, tr("Export post-mortem"), QString(), tr("Markdown (*.md);;HTML (*.html);;PDF (*.pdf)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"md"_s);
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString& filter) {
        dialog->setDefaultSuffix(filter.contains(u"*.pdf"_s) ? u"pdf"_s
                : filter.contains(u"*.html"_s)               ? u"html"_s
                                                             : u"md"_s);
    });
    // In the operator's documents (it opened in the current folder: the source tree when started from it).
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QFileInfo(folder).isDir())
        folder = QDir::homePath();
    dialog->setObjectName(u"postmortemExportDialog"_s);
    dialog->setDirectory(folder);
    dialog->selectFile(folder + u"/postmortem-incident-%1.md"_s.arg(m_incident.id));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& file) { exportTo(file); });
    dialog->open();
}

#include "moc_postmortemeditor.cpp"
