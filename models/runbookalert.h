// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

// The alert that opens a runbook, as its "**Alert**: `error_rate > 5%`" line writes it.
struct RunbookAlert {
    QString metric; // "error_rate"
    QString op; // ">", ">=", "<", "<=", "==", "!="
    double threshold = 0; // 5
    QString unit; // "%", "ms", "/hour", or empty
    QString raw; // "error_rate > 5%"

    bool isValid() const { return !metric.isEmpty() && !op.isEmpty(); }
    // Parses "metric OP number[unit]"; nullopt with *error set when the text is not such an expression.
    static std::optional<RunbookAlert> parse(QStringView text, QString* error = nullptr);
    // Whether a sample value fires the alert.
    bool fires(double value) const;
    bool operator==(const RunbookAlert&) const = default;
};
