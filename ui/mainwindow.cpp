// SPDX-License-Identifier: MIT
#include "ui/mainwindow.h"

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("PetForce Ops Console"));
}

MainWindow::~MainWindow() = default;
