// SPDX-License-Identifier: MIT
#include "models/textrepair.h"

#include <QByteArray>
#include <QStringDecoder>

#include <algorithm>
#include <optional>

namespace {

// Windows-1252 bytes 0x80..0x9F; the five unassigned bytes decode to the C1 control of the same value.
constexpr char16_t cp1252High[32] = {
    0x20AC,
    0x0081,
    0x201A,
    0x0192,
    0x201E,
    0x2026,
    0x2020,
    0x2021,
    0x02C6,
    0x2030,
    0x0160,
    0x2039,
    0x0152,
    0x008D,
    0x017D,
    0x008F,
    0x0090,
    0x2018,
    0x2019,
    0x201C,
    0x201D,
    0x2022,
    0x2013,
    0x2014,
    0x02DC,
    0x2122,
    0x0161,
    0x203A,
    0x0153,
    0x009D,
    0x017E,
    0x0178,
};

std::optional<char> toCp1252(char16_t u)
{
    if (u < 0x80 || (u >= 0xA0 && u <= 0xFF))
        return char(u);
    for (int i = 0; i < 32; ++i) {
        if (cp1252High[i] == u)
            return char(0x80 + i);
    }
    return std::nullopt;
}

std::optional<QString> repaired(const QString& text)
{
    // Mojibake of UTF-8 starts with a lead byte shown as U+00C2..U+00F4 ("Â", "â", "ð"...): without one there is
    // nothing to repair (the quick answer for the usual, clean text).
    if (std::none_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() >= 0xC2 && c.unicode() <= 0xF4; }))
        return std::nullopt;
    QByteArray bytes;
    bytes.reserve(text.size());
    bool anyHigh = false;
    for (QChar c : text) {
        const auto b = toCp1252(c.unicode());
        if (!b)
            return std::nullopt;
        anyHigh = anyHigh || (uchar(*b) >= 0x80);
        bytes.append(*b);
    }
    if (!anyHigh)
        return std::nullopt;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString out = decoder.decode(bytes);
    if (out == text)
        return std::nullopt;
    if (!decoder.hasError())
        return out;
    // Mis-encoding is often lossy (Windows-1252 has no character for 0x81, 0x8D, 0x8F, 0x90, 0x9D, which get dropped):
    // accept a repair that decodes most sequences, the broken ones becoming U+FFFD.
    const auto count = [](const QString& s, bool replacement) {
        qsizetype n = 0;
        for (QChar c : s)
            n += replacement ? (c == QChar::ReplacementCharacter)
                             : (c.unicode() >= 0x80 && c != QChar::ReplacementCharacter);
        return n;
    };
    const qsizetype broken = count(out, true) - count(text, true);
    const qsizetype decoded = count(out, false);
    if (decoded == 0 || broken * 4 > decoded)
        return std::nullopt;
    return out;
}

} // namespace

QString TextRepair::repairMojibake(const QString& text)
{
    if (auto fixed = repaired(text))
        return *fixed;
    return text;
}

bool TextRepair::looksLikeMojibake(const QString& text) { return repaired(text).has_value(); }
