// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// Turns a command's raw output bytes into text that is safe to show: UTF-8 decoded leniently (each invalid
// sequence becomes U+FFFD), ANSI escape sequences (CSI, OSC, DCS and the like) removed, CRLF made LF, and every
// other control character made visible: C0 controls and DEL as their Unicode control pictures ("\a" shows as
// U+2407 ␇, a lone "\r" as U+240D ␍), C1 controls and bidirectional overrides as "<U+009B>". "\n" and "\t" stay.
//
// Stateful, so that output arriving in chunks decodes the same as in one piece (a UTF-8 sequence or an escape
// sequence split between chunks is held back until its end arrives). Plain value; use it on one thread at a time.
class DisplayText {
public:
    // Displayable text for the bytes so far; may hold back up to a few bytes of an unfinished sequence.
    QString feed(QByteArrayView bytes);
    // Whatever was held back (an unfinished sequence at the end of the output), made displayable; resets.
    QString finish();
    // One piece of output at once.
    static QString fromBytes(QByteArrayView bytes);

private:
    enum class Escape { None, Start, Intermediate, Csi, String, StringEsc };
    void sanitize(QStringView text, QString& out);
    void abandonEscape(QString& out);

    QByteArray m_utf8Pending; // start of a UTF-8 sequence cut at the end of the last chunk
    Escape m_escape = Escape::None;
    QString m_escapeText; // the escape sequence being skipped, kept in case it never ends
    bool m_pendingCr = false;
};
