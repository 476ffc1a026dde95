// SPDX-License-Identifier: MIT
#pragma once

#include "models/responseflow.h"
#include "models/runbook.h"
#include "models/runbookdiagnostic.h"
#include "models/runbooksection.h"
#include "models/severity.h"

#include <QList>
#include <QMetaType>
#include <QString>

// A group of the command catalogue ("### ECS" under "Useful Commands").
struct CatalogueGroup {
    QString name; // "ECS", "RDS", "Redis", "Database Queries"
    int line = 0;
    QList<RunbookStep> steps;
};

// One match of RunbookDocument::searchCatalogue.
struct CatalogueHit {
    int group = 0; // index into catalogue
    int step = 0; // index into catalogue[group].steps
    bool operator==(const CatalogueHit&) const = default;
};

// Everything read from one runbook file: the incident runbooks, the command catalogue, the severity table and
// response flow, and every section kept raw by name for the features that use it later (escalation matrix and
// contacts, communication templates, dashboards and key metrics, the post-mortem template).
struct RunbookDocument {
    QString sourceFile;
    QString title; // the first level-1 heading
    QList<Runbook> runbooks;
    QList<CatalogueGroup> catalogue;
    std::optional<SeverityTable> severityTable; // from a table with Severity and Response Time columns
    std::optional<ResponseFlow> flow; // from the "Incident Response Flow" diagram
    QList<RunbookSection> sections; // every heading, in file order
    QList<RunbookDiagnostic> diagnostics;

    bool hasErrors() const { return RunbookDiagnostic::hasErrors(diagnostics); }
    int catalogueStepCount() const;

    // The first section whose title (or path, "Escalation Procedures/Escalation Contacts") matches,
    // case-insensitively; nullptr when there is none.
    const RunbookSection* section(QStringView titleOrPath) const;
    // The text of the index-th code block of that section; empty when there is none.
    QString codeBlockText(QStringView section, int index = 0) const;

    // Named pieces the later features use (empty when the runbook has no such section).
    std::optional<RunbookTable> escalationMatrix() const; // "Escalation Matrix"
    QString contactsYaml() const; // "Escalation Contacts"
    QList<RunbookCodeBlock> communicationTemplates() const; // "Communication Templates", caption = name
    QList<RunbookListItem> dashboards() const; // "Primary Dashboards"
    QString keyMetricsYaml() const; // "Key Metrics to Monitor"
    QString postMortemTemplate() const; // "Post-Mortem Template"

    // Catalogue steps whose group, title or text contain every word of query (case-insensitive), in file order.
    QList<CatalogueHit> searchCatalogue(QStringView query) const;
    // The runbook whose alert watches metric; nullptr when none.
    const Runbook* runbookForMetric(QStringView metric) const;
    // A catalogue step by reference ("catalogue/ECS/0"); nullptr when there is none.
    const RunbookStep* catalogueStep(QStringView ref) const;
};

Q_DECLARE_METATYPE(RunbookDocument)
