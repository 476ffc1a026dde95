// SPDX-License-Identifier: MIT
#include "ui/elidedlabel.h"

#include <QEvent>

ElidedLabel::ElidedLabel(QWidget* parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
}

void ElidedLabel::setText(const QString& text)
{
    m_full = text;
    elide();
    updateGeometry();
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QSize hint = QLabel::minimumSizeHint();
    return { fontMetrics().horizontalAdvance(QStringLiteral("M…")), hint.height() };
}

QSize ElidedLabel::sizeHint() const
{
    // The whole text's width when there is room for it; the layout shrinks it down to minimumSizeHint().
    const QMargins m = contentsMargins();
    return { fontMetrics().horizontalAdvance(m_full) + m.left() + m.right() + 2 * margin(),
        QLabel::minimumSizeHint().height() };
}

void ElidedLabel::resizeEvent(QResizeEvent* event)
{
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::changeEvent(QEvent* event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        elide();
}

void ElidedLabel::elide()
{
    const int room = contentsRect().width() - 2 * margin();
    const QString shown = fontMetrics().elidedText(m_full, Qt::ElideRight, std::max(room, 0));
    if (QLabel::text() != shown)
        QLabel::setText(shown);
    setToolTip(shown == m_full ? QString() : m_full);
}

#include "moc_elidedlabel.cpp"
