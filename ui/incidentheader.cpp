// SPDX-License-Identifier: MIT
#include "ui/incidentheader.h"

#include "models/incidentclock.h"
#include "models/responseflow.h"
#include "ui/elidedlabel.h"
#include "ui/flowstrip.h"
#include "ui/severitystyle.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
// Marks a clock overdue: red and bold. Palettes and fonts, not style sheets: cheaper at start-up.
void setOverdue(QLabel* label, bool overdue)
{
    QPalette palette = label->parentWidget()->palette();
    if (overdue)
        palette.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    label->setPalette(palette);
    QFont font = label->parentWidget()->font();
    font.setBold(overdue);
    label->setFont(font);
}
} // namespace

IncidentHeader::IncidentHeader(const MonotonicWallClock* clock, QWidget* parent)
    : QWidget(parent)
    , m_clock(clock)
    , m_severity(new QLabel(this))
    , m_title(new ElidedLabel(this))
    , m_status(new QLabel(this))
    , m_environment(new QLabel(this))
    , m_elapsed(new QLabel(this))
    , m_flow(new FlowStrip(ResponseFlow::defaults(), this))
    , m_stepClock(new QLabel(this))
    , m_responseClock(new QLabel(this))
    , m_buttons(new QHBoxLayout)
    , m_tick(new QTimer(this))
{
    setObjectName(u"incidentHeader"_s);
    m_severity->setObjectName(u"severityBadge"_s);
    m_title->setObjectName(u"incidentTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_status->setObjectName(u"incidentStatus"_s);
    m_environment->setObjectName(u"environmentBadge"_s);
    m_elapsed->setObjectName(u"elapsed"_s);
    m_stepClock->setObjectName(u"stepClock"_s);
    m_responseClock->setObjectName(u"responseClock"_s);

    auto* top = new QHBoxLayout;
    top->addWidget(m_severity);
    top->addWidget(m_title, 1);
    top->addWidget(m_status);
    top->addWidget(m_environment);
    top->addWidget(m_elapsed);

    auto* clocks = new QHBoxLayout;
    clocks->addWidget(m_stepClock);
    clocks->addSpacing(24);
    clocks->addWidget(m_responseClock);
    clocks->addStretch(1);
    clocks->addLayout(m_buttons);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_flow);
    layout->addLayout(clocks);

    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &IncidentHeader::refreshClocks);
    setIncident(std::nullopt);
}

void IncidentHeader::addActionButton(QAction* action)
{
    auto* button = new QToolButton(this);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_buttons->addWidget(button);
}

void IncidentHeader::setIncident(const std::optional<Incident>& incident)
{
    m_incident = incident;
    if (!incident) {
        m_severity->hide();
        // Plain until an incident's title is shown: a selectable label carries a whole text document, which the
        // first frame need not build.
        m_title->setTextInteractionFlags(Qt::NoTextInteraction);
        m_title->setText(tr("No incident selected. Open one with File ▸ New Incident (Ctrl+N)."));
        m_status->clear();
        m_environment->hide();
        m_flow->setState(-1, false, {});
        refreshClocks();
        return;
    }
    const SeverityLevel level = SeverityTable::defaults().level(incident->severity);
    m_severity->show();
    m_severity->setText(severityCode(incident->severity));
    m_severity->setToolTip(level.label() + u" — "_s + level.description);
    SeverityStyle::paintBadge(
        m_severity, SeverityStyle::background(incident->severity), SeverityStyle::foreground(incident->severity));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse); // to copy it into a message
    m_title->setText(incident->title);
    m_status->setText(incidentStatusName(incident->status));
    m_environment->show();
    m_environment->setText(incident->environment.toUpper());
    SeverityStyle::paintEnvironmentBadge(m_environment, incident->environment);
    m_flow->setState(incident->flowStep, !incident->isOpen(), SeverityStyle::background(incident->severity));
    refreshClocks();
}

QString IncidentHeader::stepClockText() const { return m_stepClock->text(); }

QString IncidentHeader::responseClockText() const { return m_responseClock->text(); }

QString IncidentHeader::elapsedText() const { return m_elapsed->text(); }

void IncidentHeader::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    m_tick->start();
    refreshClocks();
}

void IncidentHeader::hideEvent(QHideEvent* event)
{
    m_tick->stop();
    QWidget::hideEvent(event);
}

void IncidentHeader::refreshClocks()
{
    if (!m_incident) {
        m_elapsed->clear();
        m_stepClock->clear();
        m_responseClock->clear();
        return;
    }
    const IncidentClock c = IncidentClock::evaluate(*m_incident, m_clock->nowMs());
    const FlowStep step = ResponseFlow::defaults().step(c.step);
    if (c.finished) {
        m_elapsed->setText(tr("Lasted %1").arg(formatDuration(c.sinceStartMs)));
        m_stepClock->setText(tr("Resolved"));
    } else {
        m_elapsed->setText(tr("Open for %1").arg(formatDuration(c.sinceStartMs)));
        QString text = tr("Step %1 · %2: %3").arg(c.step + 1).arg(c.stepName, formatDuration(c.stepElapsedMs));
        if (c.stepTargetMs)
            text += tr(" of %1").arg(step.targetText);
        if (c.stepOverdue)
            text += tr(" — overdue");
        m_stepClock->setText(text);
    }
    setOverdue(m_stepClock, c.stepOverdue);

    const QString target = SeverityTable::defaults().level(m_incident->severity).responseTimeText;
    if (c.respondedAfterMs) {
        m_responseClock->setText(
            tr("Acknowledged after %1 (target %2)").arg(formatDuration(*c.respondedAfterMs), target));
    } else if (c.finished) {
        m_responseClock->setText(tr("Never acknowledged"));
    } else {
        m_responseClock->setText(
            tr("Unacknowledged for %1 (respond within %2)%3")
                .arg(formatDuration(c.sinceStartMs), target, c.responseOverdue ? tr(" — overdue") : QString()));
    }
    setOverdue(m_responseClock, c.responseOverdue && !c.finished);
}
