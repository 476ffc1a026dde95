// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookstep.h"

#include <QList>
#include <QString>

// One word of a shell command, with its place in the text.
struct ShellWord {
    qsizetype start = 0; // in the lexed text
    qsizetype end = 0; // one past the last character
    QString value; // quotes removed, escapes resolved, expansions ($VAR, $(...)) kept as written
    QList<qsizetype> offsets; // offsets[i]: where value[i] sits in the text
    bool quoted = false; // any part of it was quoted
    bool expansion = false; // it contains $..., $(...) or `...`

    bool isOption() const { return !quoted && value.startsWith(u'-') && value.size() > 1; }
};

// One simple command: a program and its arguments (assignments, redirections and wrappers such as sudo, env,
// timeout removed). Commands inside $(...) and the command xargs runs are listed too.
struct ShellSimpleCommand {
    QList<ShellWord> words;
    int depth = 0; // 0 at the top level, 1 inside $(...)
    bool viaXargs = false;

    QString program() const; // base name of the first word: "aws", "redis-cli"
    // Index of the first word after `from` that is not an option (nor an option's value, per valueOptions).
    int positional(int from, const QStringList& valueOptions = {}) const;
    // Index of the word following option name (or -1); "--name value" only.
    int optionValue(QStringView name) const;
    bool hasOption(QStringView name) const;
};

// A here-document body.
struct ShellHeredoc {
    qsizetype bodyStart = 0;
    qsizetype bodyEnd = 0; // the delimiter line starts here
    QString delimiter;
    bool quoted = false; // << 'EOF': no expansion in the body
    bool stripTabs = false; // <<- EOF
    int command = -1; // index into commands()
};

// A small lexer for one shell command as a runbook writes it (possibly several lines joined by '\', pipes,
// here-documents). Not a shell: enough to tell where a command ends, which programs it runs with which words, and
// how each character is quoted. Any input is accepted; problems are reported, never thrown. Pure; any thread.
class ShellLexer {
public:
    explicit ShellLexer(const QString& text);

    // False while the text needs more lines: an open quote or $(, a trailing '\', '|', '&&' or '||', or a
    // here-document whose delimiter line has not come yet.
    bool isComplete() const;
    QString problem() const { return m_problem; } // why it is incomplete, for people
    const QList<ShellSimpleCommand>& commands() const { return m_commands; }
    const QList<ShellHeredoc>& heredocs() const { return m_heredocs; }
    TextQuoting quotingAt(qsizetype pos) const;
    const QString& text() const { return m_text; }

private:
    friend class ShellLexerImpl;
    QString m_text;
    QList<ShellSimpleCommand> m_commands;
    QList<ShellHeredoc> m_heredocs;
    QList<TextQuoting> m_quoting;
    bool m_incomplete = false;
    QString m_problem;
};
