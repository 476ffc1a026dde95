// SPDX-License-Identifier: MIT
// Child process of the store tests. Opens the store at PATH and appends events to one incident, one transaction
// each, printing "SEQ n" (flushed) after each commit returned; the tests kill it at random and check that every
// printed seq survived.
//
//   store_appender PATH [--count N (0: until killed)] [--incident ID] [--open-only] [--as-nobody] [--at MS]
//
// Output lines: "OPEN <schema version>", "INCIDENT <id>", "SEQ <seq>", "ERROR <code> <message>".
// --as-nobody: when started as root, become the user nobody first (so that permissions apply even to root).
// --at MS: wait until that wall-clock time (ms since the epoch) before opening, so that several children started
// one after the other open the store at the same moment.
#include "services/incidentstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QStringList>
#include <QThread>

#include <cstdio>
#include <cstring>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

const char* codeName(StoreError::Code code)
{
    switch (code) {
    case StoreError::Code::None:
        return "None";
    case StoreError::Code::NewerSchema:
        return "NewerSchema";
    case StoreError::Code::Checking:
        return "Checking";
    case StoreError::Code::Corrupt:
        return "Corrupt";
    case StoreError::Code::Unwritable:
        return "Unwritable";
    case StoreError::Code::Busy:
        return "Busy";
    case StoreError::Code::Io:
        return "Io";
    case StoreError::Code::Refused:
        return "Refused";
    }
    return "?";
}

int printError(const StoreError& error, int exitCode)
{
    std::printf("ERROR %s %s\n", codeName(error.code), qPrintable(error.message));
    std::fflush(stdout);
    return exitCode;
}

bool becomeNobody()
{
    if (geteuid() != 0)
        return true;
    const passwd* nobody = getpwnam("nobody");
    if (!nobody)
        return false;
    return setgroups(0, nullptr) == 0 && setgid(nobody->pw_gid) == 0 && setuid(nobody->pw_uid) == 0 && geteuid() != 0;
}

} // namespace

int main(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--as-nobody") == 0 && !becomeNobody()) {
            std::fprintf(stderr, "store_appender: cannot become the user nobody\n");
            return 1;
        }
    }
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    args.removeAll(u"--as-nobody"_s);
    QString path;
    qint64 count = 0;
    qint64 incidentId = 0;
    bool openOnly = false;
    qint64 atMs = 0;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i) == u"--count"_s && i + 1 < args.size())
            count = args.at(++i).toLongLong();
        else if (args.at(i) == u"--incident"_s && i + 1 < args.size())
            incidentId = args.at(++i).toLongLong();
        else if (args.at(i) == u"--at"_s && i + 1 < args.size())
            atMs = args.at(++i).toLongLong();
        else if (args.at(i) == u"--open-only"_s)
            openOnly = true;
        else if (path.isEmpty())
            path = args.at(i);
    }
    if (path.isEmpty()) {
        std::fprintf(stderr, "usage: store_appender PATH [--count N] [--incident ID] [--open-only] [--as-nobody]\n");
        return 1;
    }

    if (atMs > 0) {
        while (QDateTime::currentMSecsSinceEpoch() < atMs - 2)
            QThread::msleep(1);
        while (QDateTime::currentMSecsSinceEpoch() < atMs) { } // the last moments spinning, for a close start
    }
    IncidentStore store(path);
    if (!store.open())
        return printError(store.lastError(), 2);
    std::printf("OPEN %d\n", store.schemaVersion());
    std::fflush(stdout);
    if (openOnly)
        return 0;

    const QString actor = u"appender-%1"_s.arg(getpid());
    if (incidentId == 0) {
        const QList<Incident> open = store.incidents(IncidentStore::Filter::Open);
        if (!open.isEmpty()) {
            incidentId = open.first().id;
        } else {
            IncidentDraft draft;
            draft.title = u"Appender %1"_s.arg(getpid());
            draft.environment = u"sandbox"_s;
            const StoreChange created = store.createIncident(draft, actor, QDateTime::currentMSecsSinceEpoch());
            if (!created.ok)
                return printError(created.error, 3);
            incidentId = created.incident.id;
            std::printf("SEQ %lld\n", created.events.first().seq);
        }
    }
    std::printf("INCIDENT %lld\n", incidentId);
    std::fflush(stdout);

    for (qint64 i = 0; count == 0 || i < count; ++i) {
        const StoreChange change = store.appendEvent(incidentId, u"test.append"_s, u"Append %1"_s.arg(i),
            { { u"i"_s, i }, { u"pid"_s, qint64(getpid()) } }, actor, QDateTime::currentMSecsSinceEpoch());
        if (!change.ok)
            return printError(change.error, 3);
        std::printf("SEQ %lld\n", change.events.first().seq);
        std::fflush(stdout);
    }
    return 0;
}
