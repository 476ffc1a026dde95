// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

// A fenced code block of a section, kept as written.
struct RunbookCodeBlock {
    QString language; // first word of the info string: "yaml", "sql", "" for none
    QString text; // as decoded from the file (invalid UTF-8 becomes U+FFFD)
    QString caption; // the bold lead-in before it: "Incident Started" (trailing ':' removed)
    int line = 0; // of the opening fence

    // The text with mis-encoded characters repaired (see TextRepair), for showing to people.
    QString displayText() const;
};

// A Markdown table: header cells and rows of cells (inline formatting removed).
struct RunbookTable {
    QStringList header;
    QList<QStringList> rows;
    int line = 0;
};

// One item of a bullet or numbered list.
struct RunbookListItem {
    QString text; // inline formatting removed
    QString link; // the first link's target, if any
    int depth = 0; // 0 for a top-level item
    int line = 0;
};

// A heading and everything up to the next heading of the same or a higher level, kept raw and in pieces, so that
// later features (escalation, dashboards, post-mortems) can read what they need by name.
struct RunbookSection {
    QString title; // "Escalation Contacts"
    QString path; // "Escalation Procedures/Escalation Contacts"
    int level = 0; // 1..6
    int line = 0; // of the heading
    int endLine = 0; // last line of the section (inclusive)
    QString markdown; // the section's Markdown source, heading included, repaired of mojibake
    QStringList paragraphs; // text of the paragraphs directly in this section
    QList<RunbookListItem> listItems;
    QList<RunbookCodeBlock> codeBlocks;
    QList<RunbookTable> tables;
};
