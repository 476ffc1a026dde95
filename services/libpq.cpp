// SPDX-License-Identifier: MIT
#include "services/libpq.h"

#include <QLibrary>
#include <QStringList>
#include <QThreadPool>

using namespace Qt::StringLiterals;

namespace {
struct Loaded {
    std::optional<LibPq> api;
    QString error;
};

const Loaded& loaded()
{
    static const Loaded l = [] {
        Loaded r;
        const QString name = qEnvironmentVariable("PETFORCE_LIBPQ", u"libpq.so.5"_s);
        r.api = LibPq::load(name, &r.error);
        return r;
    }();
    return l;
}
} // namespace

std::optional<LibPq> LibPq::load(const QString& fileName, QString* error)
{
    // Never unloaded: sessions and cancel threads may use it until the process ends.
    QLibrary library(fileName);
    library.setLoadHints(QLibrary::PreventUnloadHint);
    if (!library.load()) {
        if (error)
            *error = u"could not load the PostgreSQL client library (%1): %2. Install the libpq5 package."_s.arg(
                fileName, library.errorString());
        return std::nullopt;
    }
    LibPq api;
    QStringList missing;
#define PETFORCE_LIBPQ_RESOLVE(name)                                                                                   \
    api.name = reinterpret_cast<decltype(&::name)>(library.resolve(#name));                                            \
    if (!api.name)                                                                                                     \
        missing.append(QStringLiteral(#name));
    PETFORCE_LIBPQ_FUNCTIONS(PETFORCE_LIBPQ_RESOLVE)
#undef PETFORCE_LIBPQ_RESOLVE
    if (!missing.isEmpty()) {
        if (error)
            *error = u"the PostgreSQL client library %1 lacks %2: install libpq5 version 15 or later."_s.arg(
                library.fileName(), missing.join(u", "_s));
        return std::nullopt;
    }
    return api;
}

const LibPq* LibPq::get(QString* error)
{
    const Loaded& l = loaded();
    if (!l.api && error)
        *error = l.error;
    return l.api ? &*l.api : nullptr;
}

void LibPq::preload()
{
    QThreadPool::globalInstance()->start([] { loaded(); });
}
