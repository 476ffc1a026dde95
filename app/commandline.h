// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

// What the command line asks for. Parsed before any QApplication exists, so that --help, --version and the
// command-line modes work without a display.
struct CommandLine {
    enum class Mode { Gui, Help, Version, Error, CheckRunbook, ExportPostmortem };
    Mode mode = Mode::Gui;
    QString storePath; // --store PATH; empty: the default in the user's data folder
    QString runbooksDir; // --runbooks DIR
    QString checkRunbookFile; // --check-runbook FILE
    qint64 exportIncidentId = 0; // --export-postmortem ID
    QString outputFile; // -o FILE
    QString message; // help text, version text or the error

    static CommandLine parse(const QStringList& arguments);
};
