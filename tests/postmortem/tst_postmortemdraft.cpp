// SPDX-License-Identifier: MIT
#include "postmortemscript.h"

#include "models/actionitemmodel.h"
#include "models/postmortemdraft.h"
#include "services/atomicfilewriter.h"
#include "services/incidentstore.h"
#include "services/postmortemexport.h"
#include "services/runbookparser.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

class TestPostmortemDraft : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void timelineInOrder_data();
    void timelineInOrder();
    void alertFireAndResolveTimes();
    void headingsMatchTheTemplate();
    void actionItems();
    void sections();
    void fieldLinesKeepTheirLines_data();
    void fieldLinesKeepTheirLines();
    void exportFromTheCommandLine();
    void storedPostmortemIsExported();
    void injectedWriteFailureKeepsThePreviousFile();
    void diskFullKeepsThePreviousFile();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<IncidentStore> m_store;
    qint64 m_id = 0;
};

namespace {

// Heading tree and the bold field names before the first section of a Markdown text, as Debian's cmark (a real
// CommonMark parser) reads it.
QStringList cmarkStructure(const QByteArray& markdown)
{
    QProcess cmark;
    cmark.start(u"cmark"_s, { u"--to"_s, u"xml"_s });
    if (!cmark.waitForStarted())
        return { u"cmark did not start"_s };
    cmark.write(markdown);
    cmark.closeWriteChannel();
    cmark.waitForFinished();
    QXmlStreamReader xml(cmark.readAllStandardOutput());
    QStringList structure;
    QString level;
    QString text;
    int depth = 0; // > 0 inside a heading or a strong
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && (xml.name() == u"heading"_s || xml.name() == u"strong"_s)) {
            level = xml.name() == u"heading"_s ? u"h"_s + xml.attributes().value(u"level"_s).toString() : u"strong"_s;
            text.clear();
            ++depth;
        } else if (xml.isCharacters() && !xml.isWhitespace() && depth > 0) {
            text += xml.text().toString();
        } else if (xml.isEndElement() && (xml.name() == u"heading"_s || xml.name() == u"strong"_s)) {
            --depth;
            if (level == u"strong"_s && structure.contains(u"h2 Timeline"_s))
                continue; // the times in the Timeline's items
            // The level-1 title carries the incident's title where the template has a placeholder.
            structure.append(level + u' ' + (text.startsWith(u"Post-Mortem: "_s) ? u"Post-Mortem:"_s : text));
        }
    }
    return structure;
}

QString seedTemplate()
{
    const RunbookDocument doc = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
    return doc.postMortemTemplate();
}

} // namespace

void TestPostmortemDraft::init()
{
    m_store.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<IncidentStore>(m_dir->filePath(u"incidents.sqlite"_s));
    QVERIFY(m_store->open());
    m_id = scriptIncident(*m_store);
    QVERIFY(m_id > 0);
}

void TestPostmortemDraft::timelineInOrder_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QStringList>("times");
    // created, acknowledged, run 1, run 2, root cause, fix deployed, resolved
    QTest::newRow("UTC") << u"UTC"_s
                         << QStringList { u"09:58"_s, u"10:03"_s, u"10:07"_s, u"10:12"_s, u"10:15"_s, u"10:31"_s,
                                u"10:42"_s };
    QTest::newRow("Asia/Kolkata (+05:30)")
        << u"Asia/Kolkata"_s
        << QStringList { u"15:28"_s, u"15:33"_s, u"15:37"_s, u"15:42"_s, u"15:45"_s, u"16:01"_s, u"16:12"_s };
    QTest::newRow("America/Los_Angeles (-07:00, DST)")
        << u"America/Los_Angeles"_s
        << QStringList { u"02:58"_s, u"03:03"_s, u"03:07"_s, u"03:12"_s, u"03:15"_s, u"03:31"_s, u"03:42"_s };
}

void TestPostmortemDraft::timelineInOrder()
{
    QFETCH(QString, zone);
    QFETCH(QStringList, times);
    const QTimeZone tz(zone.toUtf8());
    QVERIFY(tz.isValid());
    const std::optional<Incident> incident = m_store->incident(m_id);
    QVERIFY(incident);
    const QString md = PostmortemDraft::build(*incident, m_store->events(m_id, 0, -1), {}, tz);
    const qsizetype start = md.indexOf(u"## Timeline\n\n"_s);
    const qsizetype end = md.indexOf(u"\n\n## Root Cause"_s);
    QVERIFY(start > 0 && end > start);
    const QStringList lines = md.mid(start + 13, end - start - 13).split(u'\n');
    const QStringList texts {
        u"Alert triggered, incident opened (P1, production): Database connection pool exhausted"_s,
        u"Engineer acknowledged (bob)"_s,
        u"Ran `Count connections` in production: ok, exit 0"_s,
        u"Ran `Restart ECS service` in production: failed, exit 255"_s,
        u"Root cause identified: a deploy doubled the pool size per task"_s,
        u"Fix deployed: Rolled back to task definition 41"_s,
        u"Incident resolved: Pool size restored; connections back under 60%"_s,
    };
    QStringList expected;
    for (int i = 0; i < texts.size(); ++i)
        expected.append(u"- **%1** - %2"_s.arg(times.at(i), texts.at(i)));
    QCOMPARE(lines, expected);
    QVERIFY2(md.contains(u"**Date**: 2026-03-14 ("_s + zone + u")\n"_s), qPrintable(md));
    QVERIFY(md.contains(u"**Severity**: P1\n"_s));
    QVERIFY(md.contains(u"**Duration**: 0 hours 44 minutes\n"_s));
    QVERIFY(md.contains(u"**Impact**: Logins failing for 30% of households\n"_s));
    QVERIFY(md.contains(u"## Root Cause\n\na deploy doubled the pool size per task\n"_s));
    QVERIFY(md.contains(
        u"## Resolution\n\nRolled back to task definition 41\n\nPool size restored; connections back under 60%\n"_s));
    QVERIFY(!md.contains(u"Checking dashboards"_s)); // plain notes are offered for insertion, not in the draft
}

void TestPostmortemDraft::alertFireAndResolveTimes()
{
    // An incident opened from an alert (as DashboardPane writes it), the alert resolving, firing again and resolving
    // again while linked (as MetricsService writes it): each change at the alert's own time, in time order.
    const auto at = [](int h, int m, int s = 20) {
        return QDateTime(QDate(2026, 3, 14), QTime(h, m, s), QTimeZone::utc()).toMSecsSinceEpoch();
    };
    IncidentDraft draft;
    draft.title = u"Database connection pool exhausted: db_pool_free (09:57:40)"_s;
    draft.severity = Severity::P0;
    draft.environment = u"sandbox"_s;
    const StoreChange created = m_store->createIncident(draft, u"alice"_s, at(9, 58));
    QVERIFY(created.ok);
    const qint64 id = created.incident.id;
    const auto alert = [&](const QString& kind, double value, qint64 whenMs, qint64 writtenMs) {
        const bool fired = kind == u"alert.fired"_s;
        QJsonObject detail { { u"rule"_s, u"db_pool_free"_s }, { u"value"_s, value }, { u"threshold"_s, 2 },
            { u"unit"_s, QString() }, { fired ? u"fired_at_ms"_s : u"at_ms"_s, double(whenMs) } };
        return m_store->appendEvent(id, kind, kind + u": db_pool_free"_s, detail, u"console"_s, writtenMs).ok;
    };
    QVERIFY(alert(u"alert.fired"_s, 1, at(9, 57, 40), at(9, 58, 21)));
    QVERIFY(alert(u"alert.firing"_s, 1, at(9, 57, 40), at(9, 58, 22))); // the same start again: one line
    CommandAudit audit;
    audit.runId = u"run-9"_s;
    audit.title = u"Kill idle connections"_s;
    audit.environment = u"sandbox"_s;
    CommandOutcome outcome;
    outcome.status = u"ok"_s;
    outcome.exitCode = 0;
    QJsonObject finished = audit.toJson();
    const QJsonObject o = outcome.toJson();
    for (auto it = o.begin(); it != o.end(); ++it)
        finished.insert(it.key(), it.value());
    QVERIFY(
        m_store->appendEvent(id, QString::fromUtf16(AuditKind::Finished), u"Finished"_s, finished, u"bob"_s, at(10, 5))
            .ok);
    QVERIFY(alert(u"alert.pending"_s, 3, at(10, 8), at(10, 8))); // not a line of the draft
    QVERIFY(alert(u"alert.resolved"_s, 12, at(10, 9), at(10, 9, 30)));
    QVERIFY(alert(u"alert.firing"_s, 1, at(10, 11), at(10, 11)));
    QVERIFY(alert(u"alert.resolved"_s, 15, at(10, 14), at(10, 14)));
    QVERIFY(m_store->resolve(id, u"Idle sessions killed"_s, u"alice"_s, at(10, 20)).ok);

    const std::optional<Incident> incident = m_store->incident(id);
    QVERIFY(incident);
    const QString md = PostmortemDraft::build(*incident, m_store->events(id, 0, -1), {}, QTimeZone::utc());
    const qsizetype start = md.indexOf(u"## Timeline\n\n"_s);
    const qsizetype end = md.indexOf(u"\n\n## Root Cause"_s);
    QVERIFY(start > 0 && end > start);
    const QStringList lines = md.mid(start + 13, end - start - 13).split(u'\n');
    QVERIFY2(lines.size() == 8, qPrintable(lines.join(u'\n')));
    QCOMPARE(lines,
        QStringList({
            u"- **09:57** - Alert triggered: db_pool_free fired (value 1, threshold 2)"_s,
            u"- **09:58** - Incident opened (P0, sandbox): Database connection pool exhausted: db_pool_free (09:57:40)"_s,
            u"- **10:05** - Ran `Kill idle connections` in sandbox: ok, exit 0"_s,
            u"- **10:09** - Alert db_pool_free resolved (value 12)"_s,
            u"- **10:11** - Alert db_pool_free fired again (value 1, threshold 2)"_s,
            u"- **10:14** - Alert db_pool_free resolved (value 15)"_s,
            u"- **10:20** - Engineer acknowledged (alice)"_s, // resolving acknowledges
            u"- **10:20** - Incident resolved: Idle sessions killed"_s,
        }));
}

void TestPostmortemDraft::headingsMatchTheTemplate()
{
    if (QStandardPaths::findExecutable(u"cmark"_s).isEmpty())
        QSKIP("cmark (Debian package cmark) is not installed");
    const QString templ = seedTemplate();
    QVERIFY2(templ.startsWith(u"# Post-Mortem: [Incident Title]"_s), qPrintable(templ.left(80)));
    const QStringList expected = cmarkStructure(templ.toUtf8());
    QCOMPARE(expected,
        QStringList({ u"h1 Post-Mortem:"_s, u"strong Date"_s, u"strong Severity"_s, u"strong Duration"_s,
            u"strong Impact"_s, u"h2 Timeline"_s, u"h2 Root Cause"_s, u"h2 Resolution"_s, u"h2 Action Items"_s,
            u"h2 Lessons Learned"_s }));
    const std::optional<Incident> incident = m_store->incident(m_id);
    const QString md = PostmortemDraft::build(
        *incident, m_store->events(m_id, 0, -1), { { u"Cap pool"_s, u"bob"_s, {}, false } }, QTimeZone::utc());
    QCOMPARE(cmarkStructure(md.toUtf8()), expected);
}

void TestPostmortemDraft::actionItems()
{
    ActionItemModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy edited(&model, &ActionItemModel::itemsEdited);
    model.addItem();
    QVERIFY(model.setData(model.index(0, ActionItemModel::Text), u"Alert on pool usage > 80%"_s));
    QVERIFY(model.setData(model.index(0, ActionItemModel::Owner), u"@isabel"_s));
    QVERIFY(model.setData(model.index(0, ActionItemModel::Due), u"2026-03-21"_s));
    model.addItem({ u"Load test the pool"_s, u"bob"_s, QDate(2026, 4, 1), false });
    QVERIFY(model.setData(model.index(1, ActionItemModel::Done), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(edited.size(), 6);
    QCOMPARE(PostmortemDraft::actionItemsBody(model.items()),
        u"- [ ] Alert on pool usage > 80% - @isabel - 2026-03-21\n- [x] Load test the pool - @bob - 2026-04-01"_s);
    QCOMPARE(ActionItem::fromJson(ActionItem::toJson(model.items())), model.items());
    model.removeItem(0);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(ActionItem {}.toMarkdownLine(), u"- [ ] [Action] - [@owner] - [Due date]"_s);
}

void TestPostmortemDraft::sections()
{
    const QString md = u"# Post-Mortem: X\n\n## Timeline\n\n- **10:00** - a\n\n## Action Items\n\n- [ ] old\n\n"
                       u"## Lessons Learned\n\n- x\n"_s;
    QCOMPARE(PostmortemDraft::appendToSection(md, u"Timeline"_s, u"- **10:05** - b"_s),
        u"# Post-Mortem: X\n\n## Timeline\n\n- **10:00** - a\n- **10:05** - b\n\n## Action Items\n\n- [ ] old\n\n"
        u"## Lessons Learned\n\n- x\n"_s);
    QCOMPARE(PostmortemDraft::replaceSection(md, u"Action Items"_s, u"- [x] new"_s),
        u"# Post-Mortem: X\n\n## Timeline\n\n- **10:00** - a\n\n## Action Items\n\n- [x] new\n\n"
        u"## Lessons Learned\n\n- x\n"_s);
    QCOMPARE(PostmortemDraft::replaceSection(md, u"Lessons Learned"_s, u"- y"_s),
        md.left(md.indexOf(u"- x"_s)) + u"- y\n"_s);
    QCOMPARE(PostmortemDraft::replaceSection(md, u"Nope"_s, u"z"_s), md);
}

void TestPostmortemDraft::fieldLinesKeepTheirLines_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<QString>("laidOut");
    QTest::newRow("template header")
        << u"# Post-Mortem: X\n\n**Date**: 2026-03-14\n**Severity**: P1\n**Duration**: 1 hour\n**Impact**: "
           u"joins fail\n\n## Timeline\n"_s
        << u"# Post-Mortem: X\n\n**Date**: 2026-03-14  \n**Severity**: P1  \n**Duration**: 1 hour  \n**Impact**: "
           u"joins fail\n\n## Timeline\n"_s;
    QTest::newRow("colon inside the bold")
        << u"**Impact:** none\n**Owner:** isabel"_s << u"**Impact:** none  \n**Owner:** isabel"_s;
    QTest::newRow("last line, before a blank line")
        << u"**Date**: x\n\n**Severity**: y"_s << u"**Date**: x\n\n**Severity**: y"_s;
    QTest::newRow("bold that is no label") << u"**Note** this\nand that"_s << u"**Note** this\nand that"_s;
    QTest::newRow("a break already there")
        << u"**Date**: x  \n**Date**: y\\\n**Date**: z"_s << u"**Date**: x  \n**Date**: y\\\n**Date**: z"_s;
    QTest::newRow("fenced code is left alone")
        << u"```markdown\n**Date**: [Date]\n**Severity**: [P0]\n```\n**Date**: x\nmore"_s
        << u"```markdown\n**Date**: [Date]\n**Severity**: [P0]\n```\n**Date**: x  \nmore"_s;
    QTest::newRow("unclosed fence") << u"~~~\n**Date**: x\n**Severity**: y"_s << u"~~~\n**Date**: x\n**Severity**: y"_s;
}

void TestPostmortemDraft::fieldLinesKeepTheirLines()
{
    QFETCH(QString, markdown);
    QFETCH(QString, laidOut);
    QCOMPARE(PostmortemExport::forLayout(markdown), laidOut);
}

void TestPostmortemDraft::exportFromTheCommandLine()
{
    const QString console = qEnvironmentVariable("PETFORCE_CONSOLE");
    QVERIFY(QFileInfo::exists(console));
    m_store.reset(); // the console opens it itself
    const QString out = m_dir->filePath(u"out/pm.md"_s);
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.remove(u"QT_QPA_PLATFORM"_s); // no display at all: the export must not need one
    env.insert(u"TZ"_s, u"Asia/Kolkata"_s);
    p.setProcessEnvironment(env);
    p.start(console,
        { u"--store"_s, m_dir->filePath(u"incidents.sqlite"_s), u"--export-postmortem"_s, QString::number(m_id),
            u"-o"_s, out });
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray md = f.readAll();
    QVERIFY(md.contains("- **15:28** - Alert triggered")); // the system zone of the process
    if (!QStandardPaths::findExecutable(u"cmark"_s).isEmpty())
        QCOMPARE(cmarkStructure(md), cmarkStructure(seedTemplate().toUtf8()));

    // HTML and PDF by the output file's suffix, also without a display.
    for (const QString& name : { u"pm.html"_s, u"pm.pdf"_s }) {
        QProcess rendered;
        rendered.setProcessEnvironment(env);
        rendered.start(console,
            { u"--store"_s, m_dir->filePath(u"incidents.sqlite"_s), u"--export-postmortem"_s, QString::number(m_id),
                u"-o"_s, m_dir->filePath(u"out/"_s + name) });
        QVERIFY(rendered.waitForFinished(60000));
        QVERIFY2(rendered.exitCode() == 0, rendered.readAllStandardError().constData());
        QFile file(m_dir->filePath(u"out/"_s + name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        if (name.endsWith(u".html"_s)) {
            QVERIFY2(bytes.contains("<title>Post-mortem of incident ") && bytes.contains("<h1")
                    && bytes.contains("Alert triggered") && !bytes.contains("**"),
                bytes.left(1500).constData());
        } else {
            QVERIFY(bytes.startsWith("%PDF-"));
            QVERIFY(bytes.trimmed().endsWith("%%EOF"));
            QVERIFY(bytes.contains("/Type /Page"));
        }
    }

    QProcess unknown;
    unknown.setProcessEnvironment(env);
    unknown.start(console,
        { u"--store"_s, m_dir->filePath(u"incidents.sqlite"_s), u"--export-postmortem"_s, u"999"_s, u"-o"_s, out });
    QVERIFY(unknown.waitForFinished(60000));
    QCOMPARE(unknown.exitCode(), 1);
    QVERIFY(unknown.readAllStandardError().contains("no incident 999"));
}

void TestPostmortemDraft::storedPostmortemIsExported()
{
    PostmortemRecord record { m_id, u"# Post-Mortem: edited by hand\n"_s, {}, u"UTC"_s, 1 };
    QVERIFY(m_store->savePostmortem(record));
    QString error;
    QCOMPARE(PostmortemExport::markdown(*m_store, m_id, &error), record.markdown);
}

void TestPostmortemDraft::injectedWriteFailureKeepsThePreviousFile()
{
    const QString path = m_dir->filePath(u"pm.md"_s);
    QVERIFY(AtomicFileWriter::write(path, "previous\n"));
    AtomicFileWriter::injectFailureAfter(3);
    QString error;
    QVERIFY(!AtomicFileWriter::write(path, "new text that does not fit\n", &error));
    QVERIFY2(error.contains(u"No space left"_s) && error.contains(u"unchanged"_s), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("previous\n"));
    QCOMPARE(QDir(m_dir->path()).entryList({ u"pm.md*"_s }, QDir::Files), QStringList { u"pm.md"_s });
}

void TestPostmortemDraft::diskFullKeepsThePreviousFile()
{
    // A full disk, for real: the console exports into a 64 KiB tmpfs in a private user+mount namespace, filled up
    // after the previous export was written.
    const QString unshare = QStandardPaths::findExecutable(u"unshare"_s);
    if (unshare.isEmpty())
        QSKIP("no unshare(1) on this machine");
    m_store.reset();
    QTemporaryDir mountPoint;
    QProcess child;
    child.setProgram(unshare);
    child.setArguments({ u"-rm"_s, u"sh"_s, u"-c"_s,
        u"mount -t tmpfs -o size=64k tmpfs \"$1\" || exit 99; printf 'previous\\n' > \"$1/pm.md\"; "
        u"dd if=/dev/zero of=\"$1/fill\" bs=1k 2>/dev/null; "
        u"\"$2\" --store \"$3\" --export-postmortem \"$4\" -o \"$1/pm.md\"; rc=$?; "
        u"echo \"RC $rc\"; cat \"$1/pm.md\"; ls -a \"$1\"; exit 0"_s,
        u"sh"_s, mountPoint.path(), qEnvironmentVariable("PETFORCE_CONSOLE"), m_dir->filePath(u"incidents.sqlite"_s),
        QString::number(m_id) });
    child.start();
    QVERIFY(child.waitForFinished(60000));
    const QString err = QString::fromUtf8(child.readAllStandardError());
    if (child.exitCode() == 99 || err.contains(u"unshare:"_s))
        QSKIP(qPrintable(u"no private mount namespace here: "_s + err.trimmed()));
    const QStringList out = QString::fromUtf8(child.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(out.size() >= 2, qPrintable(out.join(u'|') + err));
    QCOMPARE(out.at(0), u"RC 1"_s);
    QCOMPARE(out.at(1), u"previous"_s); // intact
    QVERIFY2(err.contains(u"No space left on device"_s) && err.contains(u"unchanged"_s), qPrintable(err));
    QCOMPARE(out.mid(2), QStringList({ u"."_s, u".."_s, u"fill"_s, u"pm.md"_s })); // no temporary left behind
}

QTEST_GUILESS_MAIN(TestPostmortemDraft)
#include "tst_postmortemdraft.moc"
