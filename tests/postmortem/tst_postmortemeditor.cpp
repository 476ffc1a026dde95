// SPDX-License-Identifier: MIT
#include "postmortemscript.h"

#include "models/actionitemmodel.h"
#include "services/atomicfilewriter.h"
#include "services/consoleservices.h"
#include "services/postmortemdrafts.h"
#include "services/storeclient.h"
#include "ui/mainwindow.h"
#include "ui/postmortemeditor.h"
#include "ui/postmortemlauncher.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDateEdit>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <csignal>

class TestPostmortemEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void draftEditSaveReopen();
    void exportFailureKeepsDraftAndFile();
    void exportsHtmlAndPdf();
    void killedEditorIsRestoredByteForByte();
    void actionItemTypedWithTab();

private:
    // Exports through the editor (rendered and written off the GUI thread) and reads the file back: false if the
    // export reported a failure, never reported, or left nothing readable.
    static bool exportAndRead(PostmortemEditor* editor, const QString& path, QByteArray* bytes);
    std::unique_ptr<PostmortemEditor> openEditor(StoreClient& client, std::optional<QByteArray> restored = {});
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_storePath;
    QString m_drafts;
    qint64 m_id = 0;
};

void TestPostmortemEditor::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_storePath = m_dir->filePath(u"incidents.sqlite"_s);
    m_drafts = m_dir->filePath(u"drafts"_s);
    IncidentStore store(m_storePath);
    QVERIFY(store.open());
    m_id = scriptIncident(store);
    QVERIFY(m_id > 0);
}

void TestPostmortemEditor::cleanup() { m_dir.reset(); }

std::unique_ptr<PostmortemEditor> TestPostmortemEditor::openEditor(
    StoreClient& client, std::optional<QByteArray> restored)
{
    IncidentStore store(m_storePath);
    if (!store.open())
        return {};
    auto editor = std::make_unique<PostmortemEditor>(&client, *store.incident(m_id), m_drafts, std::move(restored));
    editor->setAttribute(Qt::WA_DeleteOnClose, false);
    return editor;
}

void TestPostmortemEditor::draftEditSaveReopen()
{
    StoreClient client(m_storePath);
    client.open();
    {
        auto editor = openEditor(client);
        QVERIFY(editor);
        editor->setTimeZone(QTimeZone(QByteArrayLiteral("Europe/Berlin")));
        QTRY_VERIFY(editor->isLoaded());
        QVERIFY(editor->markdown().startsWith(u"# Post-Mortem: Database connection pool exhausted\n"_s));
        QVERIFY(editor->preview()->toPlainText().contains(u"Root Cause"_s));
        // The template's Date/Severity/Duration/Impact lines stay one per line in the preview.
        QVERIFY2(QRegularExpression(u"\nDate: \\S[^\n]*\nSeverity: P\\d\nDuration: [^\n]+\nImpact: "_s)
                     .match(editor->preview()->toPlainText())
                     .hasMatch(),
            qPrintable(editor->preview()->toPlainText().left(300)));
        // A note offered in the list goes into the Timeline section.
        QListWidget* events = editor->eventList();
        QList<QListWidgetItem*> notes = events->findItems(u"Checking dashboards"_s, Qt::MatchEndsWith);
        QCOMPARE(notes.size(), 1);
        notes.first()->setSelected(true);
        editor->insertSelectedEvents();
        QVERIFY2(editor->markdown().contains(u"- **11:42** - Incident resolved: Pool size restored; connections back "
                                             u"under 60%\n- **11:20** - Checking dashboards\n\n## Root Cause"_s),
            qPrintable(editor->markdown()));
        // Action items from the table into the Markdown.
        editor->actionItems()->addItem({ u"Alert on pool usage"_s, u"isabel"_s, QDate(2026, 3, 21), false });
        QVERIFY(editor->markdown().contains(u"## Action Items\n\n- [ ] Alert on pool usage - @isabel - 2026-03-21\n\n"
                                            u"## Lessons Learned"_s));
        QTRY_VERIFY(editor->preview()->toPlainText().contains(u"Alert on pool usage"_s));
        QSignalSpy autosaved(editor.get(), &PostmortemEditor::autosaved);
        QVERIFY(editor->autosaveNow());
        QVERIFY(autosaved.wait(10000));
        QVERIFY(QFile::exists(PostmortemDrafts::draftPath(m_drafts, m_id)));
        QSignalSpy saved(editor.get(), &PostmortemEditor::savedToStore);
        editor->saveToStore();
        QVERIFY(saved.wait(10000));
        // Safe in the store: the draft goes (removed off the GUI thread, after any queued autosave).
        QTRY_VERIFY(!QFile::exists(PostmortemDrafts::draftPath(m_drafts, m_id)));
    }
    // Reopens where it was left: text, items, zone.
    auto again = openEditor(client);
    QTRY_VERIFY(again->isLoaded());
    QVERIFY(again->markdown().contains(u"- **11:20** - Checking dashboards"_s));
    QCOMPARE(again->actionItems()->items().size(), 1);
    QCOMPARE(again->timeZone().id(), QByteArrayLiteral("Europe/Berlin"));
}

void TestPostmortemEditor::exportFailureKeepsDraftAndFile()
{
    StoreClient client(m_storePath);
    client.open();
    auto editor = openEditor(client);
    QTRY_VERIFY(editor->isLoaded());
    const QString path = m_dir->filePath(u"pm.md"_s);
    QByteArray first;
    QVERIFY(exportAndRead(editor.get(), path, &first));
    QCOMPARE(first, editor->markdown().toUtf8());
    QSignalSpy exported(editor.get(), &PostmortemEditor::exported);
    QFile f(path);
    editor->setMarkdown(editor->markdown() + u"\nMore words.\n"_s);
    QSignalSpy autosaved(editor.get(), &PostmortemEditor::autosaved);
    QVERIFY(editor->autosaveNow()); // before the failure: the export then has no draft to write first
    QVERIFY(autosaved.wait(10000));
    AtomicFileWriter::injectFailureAfter(10);
    editor->exportTo(path);
    QVERIFY(exported.wait(10000));
    QCOMPARE(exported.takeFirst().at(0).toBool(), false);
    QVERIFY2(editor->statusText().contains(u"No space left"_s) && editor->statusText().contains(u"draft is kept"_s),
        qPrintable(editor->statusText()));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), first);
    QFile draft(PostmortemDrafts::draftPath(m_drafts, m_id));
    QVERIFY(draft.open(QIODevice::ReadOnly));
    QCOMPARE(draft.readAll(), editor->markdown().toUtf8());
    QMessageBox* box = editor->findChild<QMessageBox*>();
    QVERIFY(box && box->isVisible());
    box->close();
}

bool TestPostmortemEditor::exportAndRead(PostmortemEditor* editor, const QString& path, QByteArray* bytes)
{
    QSignalSpy exported(editor, &PostmortemEditor::exported);
    editor->exportTo(path);
    if (!exported.wait(10000) || !exported.first().at(0).toBool())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    *bytes = file.readAll();
    return true;
}

void TestPostmortemEditor::exportsHtmlAndPdf()
{
    StoreClient client(m_storePath);
    client.open();
    auto editor = openEditor(client);
    QTRY_VERIFY(editor->isLoaded());
    QByteArray bytes;
    QVERIFY(exportAndRead(editor.get(), m_dir->filePath(u"pm.html"_s), &bytes));
    const QString page = QString::fromUtf8(bytes);
    // The template's headings as HTML headings, in order.
    const qsizetype title = page.indexOf(u"Post-Mortem: Database connection pool exhausted"_s);
    const qsizetype rootCause = page.indexOf(u">Root Cause<"_s);
    const qsizetype lessons = page.indexOf(u">Lessons Learned<"_s);
    QVERIFY2(title > 0 && rootCause > title && lessons > rootCause, qPrintable(page.left(2000)));
    QVERIFY(page.contains(u"<h1"_s) && page.contains(u"<h2"_s));
    // ... and the header's fields one per line (a line break or a new paragraph between each), not one run-on
    // paragraph.
    const QString next = u"(<br />|</p>\\s*<p[^>]*>)<span[^>]*>"_s;
    const QRegularExpression fields(
        u"Date</span>: [^<]+%1Severity</span>: P\\d%1Duration</span>: [^<]+%1Impact</span>: "_s.arg(next));
    QVERIFY2(fields.match(page).hasMatch(), qPrintable(page.mid(page.indexOf(u"Date"_s) - 200, 800)));

    QVERIFY(exportAndRead(editor.get(), m_dir->filePath(u"pm.pdf"_s), &bytes));
    QVERIFY(bytes.startsWith("%PDF-"));
    QVERIFY(bytes.trimmed().endsWith("%%EOF"));
    QVERIFY(bytes.contains("/Type /Page"));
}

void TestPostmortemEditor::killedEditorIsRestoredByteForByte()
{
    const QByteArray text = "# Post-Mortem: Database connection pool exhausted\n\nÜnïcödé ☕ 🐕 and\ttabs, trailing "
                            "spaces   \n\n## Timeline\n\n- **10:00** - typed by hand\n";
    const QString textFile = m_dir->filePath(u"text.md"_s);
    QFile t(textFile);
    QVERIFY(t.open(QIODevice::WriteOnly) && t.write(text) == text.size());
    t.close();

    QProcess helper;
    helper.start(
        qEnvironmentVariable("PETFORCE_EDITOR_HELPER"), { m_storePath, QString::number(m_id), m_drafts, textFile });
    QVERIFY(helper.waitForStarted());
    // Wait for an autosave of the whole text, then kill it: no chance to clean up.
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += helper.readAllStandardOutput()).contains("AUTOSAVED") &&
            [&] {
                QFile d(PostmortemDrafts::draftPath(m_drafts, m_id));
                return d.open(QIODevice::ReadOnly) && d.readAll() == text;
            }(),
        30000);
    QVERIFY(PostmortemDrafts::orphans(m_drafts).isEmpty()); // its lock is alive
    ::kill(helper.processId(), SIGKILL);
    QVERIFY(helper.waitForFinished(10000));

    const QList<PostmortemDrafts::Orphan> orphans = PostmortemDrafts::orphans(m_drafts);
    QCOMPARE(orphans.size(), 1);
    QCOMPARE(orphans.first().incidentId, m_id);
    QCOMPARE(orphans.first().bytes, text);

    // The next start of the console offers it, and restoring shows it byte for byte.
    qputenv("PETFORCE_DRAFTS_DIR", m_drafts.toUtf8());
    StoreClient client(m_storePath);
    ConsoleServices services;
    services.store = &client;
    MainWindow window(services);
    window.show();
    client.open();
    PostmortemLauncher* launcher = window.postmortems();
    QTRY_VERIFY_WITH_TIMEOUT(launcher->restoreOffer() && launcher->restoreOffer()->isVisible(), 10000);
    QVERIFY(launcher->restoreOffer()->text().contains(u"Database connection pool exhausted"_s));
    auto* restore = launcher->restoreOffer()->findChild<QAbstractButton*>(u"restoreDraft"_s);
    QVERIFY(restore);
    restore->click();
    QTRY_VERIFY(launcher->editor(m_id) && launcher->editor(m_id)->isLoaded());
    PostmortemEditor* editor = launcher->editor(m_id);
    QCOMPARE(editor->markdown().toUtf8(), text);
    QVERIFY(editor->autosaveNow()); // it now holds the draft itself
    QCOMPARE(PostmortemDrafts::orphans(m_drafts).size(), 0);
    // Quitting the console closes its post-mortem windows too (they kept the process running), draft kept.
    QPointer<PostmortemEditor> open(editor);
    editor->setMarkdown(QString::fromUtf8(text) + u"\nTyped just before quitting.\n"_s);
    window.close();
    QTRY_VERIFY(!open);
    QTRY_VERIFY_WITH_TIMEOUT(PostmortemDrafts::orphans(m_drafts).size() == 1
            && PostmortemDrafts::orphans(m_drafts).first().bytes.endsWith("Typed just before quitting.\n"),
        10000);
    qunsetenv("PETFORCE_DRAFTS_DIR");
}

void TestPostmortemEditor::actionItemTypedWithTab()
{
    StoreClient client(m_storePath);
    client.open();
    auto editor = openEditor(client);
    QVERIFY(editor);
    editor->show();
    QVERIFY(QTest::qWaitForWindowExposed(editor.get()));
    QTRY_VERIFY(editor->isLoaded());
    editor->actionItems()->addItem({ u"Alert on pool usage"_s, u"isabel"_s, QDate(2026, 3, 21), false });
    auto* table = editor->findChild<QTableView*>(u"actionItemTable"_s);
    table->setCurrentIndex(editor->actionItems()->index(0, ActionItemModel::Text)); // where the operator was
    editor->findChild<QPushButton*>(u"addActionItem"_s)->click();
    QWidget* field = QApplication::focusWidget();
    QVERIFY(qobject_cast<QLineEdit*>(field));
    QTest::keyClicks(field, u"Raise the pool size"_s);
    QTest::keyClick(field, Qt::Key_Tab);
    field = QApplication::focusWidget();
    QVERIFY(qobject_cast<QLineEdit*>(field));
    QTest::keyClicks(field, u"@kenji"_s);
    QTest::keyClick(field, Qt::Key_Tab);
    auto* date = qobject_cast<QDateEdit*>(QApplication::focusWidget());
    QVERIFY(date);
    QCOMPARE(date->date(), QDate::currentDate()); // not 2000-01-01
    QTest::keyClick(date, Qt::Key_Return);
    QTRY_VERIFY(editor->actionItems()->items().value(1).due.isValid()); // committed when the editor closes
    const QList<ActionItem> items = editor->actionItems()->items();
    QCOMPARE(items.size(), 2);
    QCOMPARE(items.at(0).text, u"Alert on pool usage"_s); // the row the operator was on is untouched
    QCOMPARE(items.at(0).owner, u"isabel"_s);
    QCOMPARE(items.at(1).text, u"Raise the pool size"_s);
    QCOMPARE(items.at(1).owner, u"kenji"_s);
    QCOMPARE(items.at(1).due, QDate::currentDate());
    // Export opens in the operator's documents (or home), never the current folder.
    editor->exportInteractively();
    QFileDialog* exportDialog = nullptr;
    QTRY_VERIFY((exportDialog = editor->findChild<QFileDialog*>(u"postmortemExportDialog"_s)) != nullptr);
    QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (documents.isEmpty() || !QFileInfo(documents).isDir())
        documents = QDir::homePath();
    QCOMPARE(exportDialog->directory().absolutePath(), QDir(documents).absolutePath());
    QCOMPARE(exportDialog->selectedFiles().value(0), documents + u"/postmortem-incident-%1.md"_s.arg(m_id));
    exportDialog->reject();
    QVERIFY2(editor->markdown().contains(
                 u"- [ ] Raise the pool size - @kenji - "_s + QDate::currentDate().toString(Qt::ISODate)),
        qPrintable(editor->markdown()));
}

QTEST_MAIN(TestPostmortemEditor)
#include "tst_postmortemeditor.moc"
