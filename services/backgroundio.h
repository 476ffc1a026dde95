// SPDX-License-Identifier: MIT
#pragma once

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>

#include <functional>
#include <type_traits>
#include <utility>

class QThreadPool;

// Small file jobs (atomic writes with their fsyncs, folder scans, removals) off the GUI thread. Jobs run one at a
// time on one worker thread, in the order they were queued, so a later autosave never lands before an earlier one
// and a removal queued after a write happens after it. Each job's result reaches `done` on the GUI thread, through
// the event loop, unless `context` was destroyed meanwhile. The worker belongs to the application object: its
// destruction waits for the queued jobs, so nothing queued before exit is lost.
//
// Call from the GUI thread; `job` runs on the worker and must only touch what it captured by value.
class BackgroundIo {
public:
    template <typename Job, typename Done> static void run(QObject* context, Job job, Done done)
    {
        using Result = std::invoke_result_t<Job&>;
        QPointer<QObject> guard(context);
        run([guard, job = std::move(job), done = std::move(done)]() mutable {
            Result result = job();
            QCoreApplication* app = QCoreApplication::instance();
            if (!app)
                return; // the application is going away: nobody is left to tell
            QMetaObject::invokeMethod(
                app,
                [guard, done = std::move(done), result = std::move(result)]() mutable {
                    if (guard)
                        done(std::move(result));
                },
                Qt::QueuedConnection);
        });
    }
    // A job whose result nobody waits for (a draft written as its editor closes). Both overloads queue here.
    static void run(std::function<void()> job);
    // Blocks until every queued job has run (tests, and the command line). Never from product GUI code.
    static bool waitForDone(int msecs = -1);

private:
    static QThreadPool* pool();
};
