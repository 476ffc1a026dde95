// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

// Repairs text that was UTF-8, read as Windows-1252 and written again as UTF-8 ("â”Œ" for "┌", "ðŸš¨" for "🚨"),
// as in the seed runbook's response-flow diagram and message templates.
class TextRepair {
public:
    // The repaired text, or the text unchanged when it is not such mojibake: every character must map back to one
    // Windows-1252 byte, and the bytes must decode as UTF-8, except for a few sequences the mis-encoding lost (those
    // become U+FFFD; at most one for four characters repaired). Never fails.
    static QString repairMojibake(const QString& text);
    // Whether repairMojibake would change the text.
    static bool looksLikeMojibake(const QString& text);
};
