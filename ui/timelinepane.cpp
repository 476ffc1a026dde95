// SPDX-License-Identifier: MIT
#include "ui/timelinepane.h"

#include "models/timelinefiltermodel.h"
#include "models/timelinemodel.h"
#include "ui/eventdetailview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

TimelinePane::TimelinePane(TimelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new TimelineFilterModel(this))
    , m_kind(new QComboBox(this))
    , m_view(new QTableView(this))
    , m_note(new QLineEdit(this))
    , m_addNote(new QPushButton(tr("Add Note"), this))
    , m_search(new QLineEdit(this))
    , m_detail(new EventDetailView(this))
    , m_searchDelay(new QTimer(this))
{
    setObjectName(u"timelinePane"_s);
    m_filter->setSourceModel(model);
    m_kind->setObjectName(u"kindFilter"_s);
    m_kind->addItem(tr("All events"), QString());
    m_kind->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_view->setObjectName(u"timelineView"_s);
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setColumnWidth(
        TimelineModel::TimeColumn, m_view->fontMetrics().horizontalAdvance(u"0000-00-00 00:00:00__"_s));
    m_view->setColumnWidth(TimelineModel::SinceStartColumn, m_view->fontMetrics().horizontalAdvance(u"+00h 00m___"_s));
    m_view->setColumnWidth(
        TimelineModel::KindColumn, m_view->fontMetrics().horizontalAdvance(u"incident.acknowledged__"_s));
    m_view->setColumnWidth(TimelineModel::ActorColumn, m_view->fontMetrics().horizontalAdvance(u"operator____"_s));

    m_note->setObjectName(u"noteEditor"_s);
    m_note->setPlaceholderText(tr("Add a note to the timeline (Ctrl+M), Enter to save"));
    m_note->setMaxLength(4000);
    m_addNote->setObjectName(u"addNoteButton"_s);

    m_search->setObjectName(u"timelineSearch"_s);
    m_search->setPlaceholderText(tr("Search events and command output"));
    m_search->setClearButtonEnabled(true);

    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show:"), this));
    filterRow->addWidget(m_kind);
    filterRow->addWidget(m_search, 1);
    auto* noteRow = new QHBoxLayout;
    noteRow->addWidget(m_note, 1);
    noteRow->addWidget(m_addNote);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filterRow);
    // The chosen event's output, table and stderr under the list (issue 16, finding 6).
    auto* split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(u"timelineSplit"_s);
    split->setChildrenCollapsible(false);
    split->addWidget(m_view);
    auto* detailScroll = new QScrollArea(this); // the list keeps its room however much the detail holds
    detailScroll->setObjectName(u"eventDetailScroll"_s);
    detailScroll->setWidget(m_detail);
    detailScroll->setWidgetResizable(true);
    detailScroll->setFrameShape(QFrame::NoFrame);
    detailScroll->setMinimumHeight(fontMetrics().lineSpacing() * 4); // the window fits a 900 px screen (tst_layout)
    m_view->setMinimumHeight(m_view->verticalHeader()->defaultSectionSize() * 3);
    split->addWidget(detailScroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    layout->addLayout(noteRow);

    connect(m_note, &QLineEdit::returnPressed, this, &TimelinePane::submitNote);
    connect(m_addNote, &QPushButton::clicked, this, &TimelinePane::submitNote);
    connect(m_model, &TimelineModel::kindsChanged, this, &TimelinePane::updateKinds);
    connect(
        m_kind, &QComboBox::currentIndexChanged, this, [this] { m_filter->setKind(m_kind->currentData().toString()); });
    // Searched once typing pauses: each pass reads every loaded event's text (docs/WIZARD.md: ~85 ms for 30 M chars).
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(150);
    connect(m_searchDelay, &QTimer::timeout, this, [this] { m_filter->setSearchText(m_search->text()); });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (text.isEmpty()) {
            m_searchDelay->stop();
            m_filter->setSearchText({});
        } else {
            m_searchDelay->start();
        }
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TimelinePane::showCurrent);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &TimelinePane::showCurrent);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &TimelinePane::showCurrent);
    // Follow the newest event while the view is at the bottom, as a log does.
    connect(m_filter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        QScrollBar* bar = m_view->verticalScrollBar();
        m_followTail = bar->value() >= bar->maximum() && !m_model->canFetchMore({});
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_detailAwaitsFinish)
            showCurrent();
        if (m_followTail && !m_model->canFetchMore({}))
            m_view->scrollToBottom();
    });
}

void TimelinePane::focusNoteEditor()
{
    m_note->setFocus(Qt::ShortcutFocusReason);
    m_note->selectAll();
}

void TimelinePane::setNoteEnabled(bool enabled)
{
    m_note->setEnabled(enabled);
    m_addNote->setEnabled(enabled);
}

void TimelinePane::restoreNote(const QString& text)
{
    if (m_note->text().isEmpty())
        m_note->setText(text);
}

void TimelinePane::submitNote()
{
    const QString text = m_note->text().trimmed();
    if (text.isEmpty())
        return;
    m_note->clear();
    Q_EMIT noteSubmitted(text);
}

void TimelinePane::updateKinds()
{
    const QString current = m_kind->currentData().toString();
    const QStringList kinds = m_model->kinds();
    QSignalBlocker blocker(m_kind);
    m_kind->clear();
    m_kind->addItem(tr("All events"), QString());
    for (const QString& kind : kinds)
        m_kind->addItem(kind, kind);
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(current)));
}

void TimelinePane::showCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_detailAwaitsFinish = false;
        m_detail->clear();
        return;
    }
    const TimelineEvent e = current.data(TimelineModel::EventRole).value<TimelineEvent>();
    const auto paired = m_model->pairedRun(e);
    // A run still going: its finish, when it lands, shows in the detail at once.
    m_detailAwaitsFinish = !paired && e.kind == u"command.started"_s;
    m_detail->setEvent(e, paired);
}

#include "moc_timelinepane.cpp"
