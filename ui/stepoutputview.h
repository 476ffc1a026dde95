// SPDX-License-Identifier: MIT
#pragma once

#include "services/commandresult.h"
#include "services/displaytext.h"
#include "services/pgresult.h"
#include "services/stepexecutor.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTabWidget;

// The output of one step run: stdout and stderr apart, streamed live as safe text (DisplayText), each view keeping
// a bounded tail (capChars) while the full output stays in the runner's files; SQL results and `--output json`
// answers as a table. Chunks are coalesced and painted at most every 50 ms so that a command writing as fast as it
// can never freezes the window. Lives on the GUI thread.
class StepOutputView : public QWidget {
    Q_OBJECT
public:
    explicit StepOutputView(QWidget* parent = nullptr);

    // The view's budget per stream, in characters: bounds the undecoded bytes held (2x), the text laid out per paint,
    // and the lines kept (one per 1 Ki: a laid-out line costs several times its text). Default 512 Ki.
    void setCapChars(qsizetype chars) { m_cap = chars; }
    qsizetype capChars() const { return m_cap; }

    void clear();
    void appendOutput(CommandStream stream, const QByteArray& chunk);
    // The command ended: flushes, and shows a JSON answer on stdout as a table when it has rows.
    void finishOutput(const QByteArray& stdoutTail, bool truncated);
    void showSqlResult(const PgResult& result);
    // A saved SQL result (the .tsv the executor writes: a header line, then tab-separated rows) as a table.
    void showTsv(const QString& tsv);
    void showNote(const QString& text); // a line under the tabs ("full output: /path (sha256 …)")
    // The console's own answer beside the step's output (StepExecutor::answerReady): a panel above the tabs
    // (`stepAnswer`: its title, why and note in `stepAnswerText`, the rows in `stepAnswerTable`). clear() hides it.
    void showAnswer(const StepAnswer& answer);
    QString answerText() const;
    QTableWidget* answerTable() const { return m_answerTable; }
    // A warning line about the run's audit ("Not recorded: …"); empty hides it. clear() hides it too.
    void showRecording(const QString& text);
    QString recordingText() const;

    QString text(CommandStream stream) const; // what the view shows now
    qsizetype shownChars(CommandStream stream) const;
    qsizetype skippedChars(CommandStream stream) const
    {
        return (stream == CommandStream::Stdout ? m_out : m_err).skipped;
    }
    QTableWidget* table() const { return m_table; }
    QTabWidget* tabs() const { return m_tabs; }
    // The values of a column (SQL) or JSON field of the last table or JSON answer: for prefilling parameters.
    QStringList columnValues(const QString& key) const;

    static QStringList jsonValues(const QByteArray& json, const QString& key);
    // A saved SQL result (the .tsv StepExecutor writes: a header line, then one line per row) as
    // column → values, in row order.
    static QMap<QString, QStringList> tsvColumns(const QString& tsv);

private:
    struct Stream {
        DisplayText decoder;
        QByteArray raw; // not yet decoded
        bool resync = false; // bytes were dropped before decoding
        QString pending;
        qsizetype skipped = 0; // characters dropped before reaching the view
        QPlainTextEdit* view = nullptr;
    };
    void flush();
    void fillTable(const QStringList& header, const QList<QStringList>& rows);

    Stream m_out;
    Stream m_err;
    qsizetype m_cap = 512 * 1024;
    QTimer m_flush;
    QTabWidget* m_tabs;
    QTableWidget* m_table;
    QLabel* m_note;
    QLabel* m_recording;
    QWidget* m_answer;
    QLabel* m_answerText;
    QTableWidget* m_answerTable;
    QByteArray m_json; // the stdout of the last run when it was JSON
};
