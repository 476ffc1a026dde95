// SPDX-License-Identifier: MIT
// The sessions table's column choice and sort order are remembered between runs (QSettings, in this test's
// private XDG_CONFIG_HOME): chosen through the header's menu as an operator would, the pane destroyed, the
// settings written to disk and read back by a new pane. No server: the pane is never shown to a database.
#include "models/dbasessionmodel.h"
#include "ui/dbapane.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TestDbaPaneState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void columnChoiceAndSortRemembered();

private:
    static std::unique_ptr<DbaPane> makePane();
    static QAction* headerMenuAction(DbaPane& pane, const QString& column);
};

void TestDbaPaneState::initTestCase()
{
    // The private config folder survives between test runs: start from a pane that never saved its state.
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_dbapanestate"_s);
    const QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    QVERIFY(config.contains(u"test-home"_s));
    QVERIFY(QDir().mkpath(config));
    QSettings settings;
    settings.remove(u"dba"_s);
    settings.sync();
    QCOMPARE(settings.status(), QSettings::NoError);
}

std::unique_ptr<DbaPane> TestDbaPaneState::makePane()
{
    auto pane = std::make_unique<DbaPane>(ConsoleServices {}, [] { return qint64(0); });
    pane->resize(1000, 600);
    pane->tabs()->setCurrentIndex(DbaPane::SessionsTab);
    return pane;
}

// The column's entry in the menu the header shows on a right click.
QAction* TestDbaPaneState::headerMenuAction(DbaPane& pane, const QString& column)
{
    QHeaderView* header = pane.sessionView()->horizontalHeader();
    const QList<QMenu*> before = pane.findChildren<QMenu*>();
    Q_EMIT header->customContextMenuRequested(QPoint(10, 5));
    for (QMenu* menu : pane.findChildren<QMenu*>()) {
        if (before.contains(menu))
            continue;
        for (QAction* a : menu->actions())
            if (a->text() == column)
                return a;
    }
    return nullptr;
}

void TestDbaPaneState::columnChoiceAndSortRemembered()
{
    const QString client = DbaSessionModel().headerData(DbaSessionModel::ClientColumn, Qt::Horizontal).toString();
    const QString database = DbaSessionModel().headerData(DbaSessionModel::DatabaseColumn, Qt::Horizontal).toString();
    {
        auto pane = makePane();
        QHeaderView* header = pane->sessionView()->horizontalHeader();
        // The defaults: Client shown, Database hidden, sorted by pid.
        QVERIFY(!header->isSectionHidden(DbaSessionModel::ClientColumn));
        QVERIFY(header->isSectionHidden(DbaSessionModel::DatabaseColumn));
        QCOMPARE(header->sortIndicatorSection(), int(DbaSessionModel::PidColumn));

        QAction* hideClient = headerMenuAction(*pane, client);
        QVERIFY(hideClient);
        QVERIFY(hideClient->isChecked());
        hideClient->toggle();
        QAction* showDatabase = headerMenuAction(*pane, database);
        QVERIFY(showDatabase);
        QVERIFY(!showDatabase->isChecked());
        showDatabase->toggle();
        QVERIFY(header->isSectionHidden(DbaSessionModel::ClientColumn));
        QVERIFY(!header->isSectionHidden(DbaSessionModel::DatabaseColumn));
        pane->sessionView()->sortByColumn(DbaSessionModel::QueryAgeColumn, Qt::DescendingOrder);
    }

    // On disk, where a next run reads it.
    QSettings().sync();
    const QString file = QSettings().fileName();
    QVERIFY2(file.startsWith(qEnvironmentVariable("XDG_CONFIG_HOME")), qPrintable(file));
    QVERIFY2(QFileInfo::exists(file), qPrintable(file));
    QVERIFY(QSettings(file, QSettings::IniFormat).contains(u"dba/sessionHeader"_s));

    auto pane = makePane();
    QHeaderView* header = pane->sessionView()->horizontalHeader();
    QVERIFY(header->isSectionHidden(DbaSessionModel::ClientColumn));
    QVERIFY(!header->isSectionHidden(DbaSessionModel::DatabaseColumn));
    QVERIFY(header->isSectionHidden(DbaSessionModel::BackendXminColumn)); // a default left as it was
    QCOMPARE(header->sortIndicatorSection(), int(DbaSessionModel::QueryAgeColumn));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QAction* clientEntry = headerMenuAction(*pane, client);
    QVERIFY(clientEntry);
    QVERIFY(!clientEntry->isChecked()); // the menu agrees
}

QTEST_MAIN(TestDbaPaneState)
#include "tst_dbapanestate.moc"
