// SPDX-License-Identifier: MIT
#include "services/displaytext.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestDisplayText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sanitizes_data();
    void sanitizes();
    void chunkedEqualsWhole_data();
    void chunkedEqualsWhole();
    void unfinishedSequenceAtEnd();
};

void TestDisplayText::sanitizes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QByteArray("hello\n\tworld") << u"hello\n\tworld"_s;
    QTest::newRow("utf-8") << QByteArray("caf\xc3\xa9 \xf0\x9f\x90\xb6") << u"café 🐶"_s;
    QTest::newRow("invalid utf-8") << QByteArray("a\xff"
                                                 "b\xc3(c")
                                   << u"a\uFFFDb\uFFFD(c"_s;
    QTest::newRow("overlong") << QByteArray("\xc0\xaf") << u"\uFFFD\uFFFD"_s;
    QTest::newRow("colour") << QByteArray("\x1b[1;31mred\x1b[0m ok") << u"red ok"_s;
    QTest::newRow("osc title bel") << QByteArray("\x1b]0;pwned title\x07text") << u"text"_s;
    QTest::newRow("osc hyperlink st") << QByteArray("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") << u"link"_s;
    QTest::newRow("charset") << QByteArray("\x1b(Bx") << u"x"_s;
    QTest::newRow("cursor keys") << QByteArray("\x1b"
                                               "7a\x1b"
                                               "8")
                                 << u"a"_s;
    QTest::newRow("bell nul del") << QByteArray("a\x07"
                                                "b\x00"
                                                "c\x7f",
        6) << u"a\u2407b\u2400c\u2421"_s;
    QTest::newRow("crlf") << QByteArray("one\r\ntwo\r\n") << u"one\ntwo\n"_s;
    QTest::newRow("lone cr") << QByteArray("50%\r100%") << u"50%\u240D100%"_s;
    QTest::newRow("backspace") << QByteArray("ab\bc") << u"ab\u2408c"_s;
    QTest::newRow("c1 csi") << QByteArray("x\xc2\x9b"
                                          "31my")
                            << u"x<U+009B>31my"_s;
    QTest::newRow("bidi override") << QByteArray("abc\xe2\x80\xae"
                                                 "def")
                                   << u"abc<U+202E>def"_s;
    QTest::newRow("esc then newline") << QByteArray("a\x1b\nb") << u"a\u241B\nb"_s;
}

void TestDisplayText::sanitizes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QCOMPARE(DisplayText::fromBytes(bytes), expected);
}

void TestDisplayText::chunkedEqualsWhole_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("mixed") << QByteArray("caf\xc3\xa9\x1b[31m \xf0\x9f\x90\xb6\x1b]0;t\x07z\r\nq\xff\r");
    QTest::newRow("escapes") << QByteArray("\x1b[1;2;3m\x1b]8;;u\x1b\\l\x1b(B\x1b[K!");
}

void TestDisplayText::chunkedEqualsWhole()
{
    QFETCH(QByteArray, bytes);
    const QString whole = DisplayText::fromBytes(bytes);
    for (int size = 1; size <= 4; ++size) {
        DisplayText t;
        QString text;
        for (qsizetype i = 0; i < bytes.size(); i += size)
            text += t.feed(QByteArrayView(bytes).sliced(i, qMin<qsizetype>(size, bytes.size() - i)));
        text += t.finish();
        QCOMPARE(text, whole);
    }
}

void TestDisplayText::unfinishedSequenceAtEnd()
{
    DisplayText t;
    QCOMPARE(t.feed("ok\xe2\x82"), u"ok"_s); // held back: maybe the rest comes
    QCOMPARE(t.finish(), QString::fromUtf8("\xe2\x82")); // U+FFFD, as Qt decodes a cut sequence
    QCOMPARE(t.feed("\x1b[31"), QString());
    QCOMPARE(t.finish(), u"\u241B[31"_s); // an escape that never ended is shown, not swallowed
}

QTEST_GUILESS_MAIN(TestDisplayText)
#include "tst_displaytext.moc"
