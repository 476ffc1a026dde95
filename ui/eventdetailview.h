// SPDX-License-Identifier: MIT
#pragma once

#include "models/timelineevent.h"

#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QVBoxLayout;

// What one timeline event holds, readably (issue 16, finding 6): for a command run (its command.started and
// command.finished together) the command, the outcome, the first lines of its output or the table of a SQL result,
// stderr (marked on failure), and buttons to open the whole output and stderr files of the runs folder; for any
// other event its summary and detail as lines. objectName eventDetail. Lives on the GUI thread; reads no file
// (the files are opened by the desktop's handler, on click).
class EventDetailView : public QWidget {
    Q_OBJECT
public:
    explicit EventDetailView(QWidget* parent = nullptr);

    // event: the row chosen; paired: the other event of the same run, when loaded.
    void setEvent(const TimelineEvent& event, const std::optional<TimelineEvent>& paired);
    void clear();
    // How a file is opened (default: QDesktopServices::openUrl). Tests replace it.
    void setFileOpener(std::function<void(const QString&)> open) { m_open = std::move(open); }
    QString outputPath() const { return m_outputPath; }
    QString stderrPath() const { return m_stderrPath; }

private:
    void openFile(const QString& path);

    QVBoxLayout* m_layout = nullptr;
    QLabel* m_title;
    QLabel* m_meta;
    QLabel* m_commandLabel;
    QPlainTextEdit* m_command;
    QLabel* m_outputLabel;
    QPlainTextEdit* m_output;
    QTableWidget* m_table;
    QLabel* m_stderrLabel;
    QPlainTextEdit* m_stderr;
    QLabel* m_note;
    QPushButton* m_openOutput;
    QPushButton* m_openStderr;
    QString m_outputPath;
    QString m_stderrPath;
    std::function<void(const QString&)> m_open;
};
