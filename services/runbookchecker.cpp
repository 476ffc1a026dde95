// SPDX-License-Identifier: MIT
#include "services/runbookchecker.h"

#include "services/runbookjson.h"
#include "services/runbookparser.h"

#include <QFile>
#include <QFileInfo>

#include <cstdio>

using namespace Qt::StringLiterals;

int RunbookChecker::run(const QString& path, QIODevice& out, QIODevice& err)
{
    QFile file(path);
    const QFileInfo info(path);
    if (!info.isFile() || !file.open(QIODevice::ReadOnly)) {
        QString why = file.errorString();
        if (!info.exists())
            why = u"no such file"_s;
        else if (!info.isFile())
            why = u"not a regular file"_s;
        err.write((path + u": error: cannot read the runbook: "_s + why + u'\n').toUtf8());
        return 2;
    }
    const RunbookDocument doc = RunbookParser::parse(file.read(RunbookParser::maxFileSize + 1), path);
    out.write(RunbookJson::toJson(doc));
    for (const RunbookDiagnostic& d : doc.diagnostics)
        err.write((d.toString() + u'\n').toUtf8());
    return doc.hasErrors() ? 1 : 0;
}

int RunbookChecker::run(const QString& path)
{
    QFile out;
    QFile err;
    if (!out.open(stdout, QIODevice::WriteOnly) || !err.open(stderr, QIODevice::WriteOnly))
        return 2;
    const int code = run(path, out, err);
    out.flush();
    err.flush();
    return code;
}
