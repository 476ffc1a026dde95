// SPDX-License-Identifier: MIT
#include "services/displaytext.h"

using namespace Qt::StringLiterals;

namespace {
constexpr qsizetype MaxEscapeLength = 4096; // an escape sequence longer than this is shown, not skipped

// Bytes at the end of data that start a UTF-8 sequence whose continuation has not arrived yet.
qsizetype incompleteTail(QByteArrayView data)
{
    const qsizetype n = data.size();
    for (qsizetype back = 1; back <= 3 && back <= n; ++back) {
        const auto c = static_cast<unsigned char>(data.at(n - back));
        if ((c & 0xC0) == 0x80)
            continue; // a continuation byte: look further back
        int need = 0;
        if ((c & 0xE0) == 0xC0)
            need = 2;
        else if ((c & 0xF0) == 0xE0)
            need = 3;
        else if ((c & 0xF8) == 0xF0)
            need = 4;
        return need > back ? back : 0;
    }
    return 0;
}

void appendVisibleControl(QString& out, char16_t c)
{
    if (c < 0x20)
        out += QChar(char16_t(0x2400 + c)); // control pictures: ␀ … ␟
    else if (c == 0x7F)
        out += QChar(char16_t(0x2421)); // ␡
    else
        out += u"<U+"_s + QString::number(uint(c), 16).toUpper().rightJustified(4, u'0') + u'>';
}

bool isBidiControl(char16_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C;
}
} // namespace

QString DisplayText::fromBytes(QByteArrayView bytes)
{
    DisplayText t;
    QString text = t.feed(bytes);
    text += t.finish();
    return text;
}

QString DisplayText::feed(QByteArrayView bytes)
{
    QByteArray data = m_utf8Pending;
    data.append(bytes);
    const qsizetype hold = incompleteTail(data);
    m_utf8Pending = data.right(hold);
    data.chop(hold);
    QString out;
    out.reserve(data.size());
    sanitize(QString::fromUtf8(data), out);
    return out;
}

QString DisplayText::finish()
{
    QString out;
    if (!m_utf8Pending.isEmpty()) {
        sanitize(QString::fromUtf8(m_utf8Pending), out);
        m_utf8Pending.clear();
    }
    if (m_escape != Escape::None)
        abandonEscape(out);
    if (m_pendingCr) {
        appendVisibleControl(out, u'\r');
        m_pendingCr = false;
    }
    return out;
}

// An escape sequence that never ended properly: show what was skipped, visibly.
void DisplayText::abandonEscape(QString& out)
{
    const QString text = m_escapeText;
    m_escape = Escape::None;
    m_escapeText.clear();
    for (QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7F || (c.unicode() >= 0x80 && c.unicode() < 0xA0))
            appendVisibleControl(out, c.unicode());
        else
            out += c;
    }
}

void DisplayText::sanitize(QStringView text, QString& out)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (m_pendingCr) {
            m_pendingCr = false;
            if (c != u'\n')
                appendVisibleControl(out, u'\r'); // a lone CR; CRLF becomes LF below
        }
        if (m_escape != Escape::None) {
            m_escapeText += QChar(c);
            bool ended = false;
            bool broken = false;
            switch (m_escape) {
            case Escape::Start: // right after ESC
                if (c == u'[')
                    m_escape = Escape::Csi;
                else if (c == u']' || c == u'P' || c == u'X' || c == u'^' || c == u'_')
                    m_escape = Escape::String; // OSC, DCS, SOS, PM, APC: up to BEL or ST
                else if (c >= 0x20 && c <= 0x2F)
                    m_escape = Escape::Intermediate; // "ESC ( B" and the like
                else if (c >= 0x30 && c <= 0x7E)
                    ended = true;
                else
                    broken = true;
                break;
            case Escape::Intermediate:
                if (c >= 0x30 && c <= 0x7E)
                    ended = true;
                else if (c < 0x20 || c > 0x2F)
                    broken = true;
                break;
            case Escape::Csi:
                if (c >= 0x40 && c <= 0x7E)
                    ended = true;
                else if (c < 0x20 || c > 0x3F)
                    broken = true;
                break;
            case Escape::String:
                if (c == 0x07)
                    ended = true;
                else if (c == 0x1B)
                    m_escape = Escape::StringEsc;
                break;
            case Escape::StringEsc:
                if (c == u'\\')
                    ended = true;
                else
                    m_escape = c == 0x1B ? Escape::StringEsc : Escape::String;
                break;
            case Escape::None:
                break;
            }
            if (ended) {
                m_escape = Escape::None;
                m_escapeText.clear();
            } else if (broken) {
                // Not an escape sequence after all: show it, and handle this character afresh.
                m_escapeText.chop(1);
                abandonEscape(out);
                --i;
            } else if (m_escapeText.size() > MaxEscapeLength) {
                abandonEscape(out);
            }
            continue;
        }
        if (c == 0x1B) {
            m_escape = Escape::Start;
            m_escapeText = QChar(c);
        } else if (c == u'\n' || c == u'\t') {
            out += QChar(c);
        } else if (c == u'\r') {
            m_pendingCr = true;
        } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || isBidiControl(c)) {
            appendVisibleControl(out, c);
        } else {
            out += QChar(c);
        }
    }
}
