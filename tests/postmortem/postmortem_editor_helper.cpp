// SPDX-License-Identifier: MIT
// Child process of tst_postmortemeditor: opens the post-mortem editor of one incident, puts the text of a file into
// it (then types a little more), prints "AUTOSAVED <path>" after each autosave, and runs until it is killed.
// Usage: postmortem_editor_helper STORE INCIDENT_ID DRAFTS_DIR TEXT_FILE
#include "services/storeclient.h"
#include "ui/postmortemeditor.h"

#include <QApplication>
#include <QFile>
#include <QPlainTextEdit>
#include <QTest>
#include <QTextStream>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 5)
        return 2;
    QFile textFile(args.at(4));
    if (!textFile.open(QIODevice::ReadOnly))
        return 2;
    const QString text = QString::fromUtf8(textFile.readAll());
    StoreClient store(args.at(1));
    const qint64 id = args.at(2).toLongLong();
    PostmortemEditor* editor = nullptr;
    QObject::connect(&store, &StoreClient::incidentsLoaded, &app, [&](quint64, const QList<Incident>& incidents) {
        for (const Incident& incident : incidents) {
            if (incident.id != id)
                continue;
            editor = new PostmortemEditor(&store, incident, args.at(3));
            editor->setAutosaveInterval(100);
            QObject::connect(editor, &PostmortemEditor::loaded, editor, [editor, text] {
                editor->setMarkdown(text.chopped(5));
                auto* source = editor->findChild<QPlainTextEdit*>(u"postmortemSource"_s);
                source->moveCursor(QTextCursor::End);
                for (const QChar c : text.right(5)) { // and the last characters typed (ASCII in the test's text)
                    if (c == u'\n')
                        QTest::keyClick(source, Qt::Key_Return);
                    else
                        QTest::keyClicks(source, QString(c));
                }
            });
            QObject::connect(editor, &PostmortemEditor::autosaved, editor, [](const QString& path) {
                std::printf("AUTOSAVED %s\n", qPrintable(path));
                std::fflush(stdout);
            });
            editor->show();
        }
    });
    QObject::connect(&store, &StoreClient::opened, &app, [&] { store.requestIncidents(); });
    store.open();
    return app.exec();
}
