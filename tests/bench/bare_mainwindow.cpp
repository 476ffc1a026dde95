// SPDX-License-Identifier: MIT
// The startup benchmark's baseline: a bare QMainWindow that says when it has first painted, then exits — the
// same signal the console gives with PETFORCE_BENCH_PAINT_MARKER=1. With --skeleton it first adds the least any
// console-like window shows — a menu bar of three menus, a one-line label, three docks and an empty five-column
// table — as a second reference: how far a window with text, menus and docks alone is from the bare one.
#include <QApplication>
#include <QDockWidget>
#include <QEvent>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTableView>
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
    if (argc > 1 && QByteArray(argv[1]) == "--skeleton") {
        for (const char* menu : { "&File", "&Incident", "&View" })
            window.menuBar()->addMenu(QString::fromLatin1(menu))->addAction(QStringLiteral("Action"));
        for (const char* title : { "Incidents", "Runbook", "Escalation" }) {
            auto* dock = new QDockWidget(QString::fromLatin1(title), &window);
            dock->setWidget(new QLabel(QString::fromLatin1(title)));
            window.addDockWidget(Qt::LeftDockWidgetArea, dock);
        }
        auto* model = new QStandardItemModel(0, 5, &window);
        model->setHorizontalHeaderLabels({ QStringLiteral("Time"), QStringLiteral("Since start"),
            QStringLiteral("Kind"), QStringLiteral("By"), QStringLiteral("Event") });
        auto* table = new QTableView;
        table->setModel(model);
        window.setCentralWidget(table);
        window.statusBar()->addPermanentWidget(
            new QLabel(QStringLiteral("No incident selected. Open one with File > New Incident (Ctrl+N).")));
    }
    window.show();
    return QApplication::exec();
}
