// SPDX-License-Identifier: MIT
#include "ui/flowstrip.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

using namespace Qt::StringLiterals;

FlowStrip::FlowStrip(const ResponseFlow& flow, QWidget* parent)
    : QWidget(parent)
    , m_flow(flow)
{
    setObjectName(u"flowStrip"_s);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void FlowStrip::setState(int current, bool finished, const QColor& accent)
{
    m_current = current;
    m_finished = finished;
    m_accent = accent;
    update();
}

QString FlowStrip::stepText(int index) const
{
    const FlowStep step = m_flow.step(index);
    return u"%1. %2 (%3)"_s.arg(index + 1).arg(step.name, step.targetText);
}

QSize FlowStrip::sizeHint() const { return { 120 * std::max(1, m_flow.stepCount()), fontMetrics().height() + 10 }; }

QSize FlowStrip::minimumSizeHint() const
{
    return { 40 * std::max(1, m_flow.stepCount()), fontMetrics().height() + 10 };
}

int FlowStrip::stepAt(const QPoint& pos) const
{
    if (m_flow.stepCount() == 0 || width() <= 0)
        return -1;
    return std::clamp(pos.x() * m_flow.stepCount() / width(), 0, m_flow.stepCount() - 1);
}

bool FlowStrip::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = stepAt(help->pos());
        if (index >= 0)
            QToolTip::showText(help->globalPos(), m_flow.step(index).actions.join(u'\n'), this);
        return true;
    }
    return QWidget::event(event);
}

void FlowStrip::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const int n = m_flow.stepCount();
    if (n == 0)
        return;
    const QColor done(0x2e, 0x7d, 0x32);
    const QColor muted = palette().color(QPalette::PlaceholderText);
    const QColor rest = palette().color(QPalette::Midlight);
    const int line = 3;
    for (int i = 0; i < n; ++i) {
        const QRect cell(i * width() / n, 0, (i + 1) * width() / n - i * width() / n, height());
        const bool isDone = m_finished || (m_current >= 0 && i < m_current);
        const bool isCurrent = !m_finished && i == m_current;
        QFont f = font();
        f.setBold(isCurrent);
        p.setFont(f);
        p.setPen(isCurrent ? palette().color(QPalette::WindowText) : muted);
        p.drawText(cell.adjusted(2, 0, -2, -line - 1), Qt::AlignCenter | Qt::TextSingleLine,
            p.fontMetrics().elidedText(stepText(i), Qt::ElideRight, cell.width() - 4));
        const QColor under = isCurrent ? (m_accent.isValid() ? m_accent : palette().color(QPalette::Highlight))
                                       : (isDone ? done : rest);
        p.fillRect(QRect(cell.left() + 2, cell.bottom() - line + 1, cell.width() - 4, line), under);
    }
}

#include "moc_flowstrip.cpp"
