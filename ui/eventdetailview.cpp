// SPDX-License-Identifier: MIT
#include "ui/eventdetailview.h"

#include "models/commandaudit.h"
#include "services/backgroundio.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
QPlainTextEdit* textBox(const QString& name, int lines, QWidget* parent)
{
    auto* box = new QPlainTextEdit(parent);
    box->setObjectName(name);
    box->setReadOnly(true);
    box->setLineWrapMode(QPlainTextEdit::NoWrap);
    box->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    box->setMaximumHeight(box->fontMetrics().lineSpacing() * lines + 12);
    return box;
}

// As tall as its text, up to maxLines (then it scrolls).
void fit(QPlainTextEdit* box, int maxLines)
{
    const int lines = std::clamp(int(box->toPlainText().count(u'\n')) + 1, 1, maxLines);
    box->setFixedHeight(box->fontMetrics().lineSpacing() * lines + 2 * box->frameWidth() + 10);
}

QString valueText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    if (v.isBool())
        return v.toBool() ? u"true"_s : u"false"_s;
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    return {};
}
} // namespace

EventDetailView::EventDetailView(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_meta(new QLabel(this))
    , m_commandLabel(new QLabel(tr("Command:"), this))
    , m_command(textBox(u"eventDetailCommand"_s, 4, this))
    , m_outputLabel(new QLabel(tr("Output (first lines):"), this))
    , m_output(textBox(u"eventDetailOutput"_s, 10, this))
    , m_table(new QTableWidget(this))
    , m_stderrLabel(new QLabel(tr("stderr:"), this))
    , m_stderr(textBox(u"eventDetailStderr"_s, 8, this))
    , m_note(new QLabel(this))
    , m_openOutput(new QPushButton(tr("Open Whole Output"), this))
    , m_openStderr(new QPushButton(tr("Open stderr File"), this))
    , m_open([](const QString& path) { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); })
{
    setObjectName(u"eventDetail"_s);
    m_title->setObjectName(u"eventDetailTitle"_s);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_meta->setObjectName(u"eventDetailMeta"_s);
    m_meta->setWordWrap(true);
    m_meta->setTextFormat(Qt::PlainText);
    m_meta->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setObjectName(u"eventDetailTable"_s);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setMinimumHeight(m_table->verticalHeader()->defaultSectionSize() * 9); // readable when scrolled to
    m_stderrLabel->setObjectName(u"eventDetailStderrLabel"_s);
    m_note->setObjectName(u"eventDetailNote"_s);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    m_openOutput->setObjectName(u"eventDetailOpenOutput"_s);
    m_openStderr->setObjectName(u"eventDetailOpenStderr"_s);
    connect(m_openOutput, &QPushButton::clicked, this, [this] { openFile(m_outputPath); });
    connect(m_openStderr, &QPushButton::clicked, this, [this] { openFile(m_stderrPath); });

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_openOutput);
    buttons->addWidget(m_openStderr);
    buttons->addStretch(1);
    auto* layout = m_layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_meta);
    layout->addWidget(m_outputLabel);
    layout->addWidget(m_output);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_stderrLabel);
    layout->addWidget(m_stderr);
    layout->addWidget(m_note);
    layout->addLayout(buttons);
    layout->addWidget(m_commandLabel);
    layout->addWidget(m_command);
    layout->addStretch(0);
    clear();
}

void EventDetailView::clear()
{
    m_title->setText(tr("Select an event to see what happened: a command's output, its result table, its stderr."));
    for (QWidget* w : std::initializer_list<QWidget*> { m_meta, m_commandLabel, m_command, m_outputLabel, m_output,
             m_table, m_stderrLabel, m_stderr, m_note, m_openOutput, m_openStderr })
        w->hide();
    m_outputPath.clear();
    m_stderrPath.clear();
}

void EventDetailView::setEvent(const TimelineEvent& event, const std::optional<TimelineEvent>& paired)
{
    clear();
    m_title->setText(event.summary);
    const QString when = QDateTime::fromMSecsSinceEpoch(event.timeMs).toString(u"yyyy-MM-dd HH:mm:ss"_s);
    QString meta = u"%1 · %2 · %3"_s.arg(when, event.kind, event.actor);

    const bool isStarted = event.kind == QStringView(AuditKind::Started);
    const bool isFinished = event.kind == QStringView(AuditKind::Finished);
    if (!isStarted && !isFinished) {
        // Any other event: its detail as lines.
        QStringList lines;
        for (auto it = event.detail.begin(); it != event.detail.end(); ++it)
            lines.append(it.key() + u": "_s + valueText(it.value()));
        m_meta->setText(meta);
        m_meta->show();
        if (!lines.isEmpty()) {
            m_outputLabel->setText(tr("Detail:"));
            m_output->setPlainText(lines.join(u'\n'));
            fit(m_output, 12);
            m_outputLabel->show();
            m_output->show();
        }
        return;
    }
    const std::optional<TimelineEvent> started = isStarted ? std::optional(event) : paired;
    const std::optional<TimelineEvent> finished = isFinished ? std::optional(event) : paired;
    if (started) {
        const CommandAudit a = CommandAudit::fromJson(started->detail);
        meta += u" · "_s + tr("%1 in %2, confirmation %3").arg(a.risk, a.environment, a.confirmation);
        m_command->setPlainText(a.command);
        fit(m_command, 4);
        m_commandLabel->show();
        m_command->show();
    }
    if (!finished) {
        m_meta->setText(meta + u"\n"_s + tr("No finish recorded yet (still running, or its outcome is unknown)."));
        m_meta->show();
        return;
    }
    const CommandOutcome o = CommandOutcome::fromJson(finished->detail);
    if (isStarted)
        m_title->setText(event.summary + u"\n"_s + finished->summary);
    meta += u"\n"_s + tr("Status %1").arg(o.status);
    if (o.exitCode >= 0)
        meta += u", "_s + tr("exit %1").arg(o.exitCode);
    meta += u", "_s + tr("%1 s").arg(QString::number(o.durationMs / 1000.0, 'f', 1));
    if (o.rows >= 0)
        meta += u", "_s + tr("%n row(s)", nullptr, int(o.rows));
    m_meta->setText(meta);
    m_meta->show();
    const bool failed = o.status != u"ok"_s;

    if (!o.resultColumns.isEmpty()) {
        m_table->clear();
        m_table->setColumnCount(int(o.resultColumns.size()));
        m_table->setRowCount(int(o.resultRows.size()));
        m_table->setHorizontalHeaderLabels(o.resultColumns);
        for (int r = 0; r < o.resultRows.size(); ++r)
            for (int c = 0; c < o.resultRows.at(r).size() && c < o.resultColumns.size(); ++c)
                m_table->setItem(r, c, new QTableWidgetItem(o.resultRows.at(r).at(c)));
        m_table->resizeColumnsToContents();
        m_table->show();
        m_outputLabel->setText(o.rows > o.resultRows.size()
                ? tr("First %1 of %2 rows (all of them in the result file):").arg(o.resultRows.size()).arg(o.rows)
                : tr("Result:"));
        m_outputLabel->show();
    } else if (!o.excerpt.isEmpty()) {
        m_outputLabel->setText(tr("Output (first lines):"));
        m_output->setPlainText(o.excerpt);
        fit(m_output, 12);
        m_outputLabel->show();
        m_output->show();
    }
    QString err = o.stderrTail;
    const bool fromStderr = !err.isEmpty();
    if (err.isEmpty() && failed && !o.error.isEmpty())
        err = o.error; // SQL and start failures: the error the server or the runner gave
    if (!err.isEmpty()) {
        m_stderrLabel->setText(failed ? (fromStderr ? tr("Failed — stderr:") : tr("Failed — error:")) : tr("stderr:"));
        m_stderrLabel->setStyleSheet(failed ? u"color: #b00020; font-weight: bold"_s : QString());
        m_stderr->setPlainText(err);
        fit(m_stderr, 10);
        // A failure's reason first, right under its status; otherwise after the output.
        m_layout->removeWidget(m_stderrLabel);
        m_layout->removeWidget(m_stderr);
        const int at = failed ? m_layout->indexOf(m_meta) + 1 : m_layout->indexOf(m_table) + 1;
        m_layout->insertWidget(at, m_stderrLabel);
        m_layout->insertWidget(at + 1, m_stderr);
        m_stderrLabel->show();
        m_stderr->show();
    }
    if (!o.note.isEmpty()) {
        m_note->setText(o.note);
        m_note->show();
    }
    m_outputPath = o.outputPath;
    m_stderrPath = o.stderrPath;
    if (!m_outputPath.isEmpty()) {
        m_openOutput->setToolTip(m_outputPath);
        m_openOutput->show();
    }
    if (!m_stderrPath.isEmpty()) {
        m_openStderr->setToolTip(m_stderrPath);
        m_openStderr->show();
    }
}

void EventDetailView::openFile(const QString& path)
{
    if (path.isEmpty())
        return;
    // Whether it is still there is asked off the GUI thread (the runs folder's cap deletes the oldest files first).
    BackgroundIo::run(
        this, [path] { return QFileInfo::exists(path); },
        [this, path](bool exists) {
            if (exists) {
                m_open(path);
                return;
            }
            m_note->setText(tr("%1 is no longer there: the runs folder's cap removed it.").arg(path));
            m_note->show();
        });
}

#include "moc_eventdetailview.cpp"
