// SPDX-License-Identifier: MIT
#include "app/commandline.h"

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace Qt::StringLiterals;

CommandLine CommandLine::parse(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"PetForce Ops Console: the incident commander's desktop for the PetForce "
                                     "Household Management System."_s);
    const QCommandLineOption helpOption({ u"h"_s, u"help"_s }, u"Show this help and exit."_s);
    const QCommandLineOption versionOption({ u"v"_s, u"version"_s }, u"Show the version and exit."_s);
    const QCommandLineOption storeOption(
        u"store"_s, u"Use the incident store at PATH instead of the one in your data folder."_s, u"PATH"_s);
    const QCommandLineOption runbooksOption(
        u"runbooks"_s, u"Read the team's runbooks from DIR as well as the shipped one."_s, u"DIR"_s);
    const QCommandLineOption checkOption(u"check-runbook"_s,
        u"Parse the Markdown runbook FILE, print it as JSON and exit; non-zero with line-numbered messages "
        "when something cannot be understood."_s,
        u"FILE"_s);
    const QCommandLineOption exportOption(u"export-postmortem"_s,
        u"Write the post-mortem of incident ID (to -o FILE, or as Markdown to standard output) and exit."_s, u"ID"_s);
    const QCommandLineOption outputOption({ u"o"_s, u"output"_s },
        u"Output file for --export-postmortem: Markdown, or HTML / PDF when FILE ends in .html / .pdf."_s, u"FILE"_s);
    parser.addOptions(
        { helpOption, versionOption, storeOption, runbooksOption, checkOption, exportOption, outputOption });

    CommandLine cl;
    if (!parser.parse(arguments)) {
        cl.mode = Mode::Error;
        cl.message = parser.errorText() + u"\nTry --help."_s;
        return cl;
    }
    if (!parser.positionalArguments().isEmpty()) {
        cl.mode = Mode::Error;
        cl.message = u"Unexpected argument: "_s + parser.positionalArguments().constFirst() + u"\nTry --help."_s;
        return cl;
    }
    cl.storePath = parser.value(storeOption);
    cl.runbooksDir = parser.value(runbooksOption);
    cl.outputFile = parser.value(outputOption);
    if (parser.isSet(helpOption)) {
        cl.mode = Mode::Help;
        cl.message = parser.helpText().replace(u"<executable_name>"_s, u"petforce-console"_s);
    } else if (parser.isSet(versionOption)) {
        cl.mode = Mode::Version;
        cl.message = u"petforce-console "_s + QStringLiteral(PETFORCE_VERSION);
    } else if (parser.isSet(checkOption)) {
        cl.mode = Mode::CheckRunbook;
        cl.checkRunbookFile = parser.value(checkOption);
    } else if (parser.isSet(exportOption)) {
        bool ok = false;
        cl.exportIncidentId = parser.value(exportOption).toLongLong(&ok);
        if (!ok || cl.exportIncidentId <= 0) {
            cl.mode = Mode::Error;
            cl.message = u"--export-postmortem takes an incident number, for example --export-postmortem 3."_s;
        } else {
            cl.mode = Mode::ExportPostmortem;
        }
    }
    return cl;
}
