// SPDX-License-Identifier: MIT
#pragma once

#include "models/postmortemrecord.h"

#include <QByteArray>
#include <QString>

class IncidentStore;

// The post-mortem of one incident as a Markdown document: the one stored with the incident if the author saved
// one, else a fresh draft from its timeline (PostmortemDraft) in the zone given (default: the system's).
// Synchronous over an IncidentStore the caller owns, on that store's thread (the command line: the main thread,
// with no GUI).
class PostmortemExport {
public:
    // The document, or empty with *error set (unknown incident, store failure).
    static QString markdown(IncidentStore& store, qint64 incidentId, QString* error, const QString& zoneId = {});
    // `petforce-console --store PATH --export-postmortem ID [-o FILE]`: writes FILE atomically (or the Markdown to
    // stdout when empty) in the format of its suffix (formatFor: HTML and PDF need a QGuiApplication, which may be
    // offscreen); 0 on success, 1 on failure with the reason on stderr.
    static int runCommandLine(const QString& storePath, qint64 incidentId, const QString& outputFile);

    // The document in the format of path's suffix: ".html"/".htm" (Qt's Markdown reader, then HTML), ".pdf"
    // (the same document laid out on A4 pages with QPdfWriter), anything else the Markdown itself (UTF-8).
    // Needs a QGuiApplication for HTML and PDF (fonts); any thread (the editor renders on BackgroundIo's worker).
    enum class Format { Markdown, Html, Pdf };
    // The Markdown as it is laid out (preview, HTML, PDF): a line that starts with a bold label and a colon
    // ("**Date**: …", "**Impact:** …") followed by more text ends in a hard line break, so the template's
    // Date/Severity/Duration/Impact lines stay one per line instead of running into one paragraph. Fenced code
    // is left alone; the Markdown that is saved and exported as .md is not changed.
    static QString forLayout(const QString& markdown);
    static Format formatFor(const QString& path);
    static QByteArray render(const QString& markdown, Format format, const QString& title = {});
    // The title given to HTML and PDF documents ("Post-mortem of incident 7").
    static QString documentTitle(qint64 incidentId);
};
