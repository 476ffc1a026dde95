// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookstep.h"
#include "services/shelllexer.h"
#include "services/sqlscanner.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

// A parameter declared by an annotation: param=name:type or param=name:type@literal.
struct DeclaredParameter {
    QString name;
    ParameterType::Kind type = ParameterType::Text;
    QString literal; // empty: the name's placeholder (<name>, $NAME) or an already detected parameter
    int line = 0; // of the annotation
};

// Finds, in one step's text, the values the operator chooses (parameters) and the runbook's literal names that
// the active profile replaces (profile spans), as documented in docs/RUNBOOKS.md ("Parameters", "Environment
// names"). Writes them into the step; never changes its text.
class ParameterDetector {
public:
    // names: the literal names the runbook writes (EnvironmentProfile::runbookNames() or the file's own).
    ParameterDetector(RunbookStep& step, const EnvironmentProfile& names);

    void declare(const QList<DeclaredParameter>& declared); // first, so that declared literals win
    void detectShell(const ShellLexer& lexer); // lexer: of the step's text with <placeholders> masked
    void detectSql(const SqlScanner& scanner);
    // Declarations that matched nothing: (parameter name, message).
    QList<std::pair<QString, QString>> problems() const { return m_problems; }

    // The step's text with each <placeholder> replaced by letters of the same length, for the shell lexer (a
    // placeholder is a value to fill in, not a redirection).
    static QString maskPlaceholders(const QString& text);
    // Parameter types by name for placeholders: <pid> → pid, <task-id> → identifier, <cidr> → cidr...
    static ParameterType::Kind typeForName(QStringView name);

private:
    RunbookStep& m_step;
    const EnvironmentProfile& m_names;
    QList<std::pair<qsizetype, qsizetype>> m_claimed;
    QList<DeclaredParameter> m_declaredTypes;
    QList<std::pair<QString, QString>> m_problems;
    std::function<TextQuoting(qsizetype)> m_quoting;
    QHash<QString, std::optional<EnvironmentProfile::Field>> m_nameFields; // name → field; nullopt: ambiguous

    bool isFree(qsizetype start, qsizetype length) const;
    bool addParameter(const QString& name, ParameterType::Kind type, qsizetype start, qsizetype length,
        const QString& description, bool placeholder = false, const QString& envVar = {});
    bool addProfile(EnvironmentProfile::Field field, qsizetype start, qsizetype length);
    void addSpan(StepSpan::Kind kind, const QString& key, qsizetype start, qsizetype length);
    // A part [from, to) of a word's value as a text range; false when it is not contiguous in the text.
    bool range(const ShellWord& word, qsizetype from, qsizetype to, qsizetype* start, qsizetype* length) const;
    bool wordValue(const ShellWord& word, qsizetype* start, qsizetype* length) const;

    void detectPlaceholders();
    void detectVariables();
    void detectAws(const ShellSimpleCommand& cmd);
    void detectRedis(const ShellSimpleCommand& cmd);
    void detectGh(const ShellSimpleCommand& cmd);
    void detectNames(const ShellSimpleCommand& cmd);
    void optionValueParameter(const ShellSimpleCommand& cmd, int valueIndex, const QString& name,
        ParameterType::Kind type, const QString& description);
    std::optional<EnvironmentProfile::Field> uniqueNameField(QStringView value) const;
    void applyDeclaredTypes();
    void sortParameters(); // in the order they appear in the text
};
