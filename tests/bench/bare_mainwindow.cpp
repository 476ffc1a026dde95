// SPDX-License-Identifier: MIT
// The startup benchmark's baseline: a bare QMainWindow that says when it has first painted, then exits — the
// same signal the console gives with PETFORCE_BENCH_PAINT_MARKER=1.
#include <QApplication>
#include <QEvent>
#include <QMainWindow>
#include <QTimer>

#include <cstdio>

namespace {
class FirstPaint : public QObject {
protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint && !m_seen) {
            m_seen = true;
            std::fputs("PAINTED\n", stdout);
            std::fflush(stdout);
            QTimer::singleShot(0, qApp, &QCoreApplication::quit);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    bool m_seen = false;
};
} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    FirstPaint firstPaint;
    app.installEventFilter(&firstPaint);
    QMainWindow window;
    window.resize(1280, 800);
    window.show();
    return QApplication::exec();
}
