// SPDX-License-Identifier: MIT
#include "services/shelllexer.h"

#include "models/parametertype.h"

using namespace Qt::StringLiterals;

namespace {
bool isBlank(QChar c) { return c == u' ' || c == u'\t' || c == u'\r'; }
bool isOperatorChar(QChar c) { return QStringView(u";&|()<>").contains(c); }
bool isNameStart(QChar c) { return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_'; }
bool isNameChar(QChar c) { return isNameStart(c) || (c >= u'0' && c <= u'9'); }
bool isAssignment(const ShellWord& w)
{
    const qsizetype eq = w.value.indexOf(u'=');
    if (eq <= 0 || !isNameStart(w.value[0]))
        return false;
    for (qsizetype i = 0; i < eq; ++i) {
        if (!isNameChar(w.value[i]))
            return false;
    }
    return true;
}
} // namespace

QString ShellSimpleCommand::program() const
{
    if (words.isEmpty())
        return {};
    const QString& first = words.constFirst().value;
    return first.mid(first.lastIndexOf(u'/') + 1);
}

int ShellSimpleCommand::positional(int from, const QStringList& valueOptions) const
{
    for (int i = from; i < words.size(); ++i) {
        const ShellWord& w = words.at(i);
        if (w.isOption()) {
            if (valueOptions.contains(w.value))
                ++i;
            continue;
        }
        return i;
    }
    return -1;
}

int ShellSimpleCommand::optionValue(QStringView name) const
{
    for (int i = 1; i + 1 < words.size(); ++i) {
        if (!words.at(i).quoted && words.at(i).value == name)
            return i + 1;
    }
    return -1;
}

bool ShellSimpleCommand::hasOption(QStringView name) const
{
    for (int i = 1; i < words.size(); ++i) {
        if (!words.at(i).quoted && words.at(i).value == name)
            return true;
    }
    return false;
}

class ShellLexerImpl {
public:
    explicit ShellLexerImpl(ShellLexer& lexer)
        : l(lexer)
        , t(lexer.m_text)
        , n(lexer.m_text.size())
    {
        l.m_quoting = QList<TextQuoting>(n, TextQuoting::Unquoted);
    }

    void run()
    {
        parseList(0, QChar());
        if (!m_pending.isEmpty())
            incomplete(u"the here-document ending with %1 is never closed"_s.arg(m_pending.constFirst().delimiter));
        if (m_trailingOperator)
            incomplete(u"the command ends with an operator (| && ||) and no command after it"_s);
    }

private:
    ShellLexer& l;
    const QString& t;
    const qsizetype n;
    qsizetype i = 0;
    QList<ShellHeredoc> m_pending;
    bool m_trailingOperator = false;
    QList<int> m_currentHeredocs; // indexes in m_pending of heredocs opened by the current simple command

    void incomplete(const QString& why)
    {
        if (!l.m_incomplete)
            l.m_problem = why;
        l.m_incomplete = true;
    }

    void mark(qsizetype from, qsizetype to, TextQuoting q)
    {
        for (qsizetype k = std::max<qsizetype>(0, from); k < std::min(to, n); ++k)
            l.m_quoting[k] = q;
    }

    void finish(ShellSimpleCommand& cur, int depth)
    {
        ShellSimpleCommand cmd = std::move(cur);
        cur = ShellSimpleCommand();
        cur.depth = depth;
        while (!cmd.words.isEmpty() && isAssignment(cmd.words.constFirst()))
            cmd.words.removeFirst();
        stripWrappers(cmd);
        if (cmd.words.isEmpty())
            return;
        const int index = int(l.m_commands.size());
        for (ShellHeredoc& h : m_pending) {
            if (h.command == -2)
                h.command = index;
        }
        const bool xargs = cmd.program() == u"xargs";
        ShellSimpleCommand payload;
        if (xargs) {
            static const QStringList withValue { u"-I"_s, u"-n"_s, u"-P"_s, u"-L"_s, u"-d"_s, u"-E"_s, u"-s"_s,
                u"-a"_s };
            const int p = cmd.positional(1, withValue);
            if (p > 0) {
                payload.words = cmd.words.mid(p);
                payload.depth = cmd.depth;
                payload.viaXargs = true;
            }
        }
        l.m_commands.append(std::move(cmd));
        if (!payload.words.isEmpty()) {
            stripWrappers(payload);
            l.m_commands.append(std::move(payload));
        }
    }

    static void stripWrappers(ShellSimpleCommand& cmd)
    {
        for (int guard = 0; guard < 8 && !cmd.words.isEmpty(); ++guard) {
            const QString prog = cmd.program();
            int skip = 0;
            if (prog == u"sudo" || prog == u"nohup" || prog == u"time" || prog == u"command" || prog == u"exec"
                || prog == u"stdbuf") {
                static const QStringList sudoValueOptions { u"-u"_s, u"-g"_s, u"-p"_s, u"-C"_s, u"-D"_s, u"-h"_s,
                    u"-r"_s, u"-t"_s, u"-U"_s };
                skip = 1;
                while (skip < cmd.words.size() && cmd.words.at(skip).isOption()) {
                    if (prog == u"sudo" && sudoValueOptions.contains(cmd.words.at(skip).value))
                        ++skip;
                    ++skip;
                }
            } else if (prog == u"env") {
                skip = 1;
                while (skip < cmd.words.size() && (cmd.words.at(skip).isOption() || isAssignment(cmd.words.at(skip))))
                    ++skip;
            } else if (prog == u"nice") {
                skip = 1;
                if (skip < cmd.words.size() && cmd.words.at(skip).value == u"-n")
                    skip += 2;
            } else if (prog == u"timeout") {
                skip = 1;
                while (skip < cmd.words.size() && cmd.words.at(skip).isOption())
                    ++skip;
                ++skip; // the duration
            } else {
                return;
            }
            cmd.words.remove(0, std::min<qsizetype>(skip, cmd.words.size()));
        }
    }

    void readHeredocBodies()
    {
        for (ShellHeredoc& h : m_pending) {
            h.bodyStart = i;
            bool found = false;
            while (i < n) {
                qsizetype lineEnd = t.indexOf(u'\n', i);
                if (lineEnd < 0)
                    lineEnd = n;
                QStringView line = QStringView(t).mid(i, lineEnd - i);
                if (line.endsWith(u'\r'))
                    line.chop(1);
                QStringView stripped = line;
                while (h.stripTabs && !stripped.isEmpty() && stripped.front() == u'\t')
                    stripped = stripped.mid(1);
                if (stripped == h.delimiter) {
                    h.bodyEnd = i;
                    mark(h.bodyStart, h.bodyEnd, h.quoted ? TextQuoting::Literal : TextQuoting::HeredocExpanding);
                    i = std::min(lineEnd + 1, n);
                    found = true;
                    break;
                }
                i = lineEnd + 1;
            }
            if (!found) {
                h.bodyEnd = n;
                i = n;
                mark(h.bodyStart, h.bodyEnd, h.quoted ? TextQuoting::Literal : TextQuoting::HeredocExpanding);
                incomplete(u"the here-document ending with %1 is never closed"_s.arg(h.delimiter));
                l.m_heredocs.append(h);
                m_pending.clear();
                return;
            }
            l.m_heredocs.append(h);
        }
        m_pending.clear();
    }

    // Parses commands until terminator (')' or '`') or the end. Returns when the terminator is consumed.
    void parseList(int depth, QChar terminator)
    {
        ShellSimpleCommand cur;
        cur.depth = depth;
        while (i < n) {
            const QChar c = t[i];
            if (!terminator.isNull() && c == terminator) {
                ++i;
                finish(cur, depth);
                return;
            }
            if (isBlank(c)) {
                ++i;
                continue;
            }
            if (c == u'\\' && i + 1 < n && t[i + 1] == u'\n') {
                i += 2;
                continue;
            }
            if (c == u'\\' && i + 1 >= n) {
                incomplete(u"the command ends with a '\\' and no line after it"_s);
                ++i;
                continue;
            }
            if (c == u'\n') {
                finish(cur, depth);
                ++i;
                if (!m_pending.isEmpty())
                    readHeredocBodies();
                continue;
            }
            if (c == u'#') {
                qsizetype end = t.indexOf(u'\n', i);
                if (end < 0)
                    end = n;
                mark(i, end, TextQuoting::Literal);
                i = end;
                continue;
            }
            if (c == u'&' && i + 1 < n && t[i + 1] == u'>') {
                parseRedirection(cur, 2, false);
                continue;
            }
            if (c == u'<' || c == u'>') {
                qsizetype len = 1;
                bool heredoc = false;
                if (t.mid(i, 3) == u"<<<") {
                    len = 3;
                } else if (t.mid(i, 3) == u"<<-") {
                    len = 3;
                    heredoc = true;
                } else if (t.mid(i, 2) == u"<<") {
                    len = 2;
                    heredoc = true;
                } else if (i + 1 < n && QStringView(u">&|").contains(t[i + 1])) {
                    len = 2;
                } else if (c == u'<' && i + 1 < n && (t[i + 1] == u'&' || t[i + 1] == u'>')) {
                    len = 2;
                }
                parseRedirection(cur, len, heredoc);
                continue;
            }
            if (isOperatorChar(c)) {
                qsizetype len = 1;
                bool continues = false;
                if ((c == u'|' || c == u'&') && i + 1 < n && t[i + 1] == c) {
                    len = 2;
                    continues = true;
                } else if (c == u'|') {
                    continues = true;
                    if (i + 1 < n && t[i + 1] == u'&')
                        len = 2;
                } else if (c == u';' && i + 1 < n && t[i + 1] == u';') {
                    len = 2;
                }
                finish(cur, depth);
                i += len;
                if (c == u'(') {
                    parseList(depth, u')');
                } else if (c == u')') {
                    // an unmatched ')' is not a command: ignore it
                }
                m_trailingOperator = continues;
                continue;
            }
            ShellWord w = parseWord(depth);
            if (w.end > w.start) {
                cur.words.append(std::move(w));
                m_trailingOperator = false;
            } else {
                ++i; // never loop on a character no rule consumes
            }
        }
        finish(cur, depth);
        if (!terminator.isNull())
            incomplete(terminator == u')' ? u"a '$(' or '(' is never closed"_s : u"a '`' is never closed"_s);
    }

    void parseRedirection(ShellSimpleCommand& cur, qsizetype len, bool heredoc)
    {
        // "2>&1": the digits before the operator name a file descriptor, not an argument.
        if (!cur.words.isEmpty() && cur.words.constLast().end == i
            && ParameterType::isAsciiDigits(cur.words.constLast().value))
            cur.words.removeLast();
        const bool stripTabs = t.mid(i, len) == u"<<-";
        i += len;
        while (i < n && isBlank(t[i]))
            ++i;
        ShellWord target = parseWord(cur.depth);
        if (heredoc) {
            if (target.value.isEmpty()) {
                incomplete(u"a here-document has no delimiter"_s);
                return;
            }
            ShellHeredoc h;
            h.delimiter = target.value;
            h.quoted = target.quoted;
            h.command = -2;
            h.stripTabs = stripTabs;
            m_pending.append(h);
        }
        m_trailingOperator = false;
    }

    void appendChar(ShellWord& w, qsizetype pos)
    {
        w.value.append(t[pos]);
        w.offsets.append(pos);
    }

    void appendRaw(ShellWord& w, qsizetype from, qsizetype to)
    {
        for (qsizetype k = from; k < to && k < n; ++k)
            appendChar(w, k);
    }

    // $(...) starting at i (pointing at '$'); leaves i after the closing ')'.
    void parseSubstitution(ShellWord& w, int depth)
    {
        const qsizetype from = i;
        w.expansion = true;
        if (i + 2 < n && t[i + 2] == u'(') {
            // $(( arithmetic )): skip to the matching "))".
            int level = 0;
            i += 1;
            while (i < n) {
                if (t[i] == u'(')
                    ++level;
                else if (t[i] == u')' && --level == 0) {
                    ++i;
                    break;
                }
                ++i;
            }
            if (level != 0)
                incomplete(u"a '$((' is never closed"_s);
        } else {
            i += 2;
            parseList(depth + 1, u')');
        }
        appendRaw(w, from, i);
    }

    void parseDollar(ShellWord& w, int depth, TextQuoting q)
    {
        if (i + 1 < n && t[i + 1] == u'(') {
            parseSubstitution(w, depth);
            return;
        }
        const qsizetype from = i;
        if (i + 1 < n && t[i + 1] == u'{') {
            const qsizetype close = t.indexOf(u'}', i + 2);
            i = close < 0 ? n : close + 1;
            if (close < 0)
                incomplete(u"a '${' is never closed"_s);
            w.expansion = true;
        } else if (i + 1 < n && (isNameChar(t[i + 1]) || QStringView(u"@*#?$!-").contains(t[i + 1]))) {
            ++i;
            if (isNameStart(t[i])) {
                while (i < n && isNameChar(t[i]))
                    ++i;
            } else {
                ++i;
            }
            w.expansion = true;
        } else {
            ++i;
        }
        mark(from, i, q);
        appendRaw(w, from, i);
    }

    void parseBacktick(ShellWord& w, int depth)
    {
        const qsizetype from = i;
        w.expansion = true;
        ++i;
        parseList(depth + 1, u'`');
        appendRaw(w, from, i);
    }

    ShellWord parseWord(int depth)
    {
        ShellWord w;
        w.start = i;
        while (i < n) {
            const QChar c = t[i];
            if (isBlank(c) || c == u'\n' || isOperatorChar(c))
                break;
            if (c == u'\\') {
                if (i + 1 < n && t[i + 1] == u'\n') {
                    i += 2;
                    continue;
                }
                if (i + 1 >= n) {
                    incomplete(u"the command ends with a '\\' and no line after it"_s);
                    ++i;
                    break;
                }
                appendChar(w, i + 1);
                w.quoted = true;
                i += 2;
                continue;
            }
            if (c == u'\'') {
                w.quoted = true;
                const qsizetype close = t.indexOf(u'\'', i + 1);
                const qsizetype end = close < 0 ? n : close;
                mark(i + 1, end, TextQuoting::SingleQuoted);
                appendRaw(w, i + 1, end);
                if (close < 0) {
                    incomplete(u"a single quote (') is never closed"_s);
                    i = n;
                    break;
                }
                i = close + 1;
                continue;
            }
            if (c == u'"') {
                w.quoted = true;
                ++i;
                while (i < n && t[i] != u'"') {
                    if (t[i] == u'\\' && i + 1 < n && QStringView(u"$`\"\\\n").contains(t[i + 1])) {
                        if (t[i + 1] != u'\n') {
                            l.m_quoting[i + 1] = TextQuoting::DoubleQuoted;
                            appendChar(w, i + 1);
                        }
                        i += 2;
                    } else if (t[i] == u'$') {
                        parseDollar(w, depth, TextQuoting::DoubleQuoted);
                    } else if (t[i] == u'`') {
                        parseBacktick(w, depth);
                    } else {
                        l.m_quoting[i] = TextQuoting::DoubleQuoted;
                        appendChar(w, i);
                        ++i;
                    }
                }
                if (i >= n) {
                    incomplete(u"a double quote (\") is never closed"_s);
                    break;
                }
                ++i;
                continue;
            }
            if (c == u'$') {
                parseDollar(w, depth, TextQuoting::Unquoted);
                continue;
            }
            if (c == u'`') {
                parseBacktick(w, depth);
                continue;
            }
            appendChar(w, i);
            ++i;
        }
        w.end = i;
        return w;
    }
};

ShellLexer::ShellLexer(const QString& text)
    : m_text(text)
{
    ShellLexerImpl(*this).run();
}

bool ShellLexer::isComplete() const { return !m_incomplete; }

TextQuoting ShellLexer::quotingAt(qsizetype pos) const
{
    return pos >= 0 && pos < m_quoting.size() ? m_quoting.at(pos) : TextQuoting::Unquoted;
}
