// SPDX-License-Identifier: MIT
#include "services/codeblocksplitter.h"

#include "services/shelllexer.h"
#include "services/sqlscanner.h"
#include "services/stepanalyzer.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace {

struct CommentLine {
    int index = 0; // line index in the block
    QString raw;
};

QString firstUrl(QStringView text)
{
    static const QRegularExpression url(u"https?://[^\\s<>\"'`)]+"_s);
    const auto m = url.match(text);
    return m.hasMatch() ? m.captured(0) : QString();
}

bool isLinkLine(QStringView line)
{
    return line.contains(u"Navigate to", Qt::CaseInsensitive) || !firstUrl(line).isEmpty();
}

QString joinRaw(const QList<CommentLine>& lines)
{
    QStringList raw;
    for (const CommentLine& l : lines)
        raw.append(l.raw);
    return raw.join(u'\n');
}

// A short title for a command without a comment: its first words that are not options ("aws ecs update-service").
QString commandTitle(QStringView text)
{
    QStringList words;
    for (QStringView w : text.split(u' ', Qt::SkipEmptyParts)) {
        if (w.startsWith(u'-') || w == u"\\" || w.contains(u'\n') || words.size() == 3)
            break;
        words.append(w.toString());
    }
    return words.join(u' ');
}

bool declaresParameter(const RunbookAnnotation& annotation, bool have, const QString& name)
{
    return have
        && std::any_of(annotation.parameters.cbegin(), annotation.parameters.cend(),
            [&name](const DeclaredParameter& d) { return d.name == name; });
}

int lineOfOffset(QStringView text, qsizetype offset) { return int(text.left(offset).count(u'\n')); }

} // namespace

CodeBlockSplitter::CodeBlockSplitter(const EnvironmentProfile& names, QString file)
    : m_names(names)
    , m_file(std::move(file))
{
}

CodeBlockSplitter::BlockType CodeBlockSplitter::typeOf(QStringView language)
{
    const QString l = language.toString().toLower();
    if (l.isEmpty() || l == u"text" || l == u"txt" || l == u"plain" || l == u"plaintext")
        return BlockType::Plain;
    if (l == u"bash" || l == u"sh" || l == u"shell" || l == u"zsh")
        return BlockType::Shell;
    if (l == u"sql" || l == u"postgres" || l == u"postgresql" || l == u"pgsql" || l == u"plpgsql" || l == u"psql")
        return BlockType::Sql;
    return BlockType::Snippet;
}

QString CodeBlockSplitter::cleanTitle(QStringView comment)
{
    QStringView t = comment.trimmed();
    while (t.startsWith(u'#'))
        t = t.mid(1);
    if (t.startsWith(u"--") || t.startsWith(u"//"))
        t = t.mid(2);
    t = t.trimmed();
    static const QRegularExpression numbering(u"^[0-9]{1,3}[.)]\\s+"_s);
    const auto m = numbering.match(t);
    if (m.hasMatch())
        t = t.mid(m.capturedLength());
    return t.trimmed().toString();
}

void CodeBlockSplitter::error(QList<RunbookDiagnostic>* diagnostics, int line, const QString& message) const
{
    diagnostics->append({ RunbookDiagnostic::Level::Error, m_file, line, message });
}

void CodeBlockSplitter::warning(QList<RunbookDiagnostic>* diagnostics, int line, const QString& message) const
{
    diagnostics->append({ RunbookDiagnostic::Level::Warning, m_file, line, message });
}

void CodeBlockSplitter::finishStep(
    RunbookStep& step, const RunbookAnnotation& annotation, QList<RunbookDiagnostic>* diagnostics) const
{
    if (step.isRunnable() && step.title.startsWith(u"inside ", Qt::CaseInsensitive)) {
        // "# Inside container": typed in a session opened by an earlier step, never run from here.
        step.kind = StepKind::Manual;
        step.risk = StepRisk::Read;
        step.riskReason = u"runs inside another session (\u201C%1\u201D): shown, not run"_s.arg(step.title);
        step.parameters.clear();
        step.spans.clear();
        step.interactive = false;
        step.untilStopped = false;
    }
    if (annotation.kind) {
        step.kind = *annotation.kind;
        if (!step.isRunnable()) {
            step.spans.clear();
            step.risk = StepRisk::Read;
            step.riskReason = u"kind=%1 from the annotation at line %2"_s.arg(RunbookStep::kindName(step.kind))
                                  .arg(annotation.line);
        }
    }
    if (annotation.risk) {
        step.risk = *annotation.risk;
        step.riskReason
            = u"risk=%1 from the annotation at line %2"_s.arg(RunbookStep::riskName(step.risk)).arg(annotation.line);
    }
    if (!annotation.title.isEmpty())
        step.title = annotation.title;
    Q_UNUSED(diagnostics);
}

QList<RunbookStep> CodeBlockSplitter::split(const Input& input, QList<RunbookDiagnostic>* diagnostics) const
{
    QList<RunbookStep> steps;
    QString text = input.text;
    if (text.endsWith(u'\n'))
        text.chop(1);
    if (text.trimmed().isEmpty()) {
        warning(diagnostics, input.firstLine - 1, u"an empty code block is not a step"_s);
        return steps;
    }
    switch (typeOf(input.language)) {
    case BlockType::Shell:
        steps = splitShell(input, diagnostics);
        break;
    case BlockType::Sql:
        steps = splitSql(input, diagnostics);
        break;
    case BlockType::Snippet:
    case BlockType::Plain: {
        RunbookStep step;
        const bool snippet = typeOf(input.language) == BlockType::Snippet;
        step.kind = snippet ? StepKind::Snippet : StepKind::Manual;
        step.risk = StepRisk::Read;
        step.riskReason = snippet ? u"snippets are shown, never run"_s : u"manual steps are done by people"_s;
        step.text = text;
        step.language = input.language;
        step.line = input.firstLine;
        const QString firstLine = text.section(u'\n', 0, 0).trimmed();
        if (firstLine.startsWith(u"//") || firstLine.startsWith(u'#') || firstLine.startsWith(u"--"))
            step.title = cleanTitle(firstLine);
        else if (!input.fallbackTitle.isEmpty())
            step.title = input.fallbackTitle;
        else
            step.title = snippet ? input.language + u" snippet"_s : firstLine.left(80);
        if (!input.annotation.skip) {
            finishStep(step, input.annotation, diagnostics);
            steps.append(step);
        }
        break;
    }
    }
    // A lone command without a comment takes its title from the option around it.
    if (steps.size() == 1 && !input.fallbackTitle.isEmpty() && steps.constFirst().title.isEmpty())
        steps.first().title = input.fallbackTitle;
    for (RunbookStep& s : steps) {
        if (s.title.isEmpty())
            s.title = commandTitle(s.text);
    }
    // A parameter the block's annotation declares must appear in one of its steps.
    for (const DeclaredParameter& d : input.annotation.parameters) {
        const bool found = std::any_of(
            steps.cbegin(), steps.cend(), [&d](const RunbookStep& s) { return s.parameter(d.name) != nullptr; });
        if (!found) {
            error(diagnostics, d.line,
                u"the annotation declares parameter %1, which no step of the next code block contains"_s.arg(d.name));
        }
    }
    return steps;
}

QList<RunbookStep> CodeBlockSplitter::splitShell(const Input& input, QList<RunbookDiagnostic>* diagnostics) const
{
    QList<RunbookStep> steps;
    QString text = input.text;
    if (text.endsWith(u'\n'))
        text.chop(1);
    const QStringList lines = text.split(u'\n');
    QList<CommentLine> comments;
    RunbookAnnotation lineAnnotation;
    bool haveLineAnnotation = false;

    const auto sourceLine = [&input](int index) { return input.firstLine + index; };
    const auto annotationFor = [&]() {
        RunbookAnnotation a = haveLineAnnotation ? input.annotation.mergedWith(lineAnnotation) : input.annotation;
        if (haveLineAnnotation)
            a.parameters = input.annotation.parameters + lineAnnotation.parameters;
        return a;
    };
    const auto flushComments = [&]() {
        if (comments.isEmpty())
            return;
        RunbookStep step;
        step.language = input.language;
        step.line = sourceLine(comments.constFirst().index);
        step.text = joinRaw(comments);
        step.risk = StepRisk::Read;
        QString url;
        for (const CommentLine& c : comments) {
            url = firstUrl(c.raw);
            if (!url.isEmpty())
                break;
        }
        if (!url.isEmpty()) {
            step.kind = StepKind::Link;
            step.url = url;
            step.riskReason = u"links open in the browser"_s;
            for (const CommentLine& c : comments) {
                if (!isLinkLine(c.raw)) {
                    step.title = cleanTitle(c.raw);
                    break;
                }
            }
            if (step.title.isEmpty())
                step.title = u"Open "_s + url;
        } else {
            step.kind = StepKind::Manual;
            step.riskReason = u"manual steps are done by people"_s;
            step.title = cleanTitle(comments.constFirst().raw);
            for (qsizetype i = 1; i < comments.size(); ++i)
                step.notes.append(cleanTitle(comments.at(i).raw));
        }
        const RunbookAnnotation a = annotationFor();
        if (!a.skip) {
            finishStep(step, a, diagnostics);
            steps.append(step);
        }
        comments.clear();
        haveLineAnnotation = false;
        lineAnnotation = RunbookAnnotation();
    };

    int i = 0;
    while (i < lines.size()) {
        const QString trimmed = lines.at(i).trimmed();
        if (trimmed.isEmpty()) {
            flushComments();
            ++i;
            continue;
        }
        if (trimmed.startsWith(u'#')) {
            if (const auto directives = RunbookAnnotation::directivesOf(trimmed)) {
                const RunbookAnnotation a = RunbookAnnotation::parse(*directives, sourceLine(i));
                for (const QString& e : a.errors)
                    error(diagnostics, sourceLine(i), e);
                if (!a.names.isEmpty())
                    error(diagnostics, sourceLine(i),
                        u"name.* annotations belong in an HTML comment outside code blocks"_s);
                lineAnnotation = haveLineAnnotation ? lineAnnotation.mergedWith(a) : a;
                haveLineAnnotation = true;
            } else {
                comments.append({ i, lines.at(i) });
            }
            ++i;
            continue;
        }
        // A command: take lines until the shell would run it.
        const int start = i;
        QString command = lines.at(i);
        ShellLexer lexer(ParameterDetector::maskPlaceholders(command));
        while (!lexer.isComplete() && i + 1 < lines.size()) {
            ++i;
            command += u'\n' + lines.at(i);
            lexer = ShellLexer(ParameterDetector::maskPlaceholders(command));
        }
        if (!lexer.isComplete())
            error(diagnostics, sourceLine(start), u"this command never ends: "_s + lexer.problem());

        // A link group right before a command stays a step of its own.
        bool linkGroup = false;
        for (const CommentLine& c : comments)
            linkGroup = linkGroup || isLinkLine(c.raw);
        if (linkGroup) {
            const RunbookAnnotation keep = lineAnnotation;
            const bool kept = haveLineAnnotation;
            haveLineAnnotation = false;
            flushComments();
            lineAnnotation = keep;
            haveLineAnnotation = kept;
        }
        RunbookStep step;
        step.language = input.language;
        step.line = sourceLine(start);
        step.text = command;
        if (!comments.isEmpty()) {
            step.title = cleanTitle(comments.constLast().raw);
            for (qsizetype c = 0; c + 1 < comments.size(); ++c)
                step.notes.append(cleanTitle(comments.at(c).raw));
        }
        comments.clear();
        const RunbookAnnotation a = annotationFor();
        for (const auto& [name, message] : StepAnalyzer::analyzeCommand(step, m_names, a.parameters, &lexer)) {
            // Block-level declarations are checked over the whole block (in split()).
            if (declaresParameter(lineAnnotation, haveLineAnnotation, name))
                error(diagnostics, lineAnnotation.line, message);
        }
        if (!a.skip) {
            finishStep(step, a, diagnostics);
            steps.append(step);
        }
        haveLineAnnotation = false;
        lineAnnotation = RunbookAnnotation();
        ++i;
    }
    flushComments();
    if (haveLineAnnotation)
        warning(diagnostics, lineAnnotation.line, u"this annotation is not followed by a command in its block"_s);
    return steps;
}

QList<RunbookStep> CodeBlockSplitter::splitSql(const Input& input, QList<RunbookDiagnostic>* diagnostics) const
{
    QList<RunbookStep> steps;
    const SqlScanner scanner(input.text);
    if (!scanner.problem().isEmpty())
        error(diagnostics, input.firstLine, scanner.problem());

    const auto takeComments = [&](const QList<SqlComment>& comments, RunbookAnnotation* annotation, bool* have) {
        QList<SqlComment> plain;
        for (const SqlComment& c : comments) {
            const int line = input.firstLine + lineOfOffset(input.text, c.offset);
            if (const auto directives = RunbookAnnotation::directivesOf(QString(u"-- "_s + c.text))) {
                const RunbookAnnotation a = RunbookAnnotation::parse(*directives, line);
                for (const QString& e : a.errors)
                    error(diagnostics, line, e);
                *annotation = *have ? annotation->mergedWith(a) : a;
                *have = true;
            } else {
                plain.append(c);
            }
        }
        return plain;
    };

    for (const SqlStatement& st : scanner.statements()) {
        RunbookAnnotation lineAnnotation;
        bool have = false;
        const QList<SqlComment> comments = takeComments(st.comments, &lineAnnotation, &have);
        RunbookStep step;
        step.language = input.language;
        step.text = input.text.mid(st.start, st.end - st.start);
        step.line = input.firstLine + lineOfOffset(input.text, st.start);
        if (!comments.isEmpty()) {
            step.title = cleanTitle(comments.constLast().text);
            for (qsizetype c = 0; c + 1 < comments.size(); ++c)
                step.notes.append(cleanTitle(comments.at(c).text));
        }
        RunbookAnnotation a = have ? input.annotation.mergedWith(lineAnnotation) : input.annotation;
        if (have)
            a.parameters = input.annotation.parameters + lineAnnotation.parameters;
        for (const auto& [name, message] : StepAnalyzer::analyzeSql(step, m_names, a.parameters)) {
            if (declaresParameter(lineAnnotation, have, name))
                error(diagnostics, lineAnnotation.line, message);
        }
        if (!a.skip) {
            finishStep(step, a, diagnostics);
            steps.append(step);
        }
    }
    RunbookAnnotation trailingAnnotation;
    bool have = false;
    const QList<SqlComment> trailing = takeComments(scanner.trailingComments(), &trailingAnnotation, &have);
    if (!trailing.isEmpty()) {
        RunbookStep step;
        step.kind = StepKind::Manual;
        step.risk = StepRisk::Read;
        step.riskReason = u"manual steps are done by people"_s;
        step.language = input.language;
        step.line = input.firstLine + lineOfOffset(input.text, trailing.constFirst().offset);
        QStringList raw;
        for (const SqlComment& c : trailing)
            raw.append(u"-- "_s + c.text);
        step.text = raw.join(u'\n');
        step.title = cleanTitle(trailing.constFirst().text);
        for (qsizetype c = 1; c < trailing.size(); ++c)
            step.notes.append(cleanTitle(trailing.at(c).text));
        steps.append(step);
    } else if (have) {
        warning(diagnostics, trailingAnnotation.line, u"this annotation is not followed by a statement in its block"_s);
    }
    return steps;
}
