// SPDX-License-Identifier: MIT
#pragma once
// Test support for the record-before-acting tests (issue 15): a test function run again in a child of the test in a
// private mount namespace (unshare -rm) over a small tmpfs that holds the incident store, and filled to ENOSPC.
// The child knows it is one by FullDiskVar (the tmpfs) and OutsideVar (a folder of the parent's, on a disk with
// room, first on its PATH through OutsideVar/bin). Tests may block here.

#include "models/runbookstep.h"
#include "services/storeclient.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace FullDisk {
using namespace Qt::StringLiterals;

inline constexpr char FullDiskVar[] = "PF_TEST_FULL_DISK"; // set in the child: the tmpfs folder
inline constexpr char OutsideVar[]
    = "PF_TEST_OUTSIDE"; // set in the child: a folder of the parent's, on a disk with room
inline constexpr char ParentPidVar[] = "PF_TEST_PARENT_PID";
inline constexpr int ChildTimeoutMs = 120000;

inline bool inChild() { return !qEnvironmentVariableIsEmpty(FullDiskVar); }

inline RunbookStep handStep(StepKind kind, StepRisk risk, const QString& text)
{
    RunbookStep s;
    s.kind = kind;
    s.risk = risk;
    s.title = u"audit probe"_s;
    s.text = text;
    s.language = kind == StepKind::Sql ? u"sql"_s : u"bash"_s;
    s.ref = u"diagnosis/0"_s;
    return s;
}

// Fills the disk holding folder: a file written until the filesystem refuses more.
inline bool fillDisk(const QString& folder)
{
    QFile filler(folder + u"/filler"_s);
    if (!filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return false;
    const QByteArray chunk(4096, 'x');
    qint64 written = 0;
    while (filler.write(chunk) == chunk.size())
        written += chunk.size();
    qInfo("filled %s: %lld bytes, then: %s", qPrintable(folder), written, qPrintable(filler.errorString()));
    return written > 0 && filler.error() != QFileDevice::NoError;
}

// The incident's events through the client (the store as the next console start would read it).
inline QList<TimelineEvent> eventsOf(StoreClient& store, qint64 incidentId)
{
    QSignalSpy loaded(&store, &StoreClient::eventsLoaded);
    store.requestEvents(incidentId, 0, 1000);
    if (!loaded.wait(10000))
        return {};
    return loaded.constFirst().at(2).value<QList<TimelineEvent>>();
}

inline QStringList kindsOf(const QList<TimelineEvent>& events)
{
    QStringList kinds;
    for (const TimelineEvent& e : events) {
        if (e.kind.startsWith(u"command."_s))
            kinds.append(e.kind);
    }
    return kinds;
}

// A store on folder with one incident: its id, or 0.
inline qint64 openWithIncident(StoreClient& store)
{
    QSignalSpy opened(&store, &StoreClient::opened);
    QSignalSpy changed(&store, &StoreClient::incidentChanged);
    store.open();
    if (!opened.wait(10000))
        return 0;
    IncidentDraft d;
    d.title = u"Disk full drill"_s;
    d.severity = Severity::P1;
    d.environment = u"production"_s;
    d.impact = u"Checkout fails"_s;
    store.createIncident(d);
    if (!changed.wait(10000))
        return 0;
    return changed.constFirst().constFirst().value<Incident>().id;
}

// A fake `aws` in folder/bin that appends its arguments to folder/aws-called (the path returned).
inline QString fakeAws(const QString& folder)
{
    QDir().mkpath(folder + u"/bin"_s);
    const QString marker = folder + u"/aws-called"_s;
    QFile script(folder + u"/bin/aws"_s);
    if (!script.open(QIODevice::WriteOnly))
        return {};
    script.write(QByteArray("#!/bin/sh\necho \"$@\" >> '" + marker.toUtf8() + "'\n"));
    script.close();
    script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return marker;
}

// In the parent: runs function of testClass again in a child over a tmpfs of tmpfsSize; fails unless it passed
// there, skips when it skipped or when there is no private mount namespace.
inline void runInChild(const char* testClass, const char* function, const QString& tmpfsSize = u"1m"_s)
{
    const QString unshare = QStandardPaths::findExecutable(u"unshare"_s);
    if (unshare.isEmpty())
        QSKIP("no unshare(1) on this machine");
    QTemporaryDir mountPoint;
    QTemporaryDir outside;
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(FullDiskVar), mountPoint.path());
    env.insert(QString::fromLatin1(OutsideVar), outside.path());
    env.insert(QString::fromLatin1(ParentPidVar), QString::number(QCoreApplication::applicationPid()));
    env.insert(u"PATH"_s, outside.path() + u"/bin:"_s + env.value(u"PATH"_s));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.setProgram(unshare);
    child.setArguments({ u"-rm"_s, u"sh"_s, u"-c"_s,
        u"mount -t tmpfs -o size=%1 tmpfs \"$1\" || exit 99; shift; exec \"$@\""_s.arg(tmpfsSize), u"sh"_s,
        mountPoint.path(), QCoreApplication::applicationFilePath(), QString::fromLatin1(function) });
    child.start();
    QVERIFY(child.waitForFinished(ChildTimeoutMs));
    const QString output = QString::fromUtf8(child.readAll());
    if (child.exitCode() == 99 || output.contains(u"unshare: "_s))
        QSKIP(qPrintable(u"no private mount namespace here: "_s + output.trimmed()));
    if (output.contains(u"SKIP   : "_s))
        QSKIP(qPrintable(output.section(u"SKIP   : "_s, 1).section(u'\n', 0, 1)));
    const bool passed = child.exitCode() == 0
        && output.contains(
            u"PASS   : "_s + QString::fromLatin1(testClass) + u"::"_s + QString::fromLatin1(function) + u'(');
    if (!passed) {
        QStringList lines = output.split(u'\n');
        lines.removeIf([](const QString& l) { return l.contains(u"propagateSizeHints"_s); });
        for (const QString& line : std::as_const(lines))
            qInfo("child: %s", qPrintable(line));
    }
    QVERIFY2(passed, "the child did not pass (its output above)");
}

} // namespace FullDisk
