// SPDX-License-Identifier: MIT
// BoundedBytes: the end of a stream in one allocation of its cap (the runner's tail, the output view's bytes).
#include "services/boundedbytes.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestBoundedBytes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepsTheEnd_data();
    void keepsTheEnd();
    void oneAllocation();
    void dropFront();
};

void TestBoundedBytes::keepsTheEnd_data()
{
    QTest::addColumn<int>("chunk");
    QTest::addColumn<int>("cap");
    QTest::addColumn<int>("keep");
    QTest::newRow("small chunks, exact tail") << 7 << 100 << 100;
    QTest::newRow("small chunks, amortised") << 7 << 100 << 50;
    QTest::newRow("chunk larger than the cap") << 250 << 100 << 100;
    QTest::newRow("chunk equal to the cap") << 100 << 100 << 60;
}

void TestBoundedBytes::keepsTheEnd()
{
    QFETCH(int, chunk);
    QFETCH(int, cap);
    QFETCH(int, keep);
    QByteArray stream;
    QByteArray buffer;
    qsizetype dropped = 0;
    for (int i = 0; i < 40; ++i) {
        QByteArray c;
        for (int j = 0; j < chunk; ++j)
            c.append(char('a' + (i * chunk + j) % 26));
        stream += c;
        dropped += BoundedBytes::append(buffer, c, cap, keep);
        QVERIFY(buffer.size() <= cap);
        QCOMPARE(dropped + buffer.size(), stream.size());
        QCOMPARE(buffer, stream.right(buffer.size()));
    }
    QVERIFY(buffer.size() >= keep);
}

void TestBoundedBytes::oneAllocation()
{
    const qsizetype cap = 512 * 1024;
    QByteArray buffer;
    const QByteArray chunk(64 * 1024, 'x');
    BoundedBytes::append(buffer, chunk, cap, cap / 2);
    QVERIFY(buffer.capacity() < cap); // a short output does not take the whole cap
    for (int i = 0; i < 3; ++i)
        BoundedBytes::append(buffer, chunk, cap, cap / 2);
    QCOMPARE(buffer.capacity(), cap); // heading for the cap: reserved once
    const char* data = buffer.constData();
    for (int i = 0; i < 100; ++i) {
        BoundedBytes::append(buffer, chunk, cap, cap / 2);
        QCOMPARE(buffer.constData(), data); // never reallocated, never moved
        QVERIFY(buffer.capacity() <= cap);
    }
}

void TestBoundedBytes::dropFront()
{
    QByteArray b = "hello world";
    b.reserve(64);
    const char* data = b.constData();
    BoundedBytes::dropFront(b, 6);
    QCOMPARE(b, QByteArray("world"));
    QCOMPARE(b.constData(), data);
    BoundedBytes::dropFront(b, 10);
    QVERIFY(b.isEmpty());
}

QTEST_APPLESS_MAIN(TestBoundedBytes)
#include "tst_boundedbytes.moc"
