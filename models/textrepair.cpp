// SPDX-License-Identifier: MIT
#include "models/textrepair.h"

#include <QByteArray>
#include <QStringDecoder>

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
    if (decoder.hasError() || out == text)
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
