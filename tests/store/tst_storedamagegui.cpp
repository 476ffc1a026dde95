// SPDX-License-Identifier: MIT
// The main window on a damaged 10 MB store: it says so, a note typed is refused with the reason and stays in the
// note field, the file is byte-identical after the window and its store are gone, and moving it aside starts anew.
#include "services/storeclient.h"
#include "storetestsupport.h"
#include "ui/mainwindow.h"
#include "ui/timelinepane.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace StoreTest;

namespace {
QMessageBox* visibleBox(const QString& objectName)
{
    for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible() && box->objectName() == objectName)
            return box;
    }
    return nullptr;
}
} // namespace

class TestStoreDamageGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void noteOnDamagedStoreIsKeptAndExplained();
    void exportWhatCanBeReadFromTheBox();

private:
    QTemporaryDir m_dir;
    QString m_template;
    qint64 m_incidentId = 0;
};

void TestStoreDamageGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_storedamagegui"_s);
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_template = m_dir.filePath(u"template.sqlite"_s);
    QVERIFY(buildStore(m_template, 10 * 1024 * 1024, 2000, &m_incidentId));
    QVERIFY(damageMiddle(m_template));
}

void TestStoreDamageGui::noteOnDamagedStoreIsKeptAndExplained()
{
    const QString path = m_dir.filePath(u"incidents.sqlite"_s);
    QVERIFY(QFile::copy(m_template, path));
    const QByteArray before = sha256(path);
    {
        StoreClient store(path);
        ConsoleServices services;
        services.store = &store;
        MainWindow window(services);
        QSignalSpy ready(&window, &MainWindow::storeReady);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        store.open();
        QVERIFY(ready.wait(10000)); // opened read-only: the incident list is shown

        QMessageBox* damaged = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((damaged = visibleBox(u"storeDamagedBox"_s)) != nullptr, 20000);
        QVERIFY2(damaged->text().contains(u"damaged"_s) && damaged->text().contains(u"move it aside"_s),
            qPrintable(damaged->text()));
        QVERIFY(window.findChild<QLabel*>(u"storeStatus"_s)->text().contains(u"damaged"_s));
        damaged->reject(); // Keep Reading

        auto* note = window.findChild<QLineEdit*>(u"noteEditor"_s);
        QVERIFY(note);
        QTRY_VERIFY(note->isEnabled());
        note->setFocus();
        QTest::keyClicks(note, u"Rolled back the deploy"_s);
        QTest::keyClick(note, Qt::Key_Return);
        QMessageBox* refused = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((refused = visibleBox(u"writeErrorBox"_s)) != nullptr, 10000);
        QVERIFY2(refused->informativeText().contains(u"stopped writing"_s), qPrintable(refused->informativeText()));
        QCOMPARE(note->text(), u"Rolled back the deploy"_s); // given back, never lost
        refused->accept();
        window.close();
    }
    QCOMPARE(sha256(path), before);
}

void TestStoreDamageGui::exportWhatCanBeReadFromTheBox()
{
    const QString path = m_dir.filePath(u"export.sqlite"_s);
    QVERIFY(QFile::copy(m_template, path));
    const QByteArray before = sha256(path);
    const QString out = m_dir.filePath(u"readable.jsonl"_s);
    {
        StoreClient store(path);
        ConsoleServices services;
        services.store = &store;
        MainWindow window(services);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        store.open();
        QMessageBox* damaged = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((damaged = visibleBox(u"storeDamagedBox"_s)) != nullptr, 20000);
        auto* exportButton = damaged->findChild<QPushButton*>(u"exportReadableButton"_s);
        QVERIFY(exportButton);
        exportButton->click();
        QFileDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<QFileDialog*>(u"exportReadableDialog"_s)) != nullptr);
        QVERIFY2(
            dialog->selectedFiles().value(0).endsWith(u".jsonl"_s), qPrintable(dialog->selectedFiles().join(u' ')));
        Q_EMIT dialog->fileSelected(out); // what Save does with the name typed
        dialog->close();
        QMessageBox* result = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((result = visibleBox(u"exportReadableResult"_s)) != nullptr, 30000);
        QVERIFY2(result->text().contains(out), qPrintable(result->text()));
        QVERIFY2(result->informativeText().contains(u"events exported"_s)
                && result->informativeText().contains(u"could not be read"_s),
            qPrintable(result->informativeText()));
        QVERIFY(QFileInfo(out).size() > 1024 * 1024);
        QVERIFY(window.findChild<QAction*>(u"actionExportReadable"_s)->isEnabled());
        result->accept();
        window.close();
    }
    QCOMPARE(sha256(path), before);
}

QTEST_MAIN(TestStoreDamageGui)
#include "tst_storedamagegui.moc"
