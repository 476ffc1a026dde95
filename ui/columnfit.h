// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

class QAbstractItemView;
class QHeaderView;

// Column widths from what they show (issue 16, finding 10: PID, severity and table-name columns were cut off):
// at least the header's own size (title and sort arrow), the widest of the given samples (font metrics, cell
// margins included) and the rows shown now. Never narrows a column, so a width the operator chose stays. GUI thread.
namespace ColumnFit {
int sampleWidth(const QAbstractItemView* view, const QStringList& samples);
// Widens the column to fit; returns its width after.
int widen(QAbstractItemView* view, QHeaderView* header, int column, const QStringList& samples = {});
} // namespace ColumnFit
