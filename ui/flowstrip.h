// SPDX-License-Identifier: MIT
#pragma once

#include "models/responseflow.h"

#include <QColor>
#include <QWidget>

// The six steps of the response flow in one row, painted: done steps underlined green, the current one bold and
// underlined in the severity's colour, the rest grey. Each step's actions show as its tooltip.
class FlowStrip : public QWidget {
    Q_OBJECT
public:
    explicit FlowStrip(const ResponseFlow& flow, QWidget* parent = nullptr);

    // current: index of the current step; -1 none; finished: all steps done.
    void setState(int current, bool finished, const QColor& accent);
    int current() const { return m_current; }
    QString stepText(int index) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    int stepAt(const QPoint& pos) const;

    ResponseFlow m_flow;
    int m_current = -1;
    bool m_finished = false;
    QColor m_accent;
};
