// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookstep.h"

#include <QList>
#include <QString>
#include <QStringList>

// A comment line of a SQL block ("-- Check current connections" → "Check current connections").
struct SqlComment {
    QString text;
    qsizetype offset = 0; // of the comment's first character in the scanned text
};

// One statement of a SQL block.
struct SqlStatement {
    qsizetype start = 0; // first character of the statement
    qsizetype end = 0; // one past the ';' (or the last character when there is no ';')
    QList<SqlComment> comments; // the comment lines just before it
    bool terminated = false; // ends with ';'
};

// One token of a statement, outside comments.
struct SqlToken {
    enum class Type { Word, Number, String, QuotedIdentifier, Punctuation };
    Type type = Type::Word;
    QString text; // Word: upper-cased; others as written
    qsizetype offset = 0; // in the statement
    int depth = 0; // parenthesis depth
};

// Splits a SQL block into statements with their comment titles, and answers small questions about a statement.
// Knows PostgreSQL's strings ('...', E'...', $tag$...$tag$), quoted identifiers and comments (--, nested /* */).
// Pure; any thread.
class SqlScanner {
public:
    explicit SqlScanner(const QString& text);

    const QList<SqlStatement>& statements() const { return m_statements; }
    QList<SqlComment> trailingComments() const { return m_trailing; } // after the last statement
    QString problem() const { return m_problem; } // an unterminated string or comment; empty when fine
    TextQuoting quotingAt(qsizetype pos) const; // Sql, SqlString, or Literal (comments, quoted identifiers)

    static QList<SqlToken> tokens(QStringView statement);
    // Upper-cased keywords and identifiers of the statement, outside strings and comments.
    static QStringList words(QStringView statement);
    // Names of the columns of the statement's top-level SELECT list (alias, else the last name): "pid", "duration".
    static QStringList outputColumns(QStringView statement);
    // Lower-cased names of the functions the statement calls.
    static QStringList functionCalls(QStringView statement);

private:
    QString m_text;
    QList<SqlStatement> m_statements;
    QList<SqlComment> m_trailing;
    QList<TextQuoting> m_quoting;
    QString m_problem;
};
