// SPDX-License-Identifier: MIT
#pragma once
#include <condition_variable>
#include <mutex>
#include <thread>

// Loads, on a worker thread while the GUI thread builds the window, what the window's first frame would
// otherwise wait for on the GUI thread (docs/BENCHMARKS.md, startup):
// - fontconfig's configuration and caches (FcInit: it parses a tree of XML files), then Qt's list of every font
//   (QFontDatabase). The first text measured waits for both; they were about a tenth of the start-up.
// - Qt's image-format plugins: the first icon read from a file (the menu bar's overflow button, from the style)
//   loads every one of them to ask whether it reads the file.
// Both are thread-safe (fontconfig since 2.10, QFontDatabase and QFactoryLoader by their documentation), and
// whichever thread asks first does the work while the other waits for it: nothing here changes a result.
class StartupWarmup {
public:
    StartupWarmup(); // starts FcInit() on the worker at once
    ~StartupWarmup(); // wait()s
    StartupWarmup(const StartupWarmup&) = delete;
    StartupWarmup& operator=(const StartupWarmup&) = delete;

    // Call once the QGuiApplication exists (Qt's font database and plugins need it): the worker goes on.
    void applicationCreated();
    // Waits for the worker (at once if the application was never created). Call before the application is
    // destroyed. Idempotent.
    void wait();

private:
    std::mutex m_mutex;
    std::condition_variable m_ready;
    bool m_applicationCreated = false;
    bool m_quit = false;
    std::thread m_thread;
};
