// SPDX-License-Identifier: MIT
#include "services/runbookparser.h"

#include "models/textrepair.h"
#include "services/codeblocksplitter.h"
#include "services/runbookannotation.h"
#include "services/stepanalyzer.h"

#include <QFile>
#include <QRegularExpression>

#include <md4c.h>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Pass 1: md4c's callbacks flattened into a list of blocks with source lines.

struct Inline {
    QString text;
    bool strong = false;
    bool code = false;
    QString href;
};

struct InlineLine {
    int line = 0;
    QList<Inline> parts;
    QString plain() const
    {
        QString s;
        for (const Inline& p : parts)
            s += p.text;
        return s;
    }
};

struct Block {
    enum class Type { Heading, Paragraph, ListItem, Code, Html, Table };
    Type type = Type::Paragraph;
    int line = 0;
    int level = 0; // heading level, list depth
    QList<InlineLine> lines; // heading, paragraph, list item
    QString code; // code block content; html text
    QString language;
    bool fenced = false;
    bool closed = true;
    int contentLine = 0; // first line of a code block's content
    QList<QStringList> rows; // table
    QString href; // list item: its first link

    QString plain() const
    {
        QStringList out;
        for (const InlineLine& l : lines)
            out.append(l.plain());
        return out.join(u'\n');
    }
};

class Collector {
public:
    Collector(const QByteArray& data)
        : m_data(data)
    {
        m_lineStarts.append(0);
        for (qsizetype i = 0; i < data.size(); ++i) {
            if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= data.size() || data[i + 1] != '\n')))
                m_lineStarts.append(i + 1);
        }
    }

    QList<Block> blocks;

    int lineOf(qsizetype offset) const // 1-based
    {
        const auto it = std::upper_bound(m_lineStarts.cbegin(), m_lineStarts.cend(), offset);
        return int(it - m_lineStarts.cbegin());
    }
    int lineCount() const { return int(m_lineStarts.size()); }
    QByteArray lineBytes(int line) const // 1-based, without the line break
    {
        if (line < 1 || line > m_lineStarts.size())
            return {};
        const qsizetype start = m_lineStarts.at(line - 1);
        qsizetype end = line < m_lineStarts.size() ? m_lineStarts.at(line) : m_data.size();
        while (end > start && (m_data[end - 1] == '\n' || m_data[end - 1] == '\r'))
            --end;
        return m_data.mid(start, end - start);
    }

    static int enterBlock(MD_BLOCKTYPE type, void* detail, void* user)
    {
        static_cast<Collector*>(user)->enter(type, detail);
        return 0;
    }
    static int leaveBlock(MD_BLOCKTYPE type, void* detail, void* user)
    {
        static_cast<Collector*>(user)->leave(type, detail);
        return 0;
    }
    static int enterSpan(MD_SPANTYPE type, void* detail, void* user)
    {
        static_cast<Collector*>(user)->span(type, detail, true);
        return 0;
    }
    static int leaveSpan(MD_SPANTYPE type, void* detail, void* user)
    {
        static_cast<Collector*>(user)->span(type, detail, false);
        return 0;
    }
    static int text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user)
    {
        static_cast<Collector*>(user)->addText(type, text, size);
        return 0;
    }

private:
    const QByteArray& m_data;
    QList<qsizetype> m_lineStarts;
    qsizetype m_lastEnd = 0; // one past the last byte of the last text seen in the buffer

    // Open containers.
    Block* m_current = nullptr; // the block receiving text
    Block m_heading;
    Block m_paragraph;
    Block m_code;
    Block m_html;
    Block m_table;
    QList<Block> m_items; // open list items, innermost last
    QList<bool> m_itemEmitted;
    QStringList m_row;
    QString m_cell;
    bool m_inCell = false;
    bool m_inTable = false;
    bool m_inParagraph = false;
    int m_strong = 0;
    int m_codeSpan = 0;
    QString m_href;
    qsizetype m_codeStartEnd = 0;
    QList<Block> m_inlineHtml; // HTML comments inside a paragraph, emitted after it

    static QString attribute(const MD_ATTRIBUTE& a)
    {
        return a.text && a.size ? QString::fromUtf8(a.text, qsizetype(a.size)) : QString();
    }

    void emitItem(int index)
    {
        if (index < 0 || index >= m_items.size() || m_itemEmitted.at(index))
            return;
        Block b = m_items.at(index);
        if (!b.plain().trimmed().isEmpty())
            blocks.append(b);
        m_itemEmitted[index] = true;
    }

    void enter(MD_BLOCKTYPE type, void* detail)
    {
        switch (type) {
        case MD_BLOCK_H:
            m_heading = Block();
            m_heading.type = Block::Type::Heading;
            m_heading.level = int(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
            m_heading.lines.append(InlineLine());
            m_current = &m_heading;
            break;
        case MD_BLOCK_P:
            if (m_inTable)
                break;
            m_inParagraph = true;
            if (!m_items.isEmpty() && !m_itemEmitted.constLast()) {
                // A paragraph inside a list item (loose list) is the item's text.
                Block& item = m_items.last();
                if (!item.lines.isEmpty() && !item.lines.constLast().parts.isEmpty())
                    item.lines.append(InlineLine());
                m_current = &item;
                break;
            }
            m_paragraph = Block();
            m_paragraph.type = Block::Type::Paragraph;
            m_paragraph.lines.append(InlineLine());
            m_current = &m_paragraph;
            break;
        case MD_BLOCK_LI: {
            // The parent item's own text comes before its nested list.
            emitItem(int(m_items.size()) - 1);
            Block item;
            item.type = Block::Type::ListItem;
            item.level = int(m_items.size());
            item.lines.append(InlineLine());
            m_items.append(item);
            m_itemEmitted.append(false);
            m_current = &m_items.last();
            break;
        }
        case MD_BLOCK_CODE: {
            const auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
            m_code = Block();
            m_code.type = Block::Type::Code;
            m_code.fenced = d->fence_char != 0;
            m_code.language = attribute(d->lang);
            m_codeStartEnd = m_lastEnd;
            m_current = &m_code;
            break;
        }
        case MD_BLOCK_HTML:
            m_html = Block();
            m_html.type = Block::Type::Html;
            m_current = &m_html;
            break;
        case MD_BLOCK_TABLE:
            m_table = Block();
            m_table.type = Block::Type::Table;
            m_inTable = true;
            break;
        case MD_BLOCK_TR:
            m_row.clear();
            break;
        case MD_BLOCK_TH:
        case MD_BLOCK_TD:
            m_cell.clear();
            m_inCell = true;
            break;
        default:
            break;
        }
    }

    void leave(MD_BLOCKTYPE type, void*)
    {
        switch (type) {
        case MD_BLOCK_H:
            blocks.append(m_heading);
            m_current = m_items.isEmpty() ? nullptr : &m_items.last();
            break;
        case MD_BLOCK_P:
            if (m_inTable)
                break;
            m_inParagraph = false;
            if (m_current == &m_paragraph)
                blocks.append(m_paragraph);
            blocks += m_inlineHtml;
            m_inlineHtml.clear();
            m_current = m_items.isEmpty() ? nullptr : &m_items.last();
            break;
        case MD_BLOCK_LI:
            emitItem(int(m_items.size()) - 1);
            m_items.removeLast();
            m_itemEmitted.removeLast();
            m_current = m_items.isEmpty() ? nullptr : &m_items.last();
            break;
        case MD_BLOCK_CODE:
            finishCode();
            blocks.append(m_code);
            m_current = m_items.isEmpty() ? nullptr : &m_items.last();
            break;
        case MD_BLOCK_HTML:
            blocks.append(m_html);
            m_current = m_items.isEmpty() ? nullptr : &m_items.last();
            break;
        case MD_BLOCK_TH:
        case MD_BLOCK_TD:
            m_row.append(m_cell.trimmed());
            m_inCell = false;
            break;
        case MD_BLOCK_TR:
            m_table.rows.append(m_row);
            break;
        case MD_BLOCK_TABLE:
            m_inTable = false;
            blocks.append(m_table);
            break;
        default:
            break;
        }
    }

    // The line without the block quote markers, list markers and indentation of its containers.
    static QByteArray stripContainers(QByteArray line)
    {
        qsizetype i = 0;
        while (i < line.size()) {
            if (line[i] == ' ' || line[i] == '\t' || line[i] == '>') {
                ++i;
            } else if ((line[i] == '-' || line[i] == '+' || line[i] == '*') && i + 1 < line.size()
                && line[i + 1] == ' ') {
                i += 2;
            } else if (line[i] >= '0' && line[i] <= '9') {
                qsizetype k = i;
                while (k < line.size() && k - i < 9 && line[k] >= '0' && line[k] <= '9')
                    ++k;
                if (k + 1 < line.size() && (line[k] == '.' || line[k] == ')') && line[k + 1] == ' ')
                    i = k + 2;
                else
                    break;
            } else {
                break;
            }
        }
        return line.mid(i);
    }

    void finishCode()
    {
        const int contentLines = int(m_code.code.count(u'\n'));
        if (!m_code.fenced) {
            if (m_code.line == 0)
                m_code.line = lineOf(m_codeStartEnd);
            m_code.contentLine = m_code.line;
            return;
        }
        // The opening fence is the first line after the previous text that starts with ``` or ~~~, and before the
        // first line of code (m_code.line, when the block has text).
        int fenceLine = m_codeStartEnd > 0 ? lineOf(m_codeStartEnd - 1) + 1 : 1;
        const int lastCandidate = m_code.line > 0 ? m_code.line - 1 : lineCount();
        char fenceChar = '`';
        int fenceLength = 3;
        bool found = false;
        for (int l = fenceLine; l <= lastCandidate; ++l) {
            const QByteArray s = stripContainers(lineBytes(l));
            if (s.startsWith("```") || s.startsWith("~~~")) {
                fenceLine = l;
                fenceChar = s[0];
                fenceLength = 0;
                while (fenceLength < s.size() && s[fenceLength] == fenceChar)
                    ++fenceLength;
                found = true;
                break;
            }
        }
        if (!found && m_code.line > 0)
            fenceLine = m_code.line - 1; // a fence the scan cannot see (an unusual container): the line before the code
        fenceLine = std::clamp(fenceLine, 1, lineCount());
        m_code.line = fenceLine;
        m_code.contentLine = fenceLine + 1;
        const QByteArray closing = stripContainers(lineBytes(fenceLine + 1 + contentLines));
        int closeLength = 0;
        while (closeLength < closing.size() && closing[closeLength] == fenceChar)
            ++closeLength;
        m_code.closed = fenceLine + 1 + contentLines <= lineCount() && closeLength >= fenceLength
            && closing.mid(closeLength).trimmed().isEmpty();
        // What follows starts after the closing fence, not after the last line of code.
        const int after = fenceLine + 1 + contentLines; // 1-based line of the closing fence
        if (m_code.closed && after < m_lineStarts.size())
            m_lastEnd = m_lineStarts.at(after);
    }

    void span(MD_SPANTYPE type, void* detail, bool enter)
    {
        switch (type) {
        case MD_SPAN_STRONG:
            m_strong += enter ? 1 : -1;
            break;
        case MD_SPAN_CODE:
            m_codeSpan += enter ? 1 : -1;
            break;
        case MD_SPAN_A:
            m_href = enter ? attribute(static_cast<MD_SPAN_A_DETAIL*>(detail)->href) : QString();
            if (enter && m_current && m_current->type == Block::Type::ListItem && m_current->href.isEmpty())
                m_current->href = m_href;
            break;
        default:
            break;
        }
    }

    static QString decodeEntity(const QString& entity)
    {
        static const QList<std::pair<QString, QString>> named { { u"&amp;"_s, u"&"_s }, { u"&lt;"_s, u"<"_s },
            { u"&gt;"_s, u">"_s }, { u"&quot;"_s, u"\""_s }, { u"&apos;"_s, u"'"_s }, { u"&nbsp;"_s, u"\u00a0"_s } };
        for (const auto& [name, value] : named) {
            if (entity == name)
                return value;
        }
        if (entity.startsWith(u"&#") && entity.endsWith(u';')) {
            bool ok = false;
            const bool hex = entity.size() > 3 && (entity[2] == u'x' || entity[2] == u'X');
            const uint cp = entity.mid(hex ? 3 : 2, entity.size() - (hex ? 4 : 3)).toUInt(&ok, hex ? 16 : 10);
            if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                const char32_t c = cp;
                return QString::fromUcs4(&c, 1);
            }
            return u"\uFFFD"_s;
        }
        return entity;
    }

    void addText(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size)
    {
        const char* base = m_data.constData();
        const bool inBuffer = text >= base && text + size <= base + m_data.size();
        int line = 0;
        if (inBuffer && size > 0) {
            const qsizetype offset = text - base;
            line = lineOf(offset);
            m_lastEnd = offset + size;
        }
        QString s;
        switch (type) {
        case MD_TEXT_NULLCHAR:
            s = u"\uFFFD"_s;
            break;
        case MD_TEXT_ENTITY:
            s = decodeEntity(QString::fromUtf8(text, qsizetype(size)));
            break;
        case MD_TEXT_BR:
        case MD_TEXT_SOFTBR:
            if (m_current && m_current->type != Block::Type::Code && m_current->type != Block::Type::Html) {
                if (m_current->type == Block::Type::Heading || m_inCell)
                    s = u" "_s;
                else {
                    m_current->lines.append(InlineLine());
                    return;
                }
            }
            break;
        case MD_TEXT_HTML:
            if (m_inParagraph && m_current && m_current->type != Block::Type::Html) {
                Block html;
                html.type = Block::Type::Html;
                html.line = line;
                html.code = QString::fromUtf8(text, qsizetype(size));
                m_inlineHtml.append(html);
                return;
            }
            s = QString::fromUtf8(text, qsizetype(size));
            break;
        default:
            s = QString::fromUtf8(text, qsizetype(size));
            break;
        }
        if (m_inCell) {
            m_cell += s;
            return;
        }
        if (!m_current)
            return;
        if (m_current->line == 0 && line > 0)
            m_current->line = line;
        if (m_current->type == Block::Type::Code || m_current->type == Block::Type::Html) {
            m_current->code += s;
            return;
        }
        if (m_current->lines.isEmpty())
            m_current->lines.append(InlineLine());
        InlineLine& l = m_current->lines.last();
        if (l.line == 0)
            l.line = line;
        Inline part;
        part.text = s;
        part.strong = m_strong > 0;
        part.code = m_codeSpan > 0;
        part.href = m_href;
        if (!l.parts.isEmpty() && l.parts.constLast().strong == part.strong && l.parts.constLast().code == part.code
            && l.parts.constLast().href == part.href)
            l.parts.last().text += s;
        else
            l.parts.append(part);
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Pass 2: the blocks interpreted as a runbook document.

std::optional<std::chrono::milliseconds> parseDuration(QStringView text)
{
    static const QRegularExpression re(
        u"([0-9]+)(?:\\s*-\\s*([0-9]+))?\\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\\b"_s,
        QRegularExpression::CaseInsensitiveOption);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const qint64 n = (m.capturedLength(2) ? m.captured(2) : m.captured(1)).toLongLong();
    const QString unit = m.captured(3).toLower();
    if (unit.startsWith(u's'))
        return std::chrono::milliseconds(n * 1000);
    if (unit.startsWith(u'm'))
        return std::chrono::milliseconds(n * 60'000);
    if (unit.startsWith(u'h'))
        return std::chrono::milliseconds(n * 3'600'000);
    return std::chrono::milliseconds(n * 86'400'000);
}

class Builder {
public:
    Builder(RunbookDocument& doc, const Collector& collector, const QStringList& sourceLines)
        : m_doc(doc)
        , m_collector(collector)
        , m_sourceLines(sourceLines)
        , m_names(EnvironmentProfile::runbookNames())
    {
    }

    void run(const QList<Block>& blocks)
    {
        for (const Block& b : blocks) {
            switch (b.type) {
            case Block::Type::Heading:
                heading(b);
                break;
            case Block::Type::Paragraph:
                paragraph(b);
                break;
            case Block::Type::ListItem:
                listItem(b);
                break;
            case Block::Type::Code:
                code(b);
                break;
            case Block::Type::Html:
                html(b);
                break;
            case Block::Type::Table:
                table(b);
                break;
            }
            m_previous = b.type;
        }
        dropPendingAnnotation();
        finishIncident();
        finishSections();
        assignRefsAndPrefills();
        if (m_doc.runbooks.isEmpty() && m_doc.catalogue.isEmpty())
            error(0,
                u"no incident runbooks (### sections under \u201CCommon Incidents\u201D) and no command catalogue "
                "(\u201CUseful Commands\u201D) found"_s);
    }

private:
    enum class Area { Other, Incidents, Commands };
    enum class Part { Intro, Symptoms, Diagnosis, Resolution, PostIncident, Other };

    RunbookDocument& m_doc;
    const Collector& m_collector;
    const QStringList& m_sourceLines;
    EnvironmentProfile m_names;

    Area m_area = Area::Other;
    QString m_h2;
    std::optional<Runbook> m_incident;
    bool m_sawSeverity = false; // a Severity line, even one that could not be understood
    bool m_sawAlert = false;
    Part m_part = Part::Intro;
    std::optional<CatalogueGroup> m_group;
    std::optional<RunbookAnnotation> m_pending; // a block annotation waiting for its code block
    QString m_caption; // the bold lead-in paragraph just before a code block
    Block::Type m_previous = Block::Type::Heading;
    QList<int> m_sectionStack; // indexes into m_doc.sections

    void error(int line, const QString& message)
    {
        m_doc.diagnostics.append({ RunbookDiagnostic::Level::Error, m_doc.sourceFile, line, message });
    }
    void warning(int line, const QString& message)
    {
        m_doc.diagnostics.append({ RunbookDiagnostic::Level::Warning, m_doc.sourceFile, line, message });
    }

    RunbookSection* currentSection()
    {
        return m_sectionStack.isEmpty() ? nullptr : &m_doc.sections[m_sectionStack.constLast()];
    }

    void dropPendingAnnotation()
    {
        if (m_pending) {
            warning(m_pending->line, u"this annotation is not followed by a code block in its section"_s);
            m_pending.reset();
        }
    }

    void finishGroup()
    {
        if (m_group) {
            m_doc.catalogue.append(*m_group);
            m_group.reset();
        }
    }

    void finishIncident()
    {
        finishGroup();
        if (!m_incident)
            return;
        Runbook& r = *m_incident;
        if (!r.severity && !m_sawSeverity)
            error(r.line,
                u"incident \u201C%1\u201D has no severity: add a line **Severity**: P0 (P0 to P3)"_s.arg(r.title));
        if (!r.alert && !m_sawAlert)
            warning(r.line,
                u"incident \u201C%1\u201D has no alert: add a line **Alert**: `metric > threshold`"_s.arg(r.title));
        if (r.diagnosis.isEmpty() && r.resolution.isEmpty())
            warning(r.line, u"incident \u201C%1\u201D has no diagnosis or resolution steps"_s.arg(r.title));
        for (const ResolutionOption& o : r.resolution) {
            if (o.steps.isEmpty())
                warning(o.line, u"resolution option \u201C%1\u201D has no steps"_s.arg(o.title));
        }
        m_doc.runbooks.append(r);
        m_incident.reset();
    }

    void heading(const Block& b)
    {
        dropPendingAnnotation();
        m_caption.clear();
        const QString title = b.plain().trimmed();
        // Sections: every heading opens one, closing those of the same or a deeper level.
        while (!m_sectionStack.isEmpty() && m_doc.sections.at(m_sectionStack.constLast()).level >= b.level)
            m_sectionStack.removeLast();
        RunbookSection section;
        section.title = title;
        section.level = b.level;
        section.line = b.line;
        // Paths leave out the document's title (level 1): "Escalation Procedures/Escalation Contacts".
        const bool hasParent = !m_sectionStack.isEmpty() && m_doc.sections.at(m_sectionStack.constLast()).level > 1;
        section.path = hasParent ? m_doc.sections.at(m_sectionStack.constLast()).path + u'/' + title : title;
        m_doc.sections.append(section);
        m_sectionStack.append(int(m_doc.sections.size()) - 1);

        if (b.level == 1) {
            if (m_doc.title.isEmpty())
                m_doc.title = title;
            finishIncident();
            m_area = Area::Other;
            return;
        }
        if (b.level == 2) {
            finishIncident();
            m_h2 = title;
            if (title.endsWith(u"Incidents", Qt::CaseInsensitive))
                m_area = Area::Incidents;
            else if (title.endsWith(u"Commands", Qt::CaseInsensitive))
                m_area = Area::Commands;
            else
                m_area = Area::Other;
            return;
        }
        if (b.level == 3) {
            finishIncident();
            if (m_area == Area::Incidents) {
                Runbook r;
                r.sourceFile = m_doc.sourceFile;
                r.line = b.line;
                static const QRegularExpression numbered(u"^([0-9]{1,4})[.)]\\s+(.*)$"_s);
                const auto m = numbered.match(title);
                r.number = m.hasMatch() ? m.captured(1).toInt() : 0;
                r.title = m.hasMatch() ? m.captured(2).trimmed() : title;
                m_incident = r;
                m_part = Part::Intro;
                m_sawSeverity = false;
                m_sawAlert = false;
            } else if (m_area == Area::Commands) {
                CatalogueGroup g;
                g.name = title;
                g.line = b.line;
                m_group = g;
            }
            return;
        }
        if (!m_incident)
            return;
        if (b.level == 4) {
            const QString t = title.toLower();
            if (t.startsWith(u"symptom"))
                m_part = Part::Symptoms;
            else if (t.startsWith(u"diagnos"))
                m_part = Part::Diagnosis;
            else if (t.startsWith(u"resolution") || t.startsWith(u"mitigation") || t.startsWith(u"fix"))
                m_part = Part::Resolution;
            else if (t.startsWith(u"post-incident") || t.startsWith(u"post incident") || t.startsWith(u"follow"))
                m_part = Part::PostIncident;
            else {
                m_part = Part::Other;
                warning(b.line,
                    u"\u201C%1\u201D is not a part the console knows (Symptoms, Diagnosis, Resolution, "
                    "Post-Incident): kept as text only"_s.arg(title));
            }
            return;
        }
        if (m_part == Part::Resolution) // ##### Option headings
            startOption(title, QString(), b.line);
    }

    void startOption(const QString& strong, const QString& rest, int line)
    {
        ResolutionOption o;
        o.line = line;
        QString s = strong.trimmed();
        if (s.endsWith(u':'))
            s.chop(1);
        const qsizetype colon = s.indexOf(u':');
        if (colon > 0) {
            o.label = s.left(colon).trimmed();
            o.title = s.mid(colon + 1).trimmed();
        } else {
            o.label = s;
            o.title = rest.trimmed().isEmpty() ? s : rest.trimmed();
        }
        m_incident->resolution.append(o);
    }

    static std::pair<QString, QString> leadIn(const InlineLine& l)
    {
        // "**Key**: rest" → ("Key", "rest")
        if (l.parts.isEmpty() || !l.parts.constFirst().strong)
            return {};
        QString key = l.parts.constFirst().text.trimmed();
        QString rest;
        for (qsizetype i = 1; i < l.parts.size(); ++i)
            rest += l.parts.at(i).text;
        rest = rest.trimmed();
        if (key.endsWith(u':'))
            key.chop(1);
        else if (rest.startsWith(u':'))
            rest = rest.mid(1).trimmed();
        return { key.trimmed(), rest };
    }

    void paragraph(const Block& b)
    {
        if (RunbookSection* s = currentSection())
            s->paragraphs.append(b.plain());
        m_caption.clear();
        if (!b.lines.isEmpty()) {
            const auto [key, rest] = leadIn(b.lines.constFirst());
            if (!key.isEmpty() && b.lines.size() == 1)
                m_caption = key;
        }
        if (!m_incident)
            return;
        if (m_part == Part::Intro) {
            for (const InlineLine& l : b.lines) {
                const auto [key, rest] = leadIn(l);
                const int line = l.line ? l.line : b.line;
                if (key.compare(u"Alert", Qt::CaseInsensitive) == 0) {
                    m_sawAlert = true;
                    QString expression = rest;
                    for (const Inline& p : l.parts) {
                        if (p.code) {
                            expression = p.text;
                            break;
                        }
                    }
                    QString why;
                    m_incident->alert = RunbookAlert::parse(expression, &why);
                    if (!m_incident->alert)
                        error(line, why);
                } else if (key.compare(u"Severity", Qt::CaseInsensitive) == 0) {
                    m_sawSeverity = true;
                    m_incident->severity = severityFromCode(rest);
                    if (!m_incident->severity)
                        error(line, u"unknown severity \u201C%1\u201D: use P0, P1, P2 or P3"_s.arg(rest));
                }
            }
            return;
        }
        if (m_part == Part::Resolution && !b.lines.isEmpty() && !b.lines.constFirst().parts.isEmpty()
            && b.lines.constFirst().parts.constFirst().strong) {
            const auto [key, rest] = leadIn(b.lines.constFirst());
            startOption(b.lines.constFirst().parts.constFirst().text, rest, b.line);
            return;
        }
        if (m_part == Part::Diagnosis || m_part == Part::Resolution)
            addManual(b.plain(), b.line);
    }

    void addManual(const QString& text, int line)
    {
        RunbookStep step;
        step.kind = StepKind::Manual;
        step.risk = StepRisk::Read;
        step.riskReason = u"manual steps are done by people"_s;
        step.text = text;
        step.title = text.section(u'\n', 0, 0).trimmed();
        step.line = line;
        appendSteps({ step }, line);
    }

    void appendSteps(const QList<RunbookStep>& steps, int line)
    {
        if (m_part == Part::Diagnosis) {
            m_incident->diagnosis += steps;
            return;
        }
        if (m_incident->resolution.isEmpty()) {
            ResolutionOption o;
            o.title = u"Resolution"_s;
            o.line = line;
            m_incident->resolution.append(o);
        }
        m_incident->resolution.last().steps += steps;
    }

    void listItem(const Block& b)
    {
        m_caption.clear();
        const QString text = b.plain().trimmed();
        if (RunbookSection* s = currentSection())
            s->listItems.append({ text, b.href, b.level, b.line });
        if (!m_incident)
            return;
        switch (m_part) {
        case Part::Symptoms:
            m_incident->symptoms.append(text);
            break;
        case Part::PostIncident:
            m_incident->postIncident.append(text);
            break;
        case Part::Diagnosis:
        case Part::Resolution:
            addManual(text, b.line);
            break;
        default:
            break;
        }
    }

    void code(const Block& b)
    {
        RunbookCodeBlock block;
        block.language = b.language;
        block.text = b.code;
        block.line = b.line;
        if (m_previous == Block::Type::Paragraph)
            block.caption = m_caption;
        m_caption.clear();
        if (RunbookSection* s = currentSection())
            s->codeBlocks.append(block);
        if (!b.closed) {
            error(b.line,
                u"this code block is never closed: add a line with %1 after its last line"_s.arg(
                    b.code.isEmpty() ? u"```"_s : u"the same fence (```)"_s));
        }
        const RunbookAnnotation annotation = m_pending.value_or(RunbookAnnotation());
        m_pending.reset();

        CodeBlockSplitter::Input input;
        input.language = b.language;
        input.text = b.code;
        input.firstLine = b.contentLine;
        input.annotation = annotation;
        const CodeBlockSplitter splitter(m_names, m_doc.sourceFile);
        if (m_incident) {
            if (m_part != Part::Diagnosis && m_part != Part::Resolution) {
                if (!annotation.isEmpty() || m_part == Part::Intro || m_part == Part::Symptoms)
                    warning(b.line, u"a code block outside Diagnosis and Resolution is not a step"_s);
                return;
            }
            if (m_part == Part::Resolution && !m_incident->resolution.isEmpty())
                input.fallbackTitle = m_incident->resolution.constLast().title;
            if (CodeBlockSplitter::typeOf(b.language) == CodeBlockSplitter::BlockType::Plain) {
                warning(b.line,
                    u"a code block without a language is shown as a manual step: write ```bash or "
                    "```sql to make it runnable"_s);
            }
            appendSteps(splitter.split(input, &m_doc.diagnostics), b.line);
            return;
        }
        if (m_area == Area::Commands) {
            if (!m_group) {
                CatalogueGroup g;
                g.name = m_h2;
                g.line = b.line;
                m_group = g;
            }
            m_group->steps += splitter.split(input, &m_doc.diagnostics);
            return;
        }
        if (!annotation.isEmpty() && !annotation.skip)
            warning(
                annotation.line, u"annotations only apply to code blocks of incidents and of the command catalogue"_s);
        const RunbookSection* s = currentSection();
        if (!m_doc.flow && s && s->title.contains(u"Flow", Qt::CaseInsensitive))
            parseFlow(b);
    }

    void parseFlow(const Block& b)
    {
        const QString text = TextRepair::repairMojibake(b.code);
        static const QRegularExpression stepRe(u"^([0-9]+)\\.\\s+(.+?)\\s*\\(([^)]*)\\)$"_s);
        QList<FlowStep> steps;
        for (const QString& raw : text.split(u'\n')) {
            QString line;
            for (QChar c : raw) {
                const char16_t u = c.unicode();
                // Box drawing, arrows and anything else a broken diagram leaves behind.
                if ((u >= 0x2500 && u <= 0x25FF) || (u >= 0x80 && u <= 0x9F) || c == u'\uFFFD'
                    || (u >= 0x2190 && u <= 0x21FF))
                    line.append(u' ');
                else
                    line.append(c);
            }
            line = line.trimmed();
            const auto m = stepRe.match(line);
            if (m.hasMatch()) {
                FlowStep step;
                step.name = m.captured(2).trimmed();
                step.targetText = m.captured(3).trimmed();
                step.target = parseDuration(step.targetText);
                steps.append(step);
            } else if (line.startsWith(u"- ") && !steps.isEmpty()) {
                steps.last().actions.append(line.mid(2).trimmed());
            }
        }
        if (!steps.isEmpty())
            m_doc.flow = ResponseFlow(steps);
    }

    void table(const Block& b)
    {
        m_caption.clear();
        RunbookTable t;
        t.line = b.line;
        if (!b.rows.isEmpty()) {
            t.header = b.rows.constFirst();
            t.rows = b.rows.mid(1);
        }
        if (RunbookSection* s = currentSection())
            s->tables.append(t);
        const qsizetype severityCol = t.header.indexOf(u"Severity"_s);
        const qsizetype responseCol = t.header.indexOf(u"Response Time"_s);
        if (m_doc.severityTable || severityCol < 0 || responseCol < 0)
            return;
        const qsizetype descriptionCol = t.header.indexOf(u"Description"_s);
        const qsizetype examplesCol = t.header.indexOf(u"Examples"_s);
        QList<SeverityLevel> levels;
        for (const QStringList& row : t.rows) {
            const auto cell = [&row](qsizetype c) { return c >= 0 && c < row.size() ? row.at(c) : QString(); };
            const auto severity = severityFromCode(cell(severityCol));
            if (!severity) {
                error(b.line, u"unknown severity \u201C%1\u201D in the severity table"_s.arg(cell(severityCol)));
                continue;
            }
            SeverityLevel level;
            level.severity = *severity;
            const QString label = cell(severityCol);
            const qsizetype dash = label.indexOf(u" - "_s);
            level.name = dash >= 0 ? label.mid(dash + 3).trimmed() : QString();
            level.description = cell(descriptionCol);
            level.responseTimeText = cell(responseCol);
            level.responseTime = parseDuration(level.responseTimeText).value_or(0ms);
            level.examples = cell(examplesCol);
            levels.append(level);
        }
        if (!levels.isEmpty())
            m_doc.severityTable = SeverityTable(levels);
    }

    void html(const Block& b)
    {
        const QString text = b.code.trimmed();
        if (!text.startsWith(u"<!--"))
            return;
        const auto directives = RunbookAnnotation::directivesOf(text);
        if (!directives) {
            QString inner = text.mid(4).trimmed();
            if (inner.startsWith(u"petforce", Qt::CaseInsensitive))
                error(b.line, u"an annotation starts with \u201Cpetforce:\u201D (with the colon)"_s);
            return;
        }
        const RunbookAnnotation a = RunbookAnnotation::parse(*directives, b.line);
        for (const QString& e : a.errors)
            error(b.line, e);
        for (const auto& [field, value] : a.names)
            m_names.setValue(field, value);
        if (!a.names.isEmpty() && a.isEmpty())
            return;
        RunbookAnnotation blockLevel = a;
        blockLevel.names.clear();
        if (blockLevel.isEmpty())
            return;
        if (m_pending)
            warning(m_pending->line, u"this annotation is followed by another before any code block"_s);
        m_pending = blockLevel;
    }

    void finishSections()
    {
        for (int i = 0; i < m_doc.sections.size(); ++i) {
            RunbookSection& s = m_doc.sections[i];
            int end = int(m_sourceLines.size());
            for (int j = i + 1; j < m_doc.sections.size(); ++j) {
                if (m_doc.sections.at(j).level <= s.level) {
                    end = m_doc.sections.at(j).line - 1;
                    break;
                }
            }
            // Trailing blank lines and the thematic break (---) that separates sections belong to no section.
            static const QRegularExpression rule(u"^\\s{0,3}([-*_])(\\s*\\1){2,}\\s*$"_s);
            while (end > s.line
                && (m_sourceLines.value(end - 1).trimmed().isEmpty()
                    || rule.match(m_sourceLines.value(end - 1)).hasMatch()))
                --end;
            s.endLine = end;
            const QStringList lines = m_sourceLines.mid(s.line - 1, std::max(0, end - s.line + 1));
            s.markdown = TextRepair::repairMojibake(lines.join(u'\n'));
        }
    }

    void assignRefsAndPrefills()
    {
        for (Runbook& r : m_doc.runbooks) {
            for (int i = 0; i < r.diagnosis.size(); ++i)
                r.diagnosis[i].ref = u"diagnosis/"_s + QString::number(i);
            for (int o = 0; o < r.resolution.size(); ++o) {
                for (int i = 0; i < r.resolution[o].steps.size(); ++i)
                    r.resolution[o].steps[i].ref = u"resolution/%1/%2"_s.arg(o).arg(i);
            }
        }
        for (CatalogueGroup& g : m_doc.catalogue) {
            for (int i = 0; i < g.steps.size(); ++i)
                g.steps[i].ref = u"catalogue/%1/%2"_s.arg(g.name).arg(i);
        }
        QHash<const RunbookStep*, QStringList> keys; // result keys by step, computed once
        QList<const RunbookStep*> catalogueSteps;
        for (const CatalogueGroup& g : m_doc.catalogue) {
            for (const RunbookStep& s : g.steps)
                catalogueSteps.append(&s);
        }
        // Earlier steps, nearest first; then the catalogue.
        for (Runbook& r : m_doc.runbooks) {
            for (int i = 0; i < r.diagnosis.size(); ++i) {
                QList<const RunbookStep*> earlier;
                for (int j = i - 1; j >= 0; --j)
                    earlier.append(&r.diagnosis.at(j));
                StepAnalyzer::assignPrefills(r.diagnosis[i], earlier + catalogueSteps, &keys);
            }
            for (ResolutionOption& o : r.resolution) {
                for (int i = 0; i < o.steps.size(); ++i) {
                    QList<const RunbookStep*> earlier;
                    for (int j = i - 1; j >= 0; --j)
                        earlier.append(&o.steps.at(j));
                    for (int j = int(r.diagnosis.size()) - 1; j >= 0; --j)
                        earlier.append(&r.diagnosis.at(j));
                    StepAnalyzer::assignPrefills(o.steps[i], earlier + catalogueSteps, &keys);
                }
            }
        }
        for (CatalogueGroup& g : m_doc.catalogue) {
            for (int i = 0; i < g.steps.size(); ++i) {
                QList<const RunbookStep*> earlier;
                for (int j = i - 1; j >= 0; --j)
                    earlier.append(&g.steps.at(j));
                for (const RunbookStep* s : catalogueSteps) {
                    if (!s->ref.startsWith(u"catalogue/"_s + g.name + u'/'))
                        earlier.append(s);
                }
                StepAnalyzer::assignPrefills(g.steps[i], earlier, &keys);
            }
        }
    }
};

} // namespace

RunbookDocument RunbookParser::parse(const QByteArray& markdown, const QString& sourceFile)
{
    RunbookDocument doc;
    doc.sourceFile = sourceFile;
    if (markdown.size() > maxFileSize) {
        doc.diagnostics.append({ RunbookDiagnostic::Level::Error, sourceFile, 0,
            u"the file is larger than %1 MiB: not a runbook"_s.arg(maxFileSize / (1024 * 1024)) });
        return doc;
    }
    Collector collector(markdown);
    MD_PARSER parser {};
    parser.abi_version = 0;
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = &Collector::enterBlock;
    parser.leave_block = &Collector::leaveBlock;
    parser.enter_span = &Collector::enterSpan;
    parser.leave_span = &Collector::leaveSpan;
    parser.text = &Collector::text;
    if (md_parse(markdown.constData(), MD_SIZE(markdown.size()), &parser, &collector) != 0) {
        doc.diagnostics.append(
            { RunbookDiagnostic::Level::Error, sourceFile, 0, u"the Markdown parser gave up on this file"_s });
        return doc;
    }
    QString decoded = QString::fromUtf8(markdown);
    decoded.replace(u"\r\n"_s, u"\n"_s);
    decoded.replace(u'\r', u'\n');
    const QStringList sourceLines = decoded.split(u'\n');
    Builder(doc, collector, sourceLines).run(collector.blocks);
    std::stable_sort(doc.diagnostics.begin(), doc.diagnostics.end(),
        [](const RunbookDiagnostic& a, const RunbookDiagnostic& b) { return a.line < b.line; });
    return doc;
}

RunbookDocument RunbookParser::parseFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        RunbookDocument doc;
        doc.sourceFile = path;
        doc.diagnostics.append(
            { RunbookDiagnostic::Level::Error, path, 0, u"cannot read the file: "_s + file.errorString() });
        return doc;
    }
    if (file.size() > maxFileSize) {
        RunbookDocument doc;
        doc.sourceFile = path;
        doc.diagnostics.append({ RunbookDiagnostic::Level::Error, path, 0,
            u"the file is larger than %1 MiB: not a runbook"_s.arg(maxFileSize / (1024 * 1024)) });
        return doc;
    }
    return parse(file.readAll(), path);
}
