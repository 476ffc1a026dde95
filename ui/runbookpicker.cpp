// SPDX-License-Identifier: MIT
#include "ui/runbookpicker.h"

#include "services/runbooklibrary.h"

#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
enum Role { TitleRole = Qt::UserRole + 1, StepRole };

bool matchesAll(const QString& haystack, const QStringList& words)
{
    for (const QString& w : words) {
        if (!haystack.contains(w, Qt::CaseInsensitive))
            return false;
    }
    return true;
}
} // namespace

RunbookPicker::RunbookPicker(RunbookLibrary* library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_search(new QLineEdit(this))
    , m_list(new QListWidget(this))
{
    m_search->setObjectName(u"runbookSearch"_s);
    m_search->setPlaceholderText(tr("Search runbooks and commands…"));
    // The clear button shows only with text; enabling it loads the icon theme (~8 ms at start-up), so it is
    // enabled with the first character typed.
    connect(m_search, &QLineEdit::textChanged, m_search, [this] {
        if (!m_search->isClearButtonEnabled())
            m_search->setClearButtonEnabled(true);
    });
    m_list->setObjectName(u"runbookList"_s);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    connect(m_search, &QLineEdit::textChanged, this, &RunbookPicker::refill);
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (item->data(StepRole).isValid())
            Q_EMIT catalogueStepChosen(item->data(StepRole).value<RunbookStep>());
        else if (!item->data(TitleRole).toString().isEmpty())
            Q_EMIT runbookChosen(item->data(TitleRole).toString());
    });
    if (m_library)
        connect(m_library, &RunbookLibrary::reloaded, this, &RunbookPicker::refill);
    refill();
}

void RunbookPicker::setQuery(const QString& query) { m_search->setText(query); }

void RunbookPicker::refill()
{
    m_list->clear();
    if (!m_library)
        return;
    const QStringList words = m_search->text().split(u' ', Qt::SkipEmptyParts);
    const QList<RunbookDocument> documents = m_library->documents();
    for (const RunbookDocument& doc : documents) {
        for (const Runbook& r : doc.runbooks) {
            QString haystack = r.title + u' ' + r.symptoms.join(u' ');
            if (r.alert)
                haystack += u' ' + r.alert->raw;
            if (!matchesAll(haystack, words))
                continue;
            const QString severity = r.severity ? severityCode(*r.severity) : u"–"_s;
            auto* item = new QListWidgetItem(tr("Runbook · %1 · %2").arg(severity, r.title), m_list);
            item->setData(TitleRole, r.title);
            if (r.alert)
                item->setToolTip(tr("Alert: %1").arg(r.alert->raw));
        }
    }
    for (const RunbookDocument& doc : documents) {
        for (const CatalogueGroup& g : doc.catalogue) {
            for (const RunbookStep& s : g.steps) {
                if (!matchesAll(g.name + u' ' + s.title + u' ' + s.text, words))
                    continue;
                auto* item = new QListWidgetItem(tr("Command · %1 · %2").arg(g.name, s.title), m_list);
                item->setData(StepRole, QVariant::fromValue(s));
                item->setToolTip(s.text);
            }
        }
    }
}

#include "moc_runbookpicker.cpp"
