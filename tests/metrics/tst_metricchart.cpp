// SPDX-License-Identifier: MIT
// MetricChart alone, offscreen: 24 h at 10 s decimated to the pixels available, hover (the mouse over the plot)
// shows the exact sample it points at — a one-sample spike inside a decimated column included — and the alert
// threshold is drawn where its value is. Without its Qt Charts module (ui/chartplot.h), a chart says why in its
// place and does nothing else.
#include "models/metricseries.h"
#include "support/childtest.h"
#include "ui/chartplot.h"
#include "ui/metricchart.h"

#include <QApplication>
#include <QDateTime>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace Qt::StringLiterals;

class TestMetricChart : public QObject {
    Q_OBJECT
    static constexpr int kSamples = 24 * 360;
    static constexpr int kSpike = 5000;
    qint64 m_start = 0;
    MetricSeries m_series { kSamples };
    std::unique_ptr<MetricChart> m_chart;

    qint64 timeOf(int i) const { return m_start + qint64(i) * 10000; }

    // m_chart: 24 h of m_series, shown at 600x300.
    void makeChart()
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

private Q_SLOTS:
    void init()
    {
        if (!qEnvironmentVariableIsSet("PETFORCE_TEST_PRELOAD")) // preloadLoadsOnAPoolThread's child: no chart yet
            makeChart();
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

    void missingModuleIsExplained_data()
    {
        QTest::addColumn<QByteArray>("content"); // of the folder's libpetforce-chartplot.so; empty: no file
        QTest::addColumn<QString>("expected");
        QTest::newRow("no module") << QByteArray() << u"was not found"_s;
        QTest::newRow("not a library") << QByteArray("not an ELF file\n") << u"could not load the chart module"_s;
        // A library, but without the factory: any small one of the system.
        for (const QString& dir : { u"/lib/x86_64-linux-gnu"_s, u"/usr/lib/x86_64-linux-gnu"_s, u"/lib64"_s,
                 u"/usr/lib64"_s, u"/usr/lib"_s }) {
            QFile libz(dir + u"/libz.so.1"_s);
            if (libz.open(QIODevice::ReadOnly)) {
                QTest::newRow("another library") << libz.readAll() << u"lacks petforce_chartplot_create_v1"_s;
                break;
            }
        }
    }

    void missingModuleIsExplained()
    {
        // The module is loaded once per process (the first chart): the case runs in a process of its own, whose
        // PETFORCE_MODULE_DIR holds no usable module.
        if (qEnvironmentVariableIsSet("PETFORCE_MODULE_DIR")) { // the child process below: init() built the chart
            const auto* label = m_chart->findChild<QLabel*>();
            QVERIFY(label);
            QVERIFY(label->isVisible());
            QVERIFY2(label->text().contains(qEnvironmentVariable("PETFORCE_TEST_EXPECTED")), qPrintable(label->text()));
            QVERIFY2(label->text().contains(u"Reinstall petforce-console"_s), qPrintable(label->text()));
            QCOMPARE(m_chart->drawnPointCount(), 0);
            QVERIFY(m_chart->positionOf(timeOf(kSpike), 123.456).isNull());
            QSignalSpy hovered(m_chart.get(), &MetricChart::sampleHovered);
            QVERIFY(m_chart->hoverAt(QPoint(300, 150)).isEmpty());
            QWidget* target = m_chart->childAt(QPoint(300, 150));
            QVERIFY(target);
            QMouseEvent move(QEvent::MouseMove, target->mapFrom(m_chart.get(), QPoint(300, 150)),
                m_chart->mapToGlobal(QPoint(300, 150)), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QApplication::sendEvent(target, &move);
            QCOMPARE(hovered.count(), 0);
            m_chart->setStale(true);
            m_chart->setThreshold(std::nullopt);
            m_chart->redraw();
            m_chart->resize(200, 120);
            m_chart->setSeries(nullptr);
            m_chart->redraw();
            QVERIFY(!m_chart->grab().isNull());
            QCOMPARE(m_chart->drawnPointCount(), 0);
            // A second chart: the same message, the module is not tried again.
            MetricChart second;
            QVERIFY(second.findChild<QLabel*>());
            QCOMPARE(second.findChild<QLabel*>()->text(), label->text());
            QVERIFY(m_chart->describeSampleAt(timeOf(1)).isEmpty()); // no series any more
            return;
        }
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        if (!content.isEmpty()) {
            QFile module(dir.filePath(u"libpetforce-chartplot.so"_s));
            QVERIFY(module.open(QIODevice::WriteOnly));
            QCOMPARE(module.write(content), content.size());
        }
        QByteArray output;
        QVERIFY2(ChildTest::passes("TestMetricChart", u"missingModuleIsExplained"_s,
                     { { u"PETFORCE_MODULE_DIR"_s, dir.path() }, { u"PETFORCE_TEST_EXPECTED"_s, expected } }, &output,
                     QString::fromUtf8(QTest::currentDataTag())),
            output.constData());
    }

    void preloadLoadsOnAPoolThread()
    {
        // In a process of its own, where no chart was made: ChartPlot::preload() maps the module and Qt Charts
        // without the GUI thread asking, and the first chart afterwards draws.
        const auto mapped = [] {
            QFile maps(u"/proc/self/maps"_s);
            return maps.open(QIODevice::ReadOnly) && maps.readAll().contains("libpetforce-chartplot.so");
        };
        if (qEnvironmentVariableIsSet("PETFORCE_TEST_PRELOAD")) {
            QVERIFY(!mapped());
            ChartPlot::preload();
            QVERIFY(QThreadPool::globalInstance()->waitForDone(30000));
            QVERIFY(mapped());
            makeChart();
            QVERIFY(!m_chart->findChild<QLabel*>());
            QVERIFY(m_chart->drawnPointCount() > 100);
            return;
        }
        QByteArray output;
        QVERIFY2(ChildTest::passes("TestMetricChart", u"preloadLoadsOnAPoolThread"_s,
                     { { u"PETFORCE_TEST_PRELOAD"_s, u"1"_s } }, &output),
            output.constData());
    }
};

QTEST_MAIN(TestMetricChart)
#include "tst_metricchart.moc"
