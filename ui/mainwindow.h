// SPDX-License-Identifier: MIT
#pragma once

#include <QMainWindow>

// The console's main window: docks for incidents, the active incident and its timeline.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;
};
