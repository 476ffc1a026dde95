// SPDX-License-Identifier: MIT
#include "services/commandresult.h"

#include "services/runsfolder.h"

#include <QStringList>

using namespace Qt::StringLiterals;

QString CommandResult::cutNote() const
{
    QStringList notes;
    for (const auto& [stream, name] : { std::pair { &out, u"stdout"_s }, std::pair { &err, u"stderr"_s } }) {
        if (stream->cut)
            notes.append(u"%1 cut at %2 in its file (%3 in all)"_s.arg(
                name, RunsFolder::sizeText(stream->cutAtBytes), RunsFolder::sizeText(stream->bytes)));
    }
    return notes.join(u"; "_s);
}

QString CommandResult::summary() const
{
    if (!started)
        return error.isEmpty() ? u"did not start"_s : error;
    QString text;
    if (timedOut)
        text = u"timed out after %1 s"_s.arg(durationMs / 1000.0, 0, 'f', 1);
    else if (stoppedByUser)
        text = u"stopped by user"_s;
    else if (signalled)
        text = u"killed by signal %1"_s.arg(signal);
    else
        text = u"exit %1"_s.arg(exitCode);
    if (!error.isEmpty())
        text += u" — "_s + error;
    return text;
}
