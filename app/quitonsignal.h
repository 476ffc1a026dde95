// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

#include <functional>

class QSocketNotifier;

// SIGTERM, SIGINT and SIGHUP (logging out, `kill`, Ctrl+C in the terminal that started the console) run a function
// on the GUI thread instead of ending the process where it stands: main() closes the windows as their close
// buttons would (the main window saves its layout and active incident, post-mortem editors their drafts) and quits.
// The handler only writes a byte to a socket pair (async-signal-safe); a QSocketNotifier reads it. A second signal,
// once the first is being handled, ends the process at once (the default action). One per process.
class QuitOnSignal : public QObject {
    Q_OBJECT
public:
    explicit QuitOnSignal(std::function<void()> onSignal, QObject* parent = nullptr);
    ~QuitOnSignal() override;

private:
    std::function<void()> m_onSignal;
    QSocketNotifier* m_notifier = nullptr;
};
