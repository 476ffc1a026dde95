// SPDX-License-Identifier: MIT
#include "ui/confirmationdialog.h"

#include "ui/severitystyle.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

ConfirmationDialog::ConfirmationDialog(const ConfirmationRequest& request, QWidget* parent)
    : QDialog(parent)
    , m_request(request)
{
    setObjectName(u"confirmationDialog"_s);
    setWindowTitle(request.risk == StepRisk::Destructive ? tr("Confirm Destructive Command") : tr("Confirm Command"));
    auto* layout = new QVBoxLayout(this);

    auto* heading = new QLabel(request.title, this);
    heading->setObjectName(u"confirmationTitle"_s);
    QFont bold = heading->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    heading->setFont(bold);
    heading->setWordWrap(true);
    layout->addWidget(heading);

    auto* target = new QHBoxLayout;
    auto* environment = new QLabel(request.environment.toUpper(), this);
    environment->setObjectName(u"confirmationEnvironment"_s);
    SeverityStyle::paintEnvironmentBadge(environment, request.environment);
    auto* risk = new QLabel(tr("Risk: %1").arg(RunbookStep::riskName(request.risk)), this);
    risk->setObjectName(u"confirmationRisk"_s);
    target->addWidget(new QLabel(tr("Runs in"), this));
    target->addWidget(environment);
    target->addSpacing(12);
    target->addWidget(risk);
    target->addStretch(1);
    layout->addLayout(target);

    auto* command = new QPlainTextEdit(request.command, this);
    command->setObjectName(u"confirmationCommand"_s);
    command->setReadOnly(true);
    command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    command->setLineWrapMode(QPlainTextEdit::NoWrap);
    command->setMaximumHeight(command->fontMetrics().lineSpacing() * 12);
    layout->addWidget(new QLabel(tr("Exactly this runs:"), this));
    layout->addWidget(command);
    if (!request.parameters.isEmpty()) {
        auto* params = new QLabel(tr("With values: %1").arg(request.parameters.join(u", "_s)), this);
        params->setObjectName(u"confirmationParameters"_s);
        params->setWordWrap(true);
        params->setTextFormat(Qt::PlainText);
        layout->addWidget(params);
    }

    if (request.affectedCount) {
        auto* count = new QLabel(tr("It will act on %n row(s).", nullptr, int(*request.affectedCount)), this);
        count->setObjectName(u"confirmationCount"_s);
        count->setFont(bold);
        layout->addWidget(count);
    }
    if (!request.effects.isEmpty()) {
        auto* effects = new QListWidget(this);
        effects->setObjectName(u"confirmationEffects"_s);
        effects->addItems(request.effects);
        effects->setMaximumHeight(effects->sizeHintForRow(0) * std::min<int>(10, int(request.effects.size()) + 1) + 8);
        layout->addWidget(effects);
    }
    for (const QString& extra : request.extraConfirmations) {
        auto* box = new QCheckBox(extra, this);
        box->setObjectName(u"confirmationExtra"_s);
        connect(box, &QCheckBox::toggled, this, &ConfirmationDialog::updateRunButton);
        m_extra.append(box);
        layout->addWidget(box);
    }
    if (request.level() == ConfirmationRequest::Level::TypeName) {
        const QString name = request.target.isEmpty() ? request.environment : request.target;
        auto* prompt = new QLabel(tr("Type <b>%1</b> to confirm:").arg(name.toHtmlEscaped()), this);
        layout->addWidget(prompt);
        m_typed = new QLineEdit(this);
        m_typed->setObjectName(u"confirmationTyped"_s);
        m_typed->setPlaceholderText(name);
        connect(m_typed, &QLineEdit::textChanged, this, &ConfirmationDialog::updateRunButton);
        layout->addWidget(m_typed);
        // Says why Run stays off; its line is kept while hidden, so the buttons never move.
        m_mismatch = new QLabel(tr("Not yet %1: Run (and Enter) wait for the exact name.").arg(name), this);
        m_mismatch->setObjectName(u"confirmationMismatch"_s);
        m_mismatch->setTextFormat(Qt::PlainText);
        m_mismatch->setStyleSheet(u"color: #b00020"_s);
        QSizePolicy keep = m_mismatch->sizePolicy();
        keep.setRetainSizeWhenHidden(true);
        m_mismatch->setSizePolicy(keep);
        m_mismatch->hide();
        layout->addWidget(m_mismatch);
    }

    auto* buttons = new QDialogButtonBox(this);
    m_run = buttons->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
    m_run->setObjectName(u"confirmationRun"_s);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(u"confirmationCancel"_s);
    m_run->setAutoDefault(false);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    updateRunButton();
    resize(640, sizeHint().height());
    if (m_typed)
        m_typed->setFocus();
}

ConfirmationDialog* ConfirmationDialog::ask(
    QWidget* parent, const ConfirmationRequest& request, std::function<void(bool)> done)
{
    if (request.level() == ConfirmationRequest::Level::None) {
        done(true);
        return nullptr;
    }
    auto* dialog = new ConfirmationDialog(request, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    // finished() fires once, whether by Run, Cancel, Escape or closing the window.
    connect(dialog, &QDialog::finished, dialog,
        [done = std::move(done)](int result) { done(result == QDialog::Accepted); });
    dialog->open();
    return dialog;
}

QString ConfirmationDialog::confirmationText() const
{
    QString text = confirmationText(m_request);
    QStringList ticked;
    for (const QCheckBox* box : m_extra) {
        if (box->isChecked())
            ticked.append(box->text());
    }
    if (!ticked.isEmpty())
        text += u"; ticked: "_s + ticked.join(u"; "_s);
    return text;
}

QString ConfirmationDialog::confirmationText(const ConfirmationRequest& request)
{
    switch (request.level()) {
    case ConfirmationRequest::Level::None:
        return u"none"_s;
    case ConfirmationRequest::Level::Show:
        return u"shown"_s;
    case ConfirmationRequest::Level::TypeName:
        return u"typed "_s + (request.target.isEmpty() ? request.environment : request.target);
    }
    return {};
}

void ConfirmationDialog::updateRunButton()
{
    bool ok = !m_typed || m_request.typedNameMatches(m_typed->text());
    for (const QCheckBox* box : std::as_const(m_extra))
        ok = ok && box->isChecked();
    m_run->setEnabled(ok);
    if (m_mismatch)
        m_mismatch->setVisible(!m_typed->text().isEmpty() && !m_request.typedNameMatches(m_typed->text()));
    // Enter runs only once the name typed matches; before that it does nothing (it cancelled, losing what was
    // typed). Without a name to type, Cancel is the default: Enter never runs a command by accident.
    m_run->setDefault(m_typed && ok);
    m_cancel->setDefault(!m_typed);
}

#include "moc_confirmationdialog.cpp"
