// SPDX-License-Identifier: MIT
#include "models/runbookdocument.h"

using namespace Qt::StringLiterals;

int RunbookDocument::catalogueStepCount() const
{
    int n = 0;
    for (const CatalogueGroup& g : catalogue)
        n += int(g.steps.size());
    return n;
}

const RunbookSection* RunbookDocument::section(QStringView titleOrPath) const
{
    for (const RunbookSection& s : sections) {
        if (s.title.compare(titleOrPath, Qt::CaseInsensitive) == 0
            || s.path.compare(titleOrPath, Qt::CaseInsensitive) == 0)
            return &s;
    }
    return nullptr;
}

QString RunbookDocument::codeBlockText(QStringView sectionName, int index) const
{
    const RunbookSection* s = section(sectionName);
    if (!s || index < 0 || index >= s->codeBlocks.size())
        return {};
    return s->codeBlocks.at(index).text;
}

std::optional<RunbookTable> RunbookDocument::escalationMatrix() const
{
    const RunbookSection* s = section(u"Escalation Matrix");
    if (!s || s->tables.isEmpty())
        return std::nullopt;
    return s->tables.constFirst();
}

QString RunbookDocument::contactsYaml() const { return codeBlockText(u"Escalation Contacts"); }

QList<RunbookCodeBlock> RunbookDocument::communicationTemplates() const
{
    const RunbookSection* s = section(u"Communication Templates");
    return s ? s->codeBlocks : QList<RunbookCodeBlock>();
}

QList<RunbookListItem> RunbookDocument::dashboards() const
{
    const RunbookSection* s = section(u"Primary Dashboards");
    return s ? s->listItems : QList<RunbookListItem>();
}

QString RunbookDocument::keyMetricsYaml() const { return codeBlockText(u"Key Metrics to Monitor"); }

QString RunbookDocument::postMortemTemplate() const { return codeBlockText(u"Post-Mortem Template"); }

QList<CatalogueHit> RunbookDocument::searchCatalogue(QStringView query) const
{
    const auto words = query.split(u' ', Qt::SkipEmptyParts);
    QList<CatalogueHit> hits;
    for (int g = 0; g < catalogue.size(); ++g) {
        const CatalogueGroup& group = catalogue.at(g);
        for (int i = 0; i < group.steps.size(); ++i) {
            const RunbookStep& step = group.steps.at(i);
            const QString haystack
                = group.name + u'\n' + step.title + u'\n' + step.notes.join(u'\n') + u'\n' + step.text;
            bool all = true;
            for (QStringView w : words) {
                if (!haystack.contains(w, Qt::CaseInsensitive)) {
                    all = false;
                    break;
                }
            }
            if (all)
                hits.append({ g, i });
        }
    }
    return hits;
}

const Runbook* RunbookDocument::runbookForMetric(QStringView metric) const
{
    for (const Runbook& r : runbooks) {
        if (r.alert && r.alert->metric == metric)
            return &r;
    }
    return nullptr;
}

const RunbookStep* RunbookDocument::catalogueStep(QStringView ref) const
{
    for (const CatalogueGroup& g : catalogue) {
        for (const RunbookStep& s : g.steps) {
            if (s.ref == ref)
                return &s;
        }
    }
    return nullptr;
}
