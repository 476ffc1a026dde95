// SPDX-License-Identifier: MIT
// MetricChart alone, offscreen: 24 h at 10 s decimated to the pixels available, hover (the mouse over the plot)
// shows the exact sample it points at — a one-sample spike inside a decimated column included — and the alert
// threshold is drawn where its value is.
#include "models/metricseries.h"
#include "ui/metricchart.h"

#include <QApplication>
#include <QDateTime>
#include <QImage>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMetricChart : public QObject {
    Q_OBJECT
    static constexpr int kSamples = 24 * 360;
    static constexpr int kSpike = 5000;
    qint64 m_start = 0;
    MetricSeries m_series { kSamples };
    std::unique_ptr<MetricChart> m_chart;

    qint64 timeOf(int i) const { return m_start + qint64(i) * 10000; }

private Q_SLOTS:
    void init()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
        m_start = now - qint64(kSamples - 1) * 10000;
        m_series.clear();
        for (int i = 0; i < kSamples; ++i)
            m_series.append(timeOf(i), i == kSpike ? 123.456 : 10.0 + (i % 7) * 0.25);
        m_chart = std::make_unique<MetricChart>();
        m_chart->setSeries(&m_series);
        m_chart->setUnit(u"ms"_s);
        m_chart->setThreshold(50);
        m_chart->setTimeRange(now - 24LL * 3600 * 1000, now);
        m_chart->resize(600, 300);
        m_chart->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_chart.get()));
        m_chart->redraw();
    }

    void cleanup() { m_chart.reset(); }

    void decimatedToPixels()
    {
        QVERIFY(m_chart->drawnPointCount() > 100);
        QVERIFY2(m_chart->drawnPointCount() <= 2 * m_chart->width(),
            qPrintable(QString::number(m_chart->drawnPointCount())));
    }

    void hoverShowsTheExactSample()
    {
        QSignalSpy hovered(m_chart.get(), &MetricChart::sampleHovered);
        // The spike is one sample among ~25 in its pixel column: pointing at it shows it, to the second.
        const QString spike = m_chart->hoverAt(m_chart->positionOf(timeOf(kSpike), 123.456));
        QCOMPARE(
            spike, u"%1  123.456 ms"_s.arg(QDateTime::fromMSecsSinceEpoch(timeOf(kSpike)).toString(u"HH:mm:ss"_s)));
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.first().first().toString(), spike);
        // The flat part beside it: one of its real values, never the spike's.
        const QString flat = m_chart->hoverAt(m_chart->positionOf(timeOf(1000), 10.0));
        QVERIFY2(flat.endsWith(u"10 ms"_s) || flat.endsWith(u"10.25 ms"_s), qPrintable(flat));
        // Outside the plot area: nothing.
        QVERIFY(m_chart->hoverAt(QPoint(1, 1)).isEmpty());
        QCOMPARE(hovered.count(), 2);
    }

    void mouseMoveOverTheViewHovers()
    {
        QSignalSpy hovered(m_chart.get(), &MetricChart::sampleHovered);
        const QPoint at = m_chart->positionOf(timeOf(kSpike), 123.456);
        QWidget* target = m_chart->childAt(at);
        QVERIFY(target);
        QMouseEvent move(QEvent::MouseMove, target->mapFrom(m_chart.get(), at), m_chart->mapToGlobal(at), Qt::NoButton,
            Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(target, &move);
        QCOMPARE(hovered.count(), 1);
        QVERIFY2(hovered.first().first().toString().endsWith(u"123.456 ms"_s),
            qPrintable(hovered.first().first().toString()));
    }

    void thresholdIsDrawn()
    {
        const QImage image = m_chart->grab().toImage();
        int red = 0;
        for (int i = 0; i < 40; ++i) {
            const QPoint p = m_chart->positionOf(timeOf(2000 + i * 50), 50);
            for (int dy = -1; dy <= 1; ++dy) {
                const QColor c = image.pixelColor(
                    p.x() * image.width() / m_chart->width(), (p.y() + dy) * image.height() / m_chart->height());
                if (c.red() > 150 && c.green() < 120 && c.blue() < 120) {
                    ++red;
                    break;
                }
            }
        }
        QVERIFY2(red >= 20, qPrintable(QString::number(red))); // dashed: most, not all, of the points on it
    }
};

QTEST_MAIN(TestMetricChart)
#include "tst_metricchart.moc"
