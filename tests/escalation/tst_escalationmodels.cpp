// SPDX-License-Identifier: MIT
// The escalation matrix, clocks, contacts and message templates, read from the seed runbook itself.
#include "models/communicationtemplate.h"
#include "models/escalationclock.h"
#include "models/incidentclock.h"
#include "models/postmortemdraft.h"
#include "models/runbookdocument.h"
#include "services/contactsloader.h"
#include "services/runbookparser.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 minute = 60'000;
constexpr qint64 start = 1'780'000'000'000; // a fixed instant

const RunbookDocument& seed()
{
    static const RunbookDocument document = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
    return document;
}

EscalationMatrix seedMatrix()
{
    QStringList problems;
    const EscalationMatrix matrix = EscalationMatrix::fromTable(*seed().escalationMatrix(), &problems);
    if (!problems.isEmpty())
        qWarning() << problems;
    return matrix;
}

// A contacts file with the given YAML in dir.
QString writeContacts(const QTemporaryDir& dir, const QByteArray& yaml)
{
    const QString path = dir.filePath(u"contacts.yaml"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

Incident incident(Severity severity)
{
    Incident i;
    i.id = 1;
    i.title = u"API returning 500s"_s;
    i.severity = severity;
    i.startedMs = start;
    i.impact = u"Users cannot join households"_s;
    return i;
}
} // namespace

class TestEscalationModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matrixFromSeedTable();
    void durations_data();
    void durations();
    void clockPerSeverity_data();
    void clockPerSeverity();
    void severityChangeReplans();
    void escalatedRolesBecomeResponsible();
    void updateCadence();
    void contactsFromSeedYaml();
    void phoneNumbersThatDial();
    void userContactsFileOverrides();
    void brokenUserFileFallsBackToRunbook();
    void templatesHaveTheRightEmoji();
    void updateTemplateIsFilled();
    void unfilledPlaceholdersStay();
    void resolvedTemplateFromNotes();
    void defaultTemplateFollowsTheTimeline_data();
    void defaultTemplateFollowsTheTimeline();
};

void TestEscalationModels::matrixFromSeedTable()
{
    QVERIFY(seed().escalationMatrix().has_value());
    const EscalationMatrix matrix = seedMatrix();
    QCOMPARE(matrix.levels().size(), 4);
    const EscalationLevel p0 = *matrix.level(Severity::P0);
    QCOMPARE(p0.initialResponse, u"On-call engineer"_s);
    QCOMPARE(p0.escalateAfterMs, 15 * minute);
    QCOMPARE(p0.escalateTo, (QStringList { u"Engineering lead"_s, u"CTO"_s }));
    QCOMPARE(matrix.level(Severity::P1)->escalateAfterMs, 30 * minute);
    QCOMPARE(matrix.level(Severity::P1)->escalateTo, QStringList { u"Engineering lead"_s });
    QCOMPARE(matrix.level(Severity::P2)->escalateAfterMs, 120 * minute);
    const EscalationLevel p3 = *matrix.level(Severity::P3);
    QVERIFY(!p3.escalates());
    QCOMPARE(p3.initialResponse, u"Ticket assignment"_s);
    QCOMPARE(p3.escalateToText, u"Backlog"_s);
}

void TestEscalationModels::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("minutes") << u"15 minutes"_s << 15 * minute;
    QTest::newRow("hours") << u"2 hours"_s << 120 * minute;
    QTest::newRow("short") << u"30min"_s << 30 * minute;
    QTest::newRow("hour") << u"1 h"_s << 60 * minute;
    QTest::newRow("seconds") << u"90 seconds"_s << qint64(90'000);
    QTest::newRow("na") << u"N/A"_s << qint64(-1);
    QTest::newRow("words") << u"soon"_s << qint64(-1);
}

void TestEscalationModels::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const std::optional<qint64> parsed = parseDurationText(text);
    QCOMPARE(parsed.value_or(-1), ms);
}

void TestEscalationModels::clockPerSeverity_data()
{
    QTest::addColumn<int>("severity");
    QTest::addColumn<qint64>("dueAfter");
    QTest::addColumn<QString>("to");
    QTest::newRow("P0") << 0 << 15 * minute << u"Engineering lead + CTO"_s;
    QTest::newRow("P1") << 1 << 30 * minute << u"Engineering lead"_s;
    QTest::newRow("P2") << 2 << 120 * minute << u"Engineering lead"_s;
}

void TestEscalationModels::clockPerSeverity()
{
    QFETCH(int, severity);
    QFETCH(qint64, dueAfter);
    QFETCH(QString, to);
    MonotonicWallClock clock = MonotonicWallClock::manual(start);
    const Incident i = incident(Severity(severity));
    const EscalationMatrix matrix = seedMatrix();

    clock.advance(dueAfter - minute);
    EscalationClock c = EscalationClock::evaluate(i, matrix, clock.nowMs());
    QCOMPARE(c.responsibleNow, QStringList { u"On-call engineer"_s });
    QCOMPARE(c.escalationDueMs, start + dueAfter);
    QCOMPARE(c.escalationCountdownMs, minute);
    QVERIFY(!c.escalationDue);
    QCOMPARE(c.escalateTo.join(u" + "_s), to);
    QCOMPARE(c.escalationText(), u"Escalate to %1 in 1m 00s"_s.arg(to));

    clock.advance(minute);
    c = EscalationClock::evaluate(i, matrix, clock.nowMs());
    QVERIFY(c.escalationDue);
    QCOMPARE(c.escalationCountdownMs, 0);
    QCOMPARE(c.escalationText(), u"Escalation due: %1"_s.arg(to));
}

void TestEscalationModels::severityChangeReplans()
{
    const EscalationMatrix matrix = seedMatrix();
    Incident i = incident(Severity::P2);
    const qint64 now = start + 20 * minute;
    EscalationClock c = EscalationClock::evaluate(i, matrix, now);
    QVERIFY(!c.escalationDue);
    QCOMPARE(c.escalationDueMs, start + 120 * minute);
    i.severity = Severity::P1; // raised at 20 min: due at 30 min from the start
    c = EscalationClock::evaluate(i, matrix, now);
    QCOMPARE(c.escalationDueMs, start + 30 * minute);
    QCOMPARE(c.escalationCountdownMs, 10 * minute);
    i.severity = Severity::P0; // now already past its 15 minutes
    c = EscalationClock::evaluate(i, matrix, now);
    QVERIFY(c.escalationDue);
    i.severity = Severity::P3;
    c = EscalationClock::evaluate(i, matrix, now);
    QVERIFY(!c.escalationDueMs);
    QCOMPARE(c.responsibleNow, QStringList { u"Ticket assignment"_s });
    QCOMPARE(c.escalationText(), u"No timed escalation for P3"_s);
}

void TestEscalationModels::escalatedRolesBecomeResponsible()
{
    EscalationHistory history;
    history.escalatedTo = { u"Engineering lead"_s };
    EscalationClock c = EscalationClock::evaluate(incident(Severity::P0), seedMatrix(), start + 16 * minute, history);
    QVERIFY(!c.escalated); // the CTO is still missing
    QCOMPARE(c.responsibleNow, (QStringList { u"On-call engineer"_s, u"Engineering lead"_s }));
    history.escalatedTo.append(u"cto"_s);
    c = EscalationClock::evaluate(incident(Severity::P0), seedMatrix(), start + 16 * minute, history);
    QVERIFY(c.escalated);
    QCOMPARE(c.escalationText(), u"Escalated to Engineering lead + CTO"_s);
}

void TestEscalationModels::updateCadence()
{
    const EscalationMatrix matrix = seedMatrix();
    EscalationHistory history;
    EscalationClock c = EscalationClock::evaluate(incident(Severity::P0), matrix, start + 10 * minute, history);
    QCOMPARE(c.nextUpdateDueMs, start + 15 * minute);
    QCOMPARE(c.updateText(), u"Next status update in 5m 00s"_s);
    c = EscalationClock::evaluate(incident(Severity::P0), matrix, start + 17 * minute, history);
    QVERIFY(c.updateOverdue);
    QCOMPARE(c.updateText(), u"Status update overdue by 2m 00s"_s);
    history.lastUpdateMs = start + 16 * minute;
    c = EscalationClock::evaluate(incident(Severity::P0), matrix, start + 17 * minute, history);
    QCOMPARE(c.nextUpdateDueMs, start + 31 * minute);
    QCOMPARE(
        EscalationClock::evaluate(incident(Severity::P2), matrix, start, {}).nextUpdateDueMs, start + 120 * minute);
    UpdateCadence custom = UpdateCadence::defaults();
    custom.setInterval(Severity::P1, 10 * minute);
    QCOMPARE(EscalationClock::evaluate(incident(Severity::P1), matrix, start, {}, custom).nextUpdateDueMs,
        start + 10 * minute);
    QVERIFY(!EscalationClock::evaluate(incident(Severity::P3), matrix, start, {}).nextUpdateDueMs);
}

void TestEscalationModels::contactsFromSeedYaml()
{
    QString error;
    const ContactDirectory contacts = ContactsLoader::parse(seed().contactsYaml(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(contacts.contacts().size(), 4);
    const Contact* oncall = contacts.byRole(u"On-call engineer");
    QVERIFY(oncall);
    QCOMPARE(oncall->primary, u"Check PagerDuty rotation"_s);
    QCOMPARE(oncall->secondary, u"Check PagerDuty rotation"_s);
    const Contact* lead = contacts.byRole(u"Engineering lead");
    QVERIFY(lead);
    QCOMPARE(lead->name, u"Engrid"_s);
    QCOMPARE(lead->slack, u"@engrid"_s);
    QCOMPARE(lead->phone, u"+1-xxx-xxx-xxxx"_s);
    QCOMPARE(contacts.byRole(u"CTO")->name, u"Larry"_s);
    const Contact* dba = contacts.byRole(u"dba");
    QCOMPARE(dba->email, u"buck@petforce.app"_s);
    QCOMPARE(dba->roleTitle(), u"DBA"_s);
    QCOMPARE(contacts.describeRole(u"Engineering lead"_s), u"Engineering lead (Engrid)"_s);
}

void TestEscalationModels::userContactsFileOverrides()
{
    QTemporaryDir dir;
    const QString path
        = writeContacts(dir, "engineering_lead:\n  name: \"Erin\"\n  slack: \"@erin\"\n  email: erin@petforce.app\n");
    const ContactsLoader::Result result = ContactsLoader::load(seed().contactsYaml(), path);
    QCOMPARE(result.source, path);
    QVERIFY(result.problem.isEmpty());
    QCOMPARE(result.contacts.byRole(u"engineering_lead")->name, u"Erin"_s);
    QVERIFY(!result.contacts.byRole(u"cto"));
    // No user file: the runbook's block.
    const ContactsLoader::Result shipped = ContactsLoader::load(seed().contactsYaml(), dir.filePath(u"none.yaml"_s));
    QCOMPARE(shipped.source, u"runbook"_s);
    QCOMPARE(shipped.contacts.byRole(u"cto")->name, u"Larry"_s);
}

void TestEscalationModels::brokenUserFileFallsBackToRunbook()
{
    QTemporaryDir dir;
    const QString path = writeContacts(dir, "cto: [unclosed\n");
    const ContactsLoader::Result result = ContactsLoader::load(seed().contactsYaml(), path);
    QCOMPARE(result.source, u"runbook"_s);
    QVERIFY2(result.problem.contains(u"line"_s), qPrintable(result.problem));
    QCOMPARE(result.contacts.byRole(u"cto")->name, u"Larry"_s);
}

void TestEscalationModels::templatesHaveTheRightEmoji()
{
    const QList<CommunicationTemplate> templates
        = CommunicationTemplate::fromCodeBlocks(seed().communicationTemplates());
    QCOMPARE(templates.size(), 3);
    QCOMPARE(templates.at(0).name, u"Incident Started"_s);
    QVERIFY2(templates.at(0).text.startsWith(u"\U0001F6A8 INCIDENT: [P0/P1/P2] [Title]"_s),
        qPrintable(templates.at(0).text));
    QCOMPARE(templates.at(1).name, u"Update"_s);
    QVERIFY2(templates.at(1).text.startsWith(u"\U0001F4CA UPDATE: [Title]"_s), qPrintable(templates.at(1).text));
    QCOMPARE(templates.at(2).name, u"Resolved"_s);
    QVERIFY2(templates.at(2).text.startsWith(u"\u2705 RESOLVED: [Title]"_s), qPrintable(templates.at(2).text));
    for (const CommunicationTemplate& t : templates) {
        QVERIFY2(
            !t.text.contains(u'\u00F0') && !t.text.contains(u'\u00E2') && !t.text.contains(QChar::ReplacementCharacter),
            qPrintable(t.text));
    }
}

void TestEscalationModels::updateTemplateIsFilled()
{
    const QList<CommunicationTemplate> templates
        = CommunicationTemplate::fromCodeBlocks(seed().communicationTemplates());
    Incident i = incident(Severity::P0);
    i.status = IncidentStatus::Mitigating;
    MessageValues values = MessageValues::fromIncident(i, start + 25 * minute);
    values.set(MessageValues::ProgressField, u"Rolled back to v1.1.0"_s);
    values.set(MessageValues::NextField, u"Watch error rate"_s);
    values.set(MessageValues::EtaField, u"15:30 UTC"_s);
    values.set(MessageValues::OnCallField, u"@alice"_s);
    QCOMPARE(templates.at(1).fill(values),
        u"\U0001F4CA UPDATE: API returning 500s\nStatus: Mitigating\nProgress: Rolled back to v1.1.0\n"
        u"Next: Watch error rate\nETA: 15:30 UTC"_s);
    const QString started = templates.at(0).fill(values);
    QVERIFY2(started.startsWith(u"\U0001F6A8 INCIDENT: P0 API returning 500s\nStatus: Investigating\n"
                                u"Impact: Users cannot join households\nStarted: 2026-05-28 "_s),
        qPrintable(started));
    QVERIFY(started.endsWith(u"UTC\nETA: 15:30 UTC\nOn-call: @alice"_s));
    values.set(MessageValues::RootCauseField, u"Bad deploy"_s);
    values.set(MessageValues::FixField, u"Rollback"_s);
    values.set(MessageValues::FollowUpField, u"https://wiki/pm/42"_s);
    QCOMPARE(templates.at(2).fill(values),
        u"\u2705 RESOLVED: API returning 500s\nDuration: 25m 00s\nRoot Cause: Bad deploy\nFix: Rollback\n"
        u"Follow-up: https://wiki/pm/42"_s);
}

void TestEscalationModels::unfilledPlaceholdersStay()
{
    const CommunicationTemplate t { u"Update"_s, u"UPDATE: [Title]\nProgress: [What's been done]"_s };
    MessageValues values;
    values.set(MessageValues::TitleField, u"DB down"_s);
    QCOMPARE(t.fill(values), u"UPDATE: DB down\nProgress: [What's been done]"_s);
}

namespace {
TimelineEvent noteEvent(qint64 seq, const QString& kind, const QString& text)
{
    TimelineEvent e;
    e.seq = seq;
    e.incidentId = 1;
    e.timeMs = start + seq * minute;
    e.kind = kind;
    e.summary = text.section(u'\n', 0, 0);
    e.detail = QJsonObject { { u"text"_s, text } };
    return e;
}
} // namespace

void TestEscalationModels::resolvedTemplateFromNotes()
{
    // The incident's notes, as the commander writes them ("Add note"); the newest of each caption wins.
    const QString note = QString::fromUtf16(EventKind::Note);
    const QList<TimelineEvent> events {
        noteEvent(1, note, u"Checking dashboards"_s),
        noteEvent(2, note, u"Root cause: a bad deploy"_s),
        noteEvent(3, note, u"root cause:   missing index on\nhousehold_members.household_id  "_s),
        noteEvent(4, note, u"Fix deployed: CREATE INDEX CONCURRENTLY idx_household_members_household_id"_s),
        noteEvent(5, note, u"Follow-up: https://wiki.petforce.app/pm/16"_s),
        noteEvent(6, note, u"The root cause: not a caption"_s),
        noteEvent(7, QString::fromUtf16(EventKind::StatusChanged), u"Fix: not a note"_s),
        noteEvent(8, note, u"Next: watch p99"_s),
    };
    const MessageValues noted = MessageValues::fromNotes(events);
    QCOMPARE(noted.value(MessageValues::RootCauseField), u"missing index on household_members.household_id"_s);
    QCOMPARE(noted.value(MessageValues::FixField), u"CREATE INDEX CONCURRENTLY idx_household_members_household_id"_s);
    QCOMPARE(noted.value(MessageValues::NextField), u"watch p99"_s);
    Incident i = incident(Severity::P1);
    i.status = IncidentStatus::Resolved;
    i.resolvedMs = start + 42 * minute;
    MessageValues values = MessageValues::fromIncident(i, start + 50 * minute);
    values.merge(noted);
    const QList<CommunicationTemplate> templates
        = CommunicationTemplate::fromCodeBlocks(seed().communicationTemplates());
    QCOMPARE(templates.at(2).fill(values),
        u"\u2705 RESOLVED: API returning 500s\nDuration: 42m 00s\n"
        u"Root Cause: missing index on household_members.household_id\n"
        u"Fix: CREATE INDEX CONCURRENTLY idx_household_members_household_id\n"
        u"Follow-up: https://wiki.petforce.app/pm/16"_s);

    // The post-mortem's own marks count too, and "Fix:" is the same field as "Fix deployed:".
    const MessageValues marked = MessageValues::fromNotes({
        noteEvent(1, QString::fromUtf16(PostmortemKind::RootCause), u"pool size doubled"_s),
        noteEvent(2, note, u"Fix: rolled back to petforce-api:42"_s),
        noteEvent(3, QString::fromUtf16(PostmortemKind::FixDeployed), u"rolled back to 41"_s),
        noteEvent(4, note, u"Impact: 30% of joins failing"_s),
    });
    QCOMPARE(marked.value(MessageValues::RootCauseField), u"pool size doubled"_s);
    QCOMPARE(marked.value(MessageValues::FixField), u"rolled back to 41"_s);
    QCOMPARE(marked.value(MessageValues::ImpactField), u"30% of joins failing"_s);
}

void TestEscalationModels::defaultTemplateFollowsTheTimeline_data()
{
    QTest::addColumn<bool>("resolved");
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<QString>("expected");
    const QString note = QString::fromUtf16(EventKind::Note);
    QTest::newRow("nothing sent") << false << QStringList { note } << u"Incident Started"_s;
    QTest::newRow("one sent") << false << QStringList { note, u"message.sent"_s } << u"Update"_s;
    QTest::newRow("one that may have left") << false << QStringList { u"message.sending"_s } << u"Update"_s;
    QTest::newRow("resolved, nothing sent") << true << QStringList {} << u"Resolved"_s;
    QTest::newRow("resolved after updates") << true << QStringList { u"message.sent"_s } << u"Resolved"_s;
}

void TestEscalationModels::defaultTemplateFollowsTheTimeline()
{
    QFETCH(bool, resolved);
    QFETCH(QStringList, kinds);
    QFETCH(QString, expected);
    QList<TimelineEvent> events;
    for (const QString& kind : kinds)
        events.append(noteEvent(events.size() + 1, kind, u"x"_s));
    const QList<CommunicationTemplate> templates
        = CommunicationTemplate::fromCodeBlocks(seed().communicationTemplates());
    QCOMPARE(CommunicationTemplate::defaultName(templates, resolved, CommunicationTemplate::anyMessageSent(events)),
        expected);
}

void TestEscalationModels::phoneNumbersThatDial()
{
    auto dialable = [](const QString& phone) {
        Contact c;
        c.phone = phone;
        return c.isDialable();
    };
    QVERIFY(!dialable(u"+1-xxx-xxx-xxxx"_s)); // the runbook's placeholder
    QVERIFY(!dialable(QString()));
    QVERIFY(!dialable(u"call me"_s));
    QVERIFY(!dialable(u"1+2"_s));
    QVERIFY(dialable(u"+1-415-555-0100"_s));
    QVERIFY(dialable(u"(030) 1234 567"_s));
    QVERIFY(dialable(u"112"_s));
}

QTEST_GUILESS_MAIN(TestEscalationModels)
#include "tst_escalationmodels.moc"
