// SPDX-License-Identifier: MIT
#include "ui/newincidentdialog.h"

#include "services/incidentstore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

NewIncidentDialog::NewIncidentDialog(const QStringList& environments, QWidget* parent)
    : QDialog(parent)
    , m_title(new QLineEdit(this))
    , m_severity(new QComboBox(this))
    , m_severityHelp(new QLabel(this))
    , m_environment(new QComboBox(this))
    , m_commander(new QLineEdit(this))
    , m_impact(new QPlainTextEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New Incident"));
    setObjectName(u"newIncidentDialog"_s);
    m_title->setObjectName(u"title"_s);
    m_title->setPlaceholderText(tr("What is broken, as users see it"));
    m_title->setMaxLength(200);
    m_severity->setObjectName(u"severity"_s);
    for (const SeverityLevel& level : SeverityTable::defaults().levels())
        m_severity->addItem(level.label(), int(level.severity));
    m_severityHelp->setObjectName(u"severityHelp"_s);
    m_severityHelp->setWordWrap(true);
    m_environment->setObjectName(u"environment"_s);
    m_environment->addItems(environments);
    m_commander->setObjectName(u"commander"_s);
    m_commander->setText(IncidentStore::currentOperator());
    m_impact->setObjectName(u"impact"_s);
    m_impact->setPlaceholderText(tr("User-facing impact, for the status updates"));
    m_impact->setTabChangesFocus(true);
    m_error->setObjectName(u"error"_s);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->setWordWrap(true);
    // Its line is kept while hidden: the buttons stay where they are when a validation message comes and goes.
    m_error->setMinimumHeight(m_error->fontMetrics().lineSpacing());
    QSizePolicy keep = m_error->sizePolicy();
    keep.setRetainSizeWhenHidden(true);
    m_error->setSizePolicy(keep);
    m_error->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Open Incident"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("&Severity:"), m_severity);
    form->addRow(QString(), m_severityHelp);
    form->addRow(tr("&Environment:"), m_environment);
    form->addRow(tr("&Commander:"), m_commander);
    form->addRow(tr("&Impact:"), m_impact);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &NewIncidentDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &NewIncidentDialog::reject);
    connect(m_severity, &QComboBox::currentIndexChanged, this, &NewIncidentDialog::updateSeverityHelp);
    connect(m_title, &QLineEdit::textChanged, m_error, &QWidget::hide);
    setSeverity(Severity::P1);
    updateSeverityHelp();
    resize(520, 380);
}

void NewIncidentDialog::setSeverity(Severity severity)
{
    m_severity->setCurrentIndex(m_severity->findData(int(severity)));
}

void NewIncidentDialog::setTitle(const QString& title) { m_title->setText(title); }

void NewIncidentDialog::setEnvironment(const QString& environment)
{
    const int index = m_environment->findText(environment);
    if (index >= 0)
        m_environment->setCurrentIndex(index);
}

IncidentDraft NewIncidentDialog::draft() const
{
    IncidentDraft d;
    d.title = m_title->text().trimmed();
    d.severity = Severity(m_severity->currentData().toInt());
    d.environment = m_environment->currentText();
    d.commander = m_commander->text().trimmed();
    d.impact = m_impact->toPlainText().trimmed();
    return d;
}

void NewIncidentDialog::accept()
{
    const QString error = draft().validationError();
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        m_title->setFocus();
        return;
    }
    QDialog::accept();
}

void NewIncidentDialog::updateSeverityHelp()
{
    const SeverityLevel level = SeverityTable::defaults().level(Severity(m_severity->currentData().toInt()));
    m_severityHelp->setText(
        tr("%1. Respond within %2. For example: %3.").arg(level.description, level.responseTimeText, level.examples));
}
