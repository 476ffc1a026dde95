// SPDX-License-Identifier: MIT
#include "ui/columnfit.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHeaderView>
#include <QStyle>

#include <algorithm>

int ColumnFit::sampleWidth(const QAbstractItemView* view, const QStringList& samples)
{
    const QFontMetrics fm = view->fontMetrics();
    // The item delegate's margins: the style's focus frame margin on each side, plus one pixel (Qt's own sizing).
    const int margin = 2 * (view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1);
    int width = 0;
    for (const QString& s : samples)
        width = std::max(width, fm.horizontalAdvance(s) + margin);
    return width;
}

int ColumnFit::widen(QAbstractItemView* view, QHeaderView* header, int column, const QStringList& samples)
{
    if (column < 0 || column >= header->count())
        return 0;
    int wanted = std::max(header->sectionSizeHint(column), sampleWidth(view, samples));
    wanted = std::max(wanted, view->sizeHintForColumn(column));
    if (header->sectionSize(column) < wanted)
        header->resizeSection(column, wanted);
    return header->sectionSize(column);
}
