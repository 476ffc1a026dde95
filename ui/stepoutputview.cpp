// SPDX-License-Identifier: MIT
#include "ui/stepoutputview.h"

#include "services/boundedbytes.h"
#include "services/stepexecutor.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextCursor>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

constexpr int FlushIntervalMs = 50;
constexpr int MaxTableRows = 2000;
constexpr int MaxLinesPerPaint = 200;

QPlainTextEdit* makeView(const QString& name, QWidget* parent)
{
    auto* view = new QPlainTextEdit(parent);
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setUndoRedoEnabled(false);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFont(u"monospace"_s));
    return view;
}

QString scalarText(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 15);
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Null:
        return u"null"_s;
    default:
        return QString::fromUtf8(QJsonDocument(v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject()))
                                     .toJson(QJsonDocument::Compact));
    }
}

// The first array of the answer: the document itself, or the first array-valued member.
QJsonArray firstArray(const QJsonDocument& doc, QString* name = nullptr)
{
    if (doc.isArray())
        return doc.array();
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it->isArray()) {
            if (name)
                *name = it.key();
            return it->toArray();
        }
    }
    return {};
}

// CloudWatch answers give times as epoch numbers (Logs: timestamp, ingestionTime, creationTime … in milliseconds)
// or UTC ISO text (Timestamp): shown as the local date and time with its zone; other values as they are.
QString cellText(const QString& key, const QJsonValue& v)
{
    if (!key.contains(u"time"_s, Qt::CaseInsensitive))
        return scalarText(v);
    QDateTime at;
    if (v.isDouble()) {
        const double n = v.toDouble();
        if (n >= 1e11 && n < 1e14)
            at = QDateTime::fromMSecsSinceEpoch(qint64(n), Qt::UTC);
        else if (n >= 1e8 && n < 1e11)
            at = QDateTime::fromMSecsSinceEpoch(qint64(n * 1000), Qt::UTC);
    } else if (v.isString()) {
        at = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
        if (at.isValid() && at.timeSpec() == Qt::LocalTime)
            at = QDateTime(); // no zone in the text: not ours to guess
    }
    if (!at.isValid())
        return scalarText(v);
    const QDateTime local = at.toLocalTime();
    return local.toString(local.time().msec() ? u"yyyy-MM-dd HH:mm:ss.zzz t"_s : u"yyyy-MM-dd HH:mm:ss t"_s);
}

// redis-cli --latency / --latency-history print bare numbers when their output is not a terminal
// ("min max avg samples" per line, "%lld %lld %.2f %llu"; history adds " -- 15.00 seconds range" per window).
// Rows for a table with the names redis-cli itself uses on a terminal; nothing when the text is anything else.
QList<QStringList> redisLatencyRows(const QByteArray& out, bool* history)
{
    static const QRegularExpression sample(uR"(^(\d+) (\d+) (\d+\.\d\d) (\d+)$)"_s);
    static const QRegularExpression range(uR"(^ ?-- (\d+(?:\.\d+)?) seconds range$)"_s);
    QList<QStringList> rows;
    QStringList last;
    *history = false;
    const QList<QByteArray> lines = out.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromLatin1(lines.at(i)).trimmed();
        if (line.isEmpty())
            continue;
        if (const QRegularExpressionMatch m = sample.match(line); m.hasMatch()) {
            last = { m.captured(1), m.captured(2), m.captured(3), m.captured(4), QString() };
        } else if (const QRegularExpressionMatch r = range.match(line); r.hasMatch()) {
            *history = true;
            if (!last.isEmpty()) {
                last[4] = r.captured(1);
                rows.append(std::exchange(last, {}));
            }
        } else if (i == 0 || i == lines.size() - 1) {
            continue; // the tail can start inside a line, and a stopped run end inside one
        } else {
            return {};
        }
    }
    if (!last.isEmpty())
        rows.append(last); // the window still open (or --latency's one line)
    return rows;
}

} // namespace

StepOutputView::StepOutputView(QWidget* parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
    , m_table(new QTableWidget(this))
    , m_note(new QLabel(this))
    , m_recording(new QLabel(this))
    , m_answer(new QWidget(this))
    , m_answerText(new QLabel(m_answer))
    , m_answerTable(new QTableWidget(m_answer))
{
    m_out.view = makeView(u"stdoutView"_s, this);
    m_err.view = makeView(u"stderrView"_s, this);
    m_table->setObjectName(u"resultTable"_s);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_tabs->addTab(m_out.view, tr("Output"));
    m_tabs->addTab(m_err.view, tr("Errors"));
    m_tabs->addTab(m_table, tr("Table"));
    m_note->setObjectName(u"outputNote"_s);
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_recording->setObjectName(u"recordingNote"_s);
    m_recording->setWordWrap(true);
    m_recording->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_recording->setStyleSheet(u"QLabel { color: #b00020; font-weight: bold; }"_s);
    m_recording->hide();
    m_answer->setObjectName(u"stepAnswer"_s);
    m_answerText->setObjectName(u"stepAnswerText"_s);
    m_answerText->setWordWrap(true);
    m_answerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_answerTable->setObjectName(u"stepAnswerTable"_s);
    m_answerTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_answerTable->horizontalHeader()->setStretchLastSection(true);
    m_answerTable->verticalHeader()->hide();
    m_answerTable->setMaximumHeight(180);
    auto* answerLayout = new QVBoxLayout(m_answer);
    answerLayout->setContentsMargins(0, 0, 0, 4);
    answerLayout->addWidget(m_answerText);
    answerLayout->addWidget(m_answerTable);
    m_answer->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_answer);
    layout->addWidget(m_tabs);
    layout->addWidget(m_recording);
    layout->addWidget(m_note);
    m_flush.setInterval(FlushIntervalMs);
    m_flush.setSingleShot(true);
    connect(&m_flush, &QTimer::timeout, this, &StepOutputView::flush);
}

void StepOutputView::clear()
{
    for (Stream* s : { &m_out, &m_err }) {
        s->decoder = DisplayText();
        s->raw.clear();
        s->resync = false;
        s->pending.clear();
        s->skipped = 0;
        s->view->clear();
    }
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_table->setToolTip({});
    m_note->clear();
    showRecording({});
    m_answer->hide();
    m_answerText->clear();
    m_answerTable->clear();
    m_answerTable->setRowCount(0);
    m_answerTable->setColumnCount(0);
    m_json.clear();
    m_tabs->setCurrentIndex(0);
}

void StepOutputView::appendOutput(CommandStream stream, const QByteArray& chunk)
{
    Stream& s = stream == CommandStream::Stdout ? m_out : m_err;
    // Raw bytes wait for the next paint; only their tail can reach the view, so the rest is dropped before it is
    // ever decoded (amortised), and the cost per paint stays bounded however fast the command writes.
    // One allocation of the cap, reused (BoundedBytes): the flood never grows and reallocates it.
    if (const qsizetype dropped = BoundedBytes::append(s.raw, chunk, m_cap, m_cap / 2); dropped > 0) {
        s.skipped += dropped;
        s.resync = true;
    }
    if (!m_flush.isActive())
        m_flush.start();
}

void StepOutputView::flush()
{
    bool skipped = false;
    for (Stream* s : { &m_out, &m_err }) {
        if (s->resync) {
            // Bytes were dropped: start decoding afresh at the next line, never inside a character or an escape.
            s->decoder = DisplayText();
            const qsizetype nl = s->raw.indexOf('\n');
            if (nl >= 0 && nl < s->raw.size() - 1) {
                s->skipped += nl + 1;
                BoundedBytes::dropFront(s->raw, nl + 1);
            }
            s->resync = false;
        }
        // Decode only the lines this paint can show: cut the bytes at a line boundary first (cheap), so a flood
        // never makes a large decoded copy.
        qsizetype cut = s->raw.size() - 1;
        for (int lines = 0; cut > 0 && lines <= MaxLinesPerPaint; --cut) {
            if (s->raw.at(cut) == '\n')
                ++lines;
        }
        qsizetype start = 0;
        if (cut > 0) {
            s->skipped += cut + 2;
            start = cut + 2;
            s->decoder = DisplayText();
        }
        if (start < s->raw.size())
            s->pending += s->decoder.feed(QByteArrayView(s->raw).sliced(start));
        s->raw.resize(0); // keeps the allocation for the next chunks
        if (s->pending.isEmpty())
            continue;
        QPlainTextEdit* view = s->view;
        // The document keeps at most maxLines lines (Qt drops the oldest blocks as new ones come) and never more
        // than the cap per paint: the view's memory stays near the cap.
        // Each laid-out line also holds its glyphs (several times its text), hence one line per 2 Ki of the cap.
        const int maxLines = int(std::max<qsizetype>(MaxLinesPerPaint, m_cap / 2048));
        if (view->maximumBlockCount() != maxLines)
            view->setMaximumBlockCount(maxLines);
        // A flood: lay out only the last lines of this paint (laying out text is what costs), with a marker for
        // the lines in between, which are only in the output file.
        qsizetype from = s->pending.size() > m_cap ? s->pending.size() - m_cap : 0;
        qsizetype nl = s->pending.size() - 1;
        for (int lines = 0; nl > from && lines <= MaxLinesPerPaint; --nl) {
            if (s->pending.at(nl) == u'\n')
                ++lines;
        }
        if (nl > from)
            from = nl + 2;
        if (from > 0) {
            s->skipped += from;
            s->pending = tr("[… %1 characters only in the output file …]\n").arg(s->skipped)
                + QStringView(s->pending).mid(from);
        }
        if (view->document()->characterCount() + s->pending.size() > 2 * m_cap) {
            // Very long lines: the line limit alone would not bound it.
            s->skipped += view->document()->characterCount();
            view->clear();
        }
        QScrollBar* bar = view->verticalScrollBar();
        const bool atEnd = bar->value() >= bar->maximum() - 2;
        QTextCursor c(view->document());
        c.movePosition(QTextCursor::End);
        c.insertText(s->pending);
        s->pending.clear();
        if (atEnd)
            bar->setValue(bar->maximum());
        skipped = skipped || s->skipped > 0 || view->document()->blockCount() >= maxLines;
    }
    if (skipped && m_note->text().isEmpty())
        m_note->setText(tr("Showing the latest output only; the full output is in the output file."));
}

void StepOutputView::finishOutput(const QByteArray& stdoutTail, bool truncated)
{
    flush();
    for (Stream* s : { &m_out, &m_err })
        s->pending += s->decoder.finish();
    flush();
    if (truncated)
        return;
    const QByteArray trimmed = stdoutTail.trimmed();
    bool history = false;
    if (const QList<QStringList> latency = redisLatencyRows(trimmed, &history); !latency.isEmpty()) {
        QStringList header { tr("min (ms)"), tr("max (ms)"), tr("avg (ms)"), tr("samples") };
        if (history)
            header.append(tr("window (s)"));
        QList<QStringList> rows;
        for (const QStringList& r : latency)
            rows.append(history ? r : r.mid(0, 4));
        fillTable(header, rows);
        m_table->setToolTip(tr("redis-cli latency: PING round trips to the server in milliseconds (minimum, maximum, "
                               "average) over that many samples%1")
                                .arg(history ? tr(", one row per window") : QString()));
        m_tabs->setCurrentWidget(m_table);
        return;
    }
    if (!trimmed.startsWith('{') && !trimmed.startsWith('['))
        return;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &error);
    if (error.error != QJsonParseError::NoError)
        return;
    m_json = trimmed;
    const QJsonArray array = firstArray(doc);
    QStringList header;
    QList<QStringList> rows;
    for (const QJsonValue& v : array) {
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!header.contains(it.key()))
                    header.append(it.key());
            }
        }
    }
    if (header.isEmpty())
        header.append(u"value"_s);
    for (const QJsonValue& v : array) {
        QStringList row;
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (const QString& h : std::as_const(header))
                row.append(o.contains(h) ? cellText(h, o.value(h)) : QString());
        } else {
            row.append(scalarText(v));
        }
        rows.append(row);
    }
    if (!rows.isEmpty()) {
        fillTable(header, rows);
        m_tabs->setCurrentWidget(m_table);
    }
}

void StepOutputView::showSqlResult(const PgResult& result)
{
    QStringList header;
    for (const PgColumn& c : result.columns())
        header.append(c.name);
    QList<QStringList> rows;
    for (const QList<QVariant>& r : result.rows()) {
        if (rows.size() >= MaxTableRows)
            break; // the table shows no more
        QStringList row;
        for (const QVariant& v : r)
            row.append(v.isValid() ? v.toString() : u"NULL"_s);
        rows.append(row);
    }
    fillTable(header, rows);
    QString text = result.ok() ? result.commandTag() : result.summary();
    const QString rowsNote = StepExecutor::rowsNote(result);
    if (!rowsNote.isEmpty())
        text += u'\n' + rowsNote + u": "_s + result.outputPath;
    if (!result.notices.isEmpty())
        text += u'\n' + result.notices.join(u'\n');
    (result.ok() ? m_out : m_err).view->setPlainText(text);
    m_tabs->setCurrentWidget(
        result.ok() && !header.isEmpty() ? static_cast<QWidget*>(m_table) : (result.ok() ? m_out.view : m_err.view));
}

namespace {
// The .tsv of a SQL step: the header line's cells and each row's.
bool splitTsv(const QString& tsv, QStringList* header, QList<QStringList>* rows)
{
    QStringList lines = tsv.split(u'\n', Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return false;
    *header = lines.takeFirst().split(u'\t');
    for (const QString& line : std::as_const(lines))
        rows->append(line.split(u'\t'));
    return true;
}
} // namespace

void StepOutputView::showTsv(const QString& tsv)
{
    m_out.view->setPlainText(DisplayText::fromBytes(tsv.toUtf8()));
    QStringList header;
    QList<QStringList> rows;
    if (!splitTsv(tsv, &header, &rows))
        return;
    fillTable(header, rows);
    m_tabs->setCurrentWidget(m_table);
}

QMap<QString, QStringList> StepOutputView::tsvColumns(const QString& tsv)
{
    QStringList header;
    QList<QStringList> rows;
    QMap<QString, QStringList> columns;
    if (!splitTsv(tsv, &header, &rows))
        return columns;
    for (qsizetype c = 0; c < header.size(); ++c) {
        QStringList& values = columns[header.at(c)];
        for (const QStringList& row : std::as_const(rows))
            values.append(row.value(c));
    }
    return columns;
}

void StepOutputView::fillTable(const QStringList& header, const QList<QStringList>& rows)
{
    m_table->clear();
    m_table->setColumnCount(int(header.size()));
    m_table->setHorizontalHeaderLabels(header);
    const int n = int(std::min<qsizetype>(rows.size(), MaxTableRows));
    m_table->setRowCount(n);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < rows.at(r).size() && c < header.size(); ++c)
            m_table->setItem(r, c, new QTableWidgetItem(DisplayText::fromBytes(rows.at(r).at(c).toUtf8())));
    }
    m_table->resizeColumnsToContents();
}

void StepOutputView::showNote(const QString& text) { m_note->setText(text); }

void StepOutputView::showAnswer(const StepAnswer& answer)
{
    QString html = u"<b>%1</b>"_s.arg(answer.title.toHtmlEscaped());
    if (!answer.error.isEmpty())
        html += u"<br><span style='color:#b00020'>%1</span>"_s.arg(answer.error.toHtmlEscaped());
    if (!answer.why.isEmpty())
        html += u"<br><i>%1</i>"_s.arg(answer.why.toHtmlEscaped());
    if (!answer.note.isEmpty())
        html += u"<br>%1"_s.arg(answer.note.toHtmlEscaped());
    m_answerText->setText(html);
    m_answerTable->clear();
    m_answerTable->setColumnCount(int(answer.header.size()));
    m_answerTable->setHorizontalHeaderLabels(answer.header);
    m_answerTable->setRowCount(int(answer.rows.size()));
    for (int r = 0; r < answer.rows.size(); ++r) {
        for (int c = 0; c < answer.rows.at(r).size() && c < answer.header.size(); ++c)
            m_answerTable->setItem(r, c, new QTableWidgetItem(answer.rows.at(r).at(c)));
    }
    m_answerTable->resizeColumnsToContents();
    m_answerTable->setVisible(!answer.rows.isEmpty());
    m_answer->show();
}

QString StepOutputView::answerText() const { return m_answer->isHidden() ? QString() : m_answerText->text(); }

void StepOutputView::showRecording(const QString& text)
{
    m_recording->setText(text);
    m_recording->setVisible(!text.isEmpty());
}

QString StepOutputView::recordingText() const { return m_recording->text(); }

QString StepOutputView::text(CommandStream stream) const
{
    return (stream == CommandStream::Stdout ? m_out : m_err).view->toPlainText();
}

qsizetype StepOutputView::shownChars(CommandStream stream) const
{
    return (stream == CommandStream::Stdout ? m_out : m_err).view->document()->characterCount();
}

QStringList StepOutputView::columnValues(const QString& key) const
{
    if (!m_json.isEmpty())
        return jsonValues(m_json, key);
    QStringList values;
    for (int c = 0; c < m_table->columnCount(); ++c) {
        const QTableWidgetItem* h = m_table->horizontalHeaderItem(c);
        if (!h || h->text() != key)
            continue;
        for (int r = 0; r < m_table->rowCount(); ++r) {
            if (const QTableWidgetItem* item = m_table->item(r, c); item && !values.contains(item->text()))
                values.append(item->text());
        }
    }
    return values;
}

namespace {
// The values of key in JSON that does not parse, most often cut short by the runbook's own `| head -n 5`: every
// `"key": scalar`, and the scalars of every `"key": [ ...` up to its `]` or the end of the text.
QStringList cutJsonValues(const QByteArray& json, const QString& key)
{
    static const QString scalar = uR"(("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null))"_s;
    static const QRegularExpression element(u"\\G\\s*"_s + scalar + u"\\s*,?"_s);
    const QString text = QString::fromUtf8(json);
    const QRegularExpression member(u"\"%1\"\\s*:\\s*(\\[|%2)"_s.arg(QRegularExpression::escape(key), scalar));
    QStringList values;
    const auto add = [&values](const QString& literal) {
        const QJsonArray one = QJsonDocument::fromJson(u"[%1]"_s.arg(literal).toUtf8()).array();
        if (!one.isEmpty())
            values.append(scalarText(one.at(0)));
    };
    for (QRegularExpressionMatchIterator it = member.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (m.captured(1) != u"[") {
            add(m.captured(1));
            continue;
        }
        qsizetype at = m.capturedEnd();
        for (QRegularExpressionMatch e = element.match(text, at); e.hasMatch(); e = element.match(text, at)) {
            add(e.captured(1));
            at = e.capturedEnd();
        }
    }
    return values;
}
} // namespace

QStringList StepOutputView::jsonValues(const QByteArray& json, const QString& key)
{
    QStringList values;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return cutJsonValues(json, key);
    auto addFrom = [&](const QJsonValue& v) {
        if (v.isArray()) {
            for (const QJsonValue& e : v.toArray()) {
                if (!e.isObject() && !e.isArray())
                    values.append(scalarText(e));
            }
        } else if (!v.isUndefined() && !v.isObject()) {
            values.append(scalarText(v));
        }
    };
    if (doc.isObject() && doc.object().contains(key)) {
        addFrom(doc.object().value(key)); // {"taskArns": [...]}
        return values;
    }
    for (const QJsonValue& e : firstArray(doc)) {
        if (e.isObject() && e.toObject().contains(key))
            addFrom(e.toObject().value(key));
    }
    return values;
}

#include "moc_stepoutputview.cpp"
