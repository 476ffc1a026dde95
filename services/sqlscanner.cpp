// SPDX-License-Identifier: MIT
#include "services/sqlscanner.h"

using namespace Qt::StringLiterals;

namespace {

bool isWordStart(QChar c) { return c.isLetter() || c == u'_'; }
bool isWordChar(QChar c) { return c.isLetterOrNumber() || c == u'_' || c == u'$'; }
bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; }

// Length of the string, quoted identifier, dollar-quoted string or comment starting at i; 0 if none starts there.
// *closed is false when it runs to the end of the text.
struct Skip {
    enum class What { None, String, Identifier, LineComment, BlockComment };
    What what = What::None;
    qsizetype length = 0;
    bool closed = true;
};

Skip skipAt(QStringView t, qsizetype i)
{
    const qsizetype n = t.size();
    Skip s;
    const QChar c = t[i];
    const QChar next = i + 1 < n ? t[i + 1] : QChar();
    if (c == u'-' && next == u'-') {
        qsizetype end = t.indexOf(u'\n', i);
        s.what = Skip::What::LineComment;
        s.length = (end < 0 ? n : end) - i;
        return s;
    }
    if (c == u'/' && next == u'*') {
        int level = 0;
        qsizetype k = i;
        while (k < n) {
            if (t.mid(k, 2) == u"/*") {
                ++level;
                k += 2;
            } else if (t.mid(k, 2) == u"*/") {
                k += 2;
                if (--level == 0)
                    break;
            } else {
                ++k;
            }
        }
        s.what = Skip::What::BlockComment;
        s.length = k - i;
        s.closed = level == 0;
        return s;
    }
    const bool escapeString = (c == u'E' || c == u'e') && next == u'\'' && (i == 0 || !isWordChar(t[i - 1]));
    if (c == u'\'' || escapeString) {
        qsizetype k = i + (escapeString ? 2 : 1);
        bool closed = false;
        while (k < n) {
            if (escapeString && t[k] == u'\\') {
                k += 2;
                continue;
            }
            if (t[k] == u'\'') {
                if (k + 1 < n && t[k + 1] == u'\'') {
                    k += 2;
                    continue;
                }
                ++k;
                closed = true;
                break;
            }
            ++k;
        }
        s.what = Skip::What::String;
        s.length = std::min(k, n) - i;
        s.closed = closed;
        return s;
    }
    if (c == u'"') {
        const qsizetype close = t.indexOf(u'"', i + 1);
        s.what = Skip::What::Identifier;
        s.length = (close < 0 ? n : close + 1) - i;
        s.closed = close >= 0;
        return s;
    }
    if (c == u'$' && (i == 0 || !isWordChar(t[i - 1]))) {
        qsizetype k = i + 1;
        while (k < n && (t[k].isLetterOrNumber() || t[k] == u'_'))
            ++k;
        if (k < n && t[k] == u'$' && !(k > i + 1 && isDigit(t[i + 1]))) {
            const QStringView tag = t.mid(i, k - i + 1);
            const qsizetype close = t.indexOf(tag, k + 1);
            s.what = Skip::What::String;
            s.length = (close < 0 ? n : close + tag.size()) - i;
            s.closed = close >= 0;
            return s;
        }
    }
    return s;
}

QString commentText(QStringView raw)
{
    QStringView t = raw;
    if (t.startsWith(u"--"))
        t = t.mid(2);
    else if (t.startsWith(u"/*"))
        t = t.mid(2, std::max<qsizetype>(0, t.size() - 4));
    return t.trimmed().toString();
}

} // namespace

SqlScanner::SqlScanner(const QString& text)
    : m_text(text)
    , m_quoting(text.size(), TextQuoting::Sql)
{
    const QStringView t(m_text);
    const qsizetype n = t.size();
    QList<SqlComment> pending;
    SqlStatement cur;
    bool inStatement = false;
    qsizetype i = 0;
    while (i < n) {
        const QChar c = t[i];
        const Skip skip = skipAt(t, i);
        if (skip.what != Skip::What::None) {
            const TextQuoting q = skip.what == Skip::What::String ? TextQuoting::SqlString : TextQuoting::Literal;
            for (qsizetype k = i; k < i + skip.length; ++k)
                m_quoting[k] = q;
            if (!skip.closed && m_problem.isEmpty()) {
                m_problem = skip.what == Skip::What::String ? u"a SQL string is never closed"_s
                    : skip.what == Skip::What::Identifier   ? u"a quoted SQL name is never closed"_s
                                                            : u"a SQL comment is never closed"_s;
            }
            const bool comment = skip.what == Skip::What::LineComment || skip.what == Skip::What::BlockComment;
            if (comment && !inStatement) {
                pending.append({ commentText(t.mid(i, skip.length)), i });
            } else if (!inStatement) {
                inStatement = true;
                cur.start = i;
            }
            i += skip.length;
            continue;
        }
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (!inStatement) {
            inStatement = true;
            cur.start = i;
        }
        if (c == u';') {
            cur.end = i + 1;
            cur.terminated = true;
            cur.comments = pending;
            pending.clear();
            m_statements.append(cur);
            cur = SqlStatement();
            inStatement = false;
        }
        ++i;
    }
    if (inStatement) {
        qsizetype end = n;
        while (end > cur.start && t[end - 1].isSpace())
            --end;
        cur.end = end;
        cur.terminated = false;
        cur.comments = pending;
        pending.clear();
        m_statements.append(cur);
    }
    m_trailing = pending;
}

TextQuoting SqlScanner::quotingAt(qsizetype pos) const
{
    return pos >= 0 && pos < m_quoting.size() ? m_quoting.at(pos) : TextQuoting::Sql;
}

QList<SqlToken> SqlScanner::tokens(QStringView t)
{
    QList<SqlToken> out;
    const qsizetype n = t.size();
    int depth = 0;
    qsizetype i = 0;
    while (i < n) {
        const QChar c = t[i];
        const Skip skip = skipAt(t, i);
        if (skip.what == Skip::What::String || skip.what == Skip::What::Identifier) {
            out.append({ skip.what == Skip::What::String ? SqlToken::Type::String : SqlToken::Type::QuotedIdentifier,
                t.mid(i, skip.length).toString(), i, depth });
            i += skip.length;
            continue;
        }
        if (skip.what != Skip::What::None) {
            i += skip.length;
            continue;
        }
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (isWordStart(c)) {
            qsizetype k = i;
            while (k < n && isWordChar(t[k]))
                ++k;
            out.append({ SqlToken::Type::Word, t.mid(i, k - i).toString().toUpper(), i, depth });
            i = k;
            continue;
        }
        if (isDigit(c)) {
            qsizetype k = i;
            while (k < n && (isDigit(t[k]) || t[k] == u'.'))
                ++k;
            out.append({ SqlToken::Type::Number, t.mid(i, k - i).toString(), i, depth });
            i = k;
            continue;
        }
        if (c == u'(') {
            out.append({ SqlToken::Type::Punctuation, u"("_s, i, depth });
            ++depth;
        } else if (c == u')') {
            depth = std::max(0, depth - 1);
            out.append({ SqlToken::Type::Punctuation, u")"_s, i, depth });
        } else {
            out.append({ SqlToken::Type::Punctuation, QString(c), i, depth });
        }
        ++i;
    }
    return out;
}

QStringList SqlScanner::words(QStringView statement)
{
    QStringList out;
    for (const SqlToken& tok : tokens(statement)) {
        if (tok.type == SqlToken::Type::Word)
            out.append(tok.text);
    }
    return out;
}

QStringList SqlScanner::outputColumns(QStringView statement)
{
    const QList<SqlToken> toks = tokens(statement);
    qsizetype i = 0;
    while (i < toks.size()
        && !(toks.at(i).depth == 0 && toks.at(i).type == SqlToken::Type::Word && toks.at(i).text == u"SELECT"))
        ++i;
    if (i >= toks.size())
        return {};
    ++i;
    if (i < toks.size() && toks.at(i).type == SqlToken::Type::Word
        && (toks.at(i).text == u"DISTINCT" || toks.at(i).text == u"ALL"))
        ++i;
    QStringList columns;
    QString lastName;
    QString alias;
    bool afterAs = false;
    const auto flush = [&] {
        const QString name = !alias.isEmpty() ? alias : lastName;
        if (!name.isEmpty())
            columns.append(name.toLower());
        lastName.clear();
        alias.clear();
        afterAs = false;
    };
    for (; i < toks.size(); ++i) {
        const SqlToken& tok = toks.at(i);
        if (tok.depth == 0 && tok.type == SqlToken::Type::Word && (tok.text == u"FROM" || tok.text == u"INTO"))
            break;
        if (tok.depth == 0 && tok.type == SqlToken::Type::Punctuation && (tok.text == u"," || tok.text == u";")) {
            flush();
            continue;
        }
        if (tok.depth != 0)
            continue;
        if (tok.type == SqlToken::Type::Word) {
            if (tok.text == u"AS") {
                afterAs = true;
                continue;
            }
            if (afterAs)
                alias = tok.text;
            else
                lastName = tok.text;
        } else if (tok.type == SqlToken::Type::QuotedIdentifier && afterAs) {
            alias = tok.text.mid(1, tok.text.size() - 2);
        }
    }
    flush();
    return columns;
}

QStringList SqlScanner::functionCalls(QStringView statement)
{
    const QList<SqlToken> toks = tokens(statement);
    QStringList out;
    for (qsizetype i = 0; i + 1 < toks.size(); ++i) {
        if (toks.at(i).type == SqlToken::Type::Word && toks.at(i + 1).text == u"(")
            out.append(toks.at(i).text.toLower());
    }
    return out;
}
