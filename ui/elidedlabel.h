// SPDX-License-Identifier: MIT
#pragma once

#include <QLabel>

// A one-line label that shows as much of its text as fits, with "…" and the whole text as its tooltip, and asks
// for no width of its own: a long text (an incident's title) never becomes the window's minimum width (issue 16,
// finding 10). Set the text with setText() on this type (QLabel::setText is not virtual). GUI thread.
class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget* parent = nullptr);

    void setText(const QString& text);
    QString fullText() const { return m_full; }
    bool isElided() const { return QLabel::text() != m_full; }

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void elide();
    QString m_full;
};
