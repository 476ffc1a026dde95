// SPDX-License-Identifier: MIT
#include "services/postmortemexport.h"

#include "models/postmortemdraft.h"
#include "services/atomicfilewriter.h"
#include "services/incidentstore.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QTextDocument>
#include <QTextStream>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {
QString tr(const char* text) { return QCoreApplication::translate("PostmortemExport", text); }
} // namespace

QString PostmortemExport::markdown(IncidentStore& store, qint64 incidentId, QString* error, const QString& zoneId)
{
    const std::optional<PostmortemRecord> saved = store.postmortem(incidentId);
    if (store.lastError().isError()) {
        *error = store.lastError().message;
        return {};
    }
    if (saved && !saved->markdown.isEmpty())
        return saved->markdown;
    const std::optional<Incident> incident = store.incident(incidentId);
    if (!incident) {
        *error = store.lastError().isError() ? store.lastError().message
                                             : tr("There is no incident %1 in %2.").arg(incidentId).arg(store.path());
        return {};
    }
    const QList<TimelineEvent> events = store.events(incidentId, 0, -1);
    if (store.lastError().isError()) {
        *error = store.lastError().message;
        return {};
    }
    const QTimeZone zone = zoneId.isEmpty() ? QTimeZone::systemTimeZone() : QTimeZone(zoneId.toUtf8());
    return PostmortemDraft::build(*incident, events, saved ? saved->actionItems : QList<ActionItem> {}, zone);
}

int PostmortemExport::runCommandLine(const QString& storePath, qint64 incidentId, const QString& outputFile)
{
    QTextStream err(stderr);
    IncidentStore store(storePath.isEmpty() ? IncidentStore::defaultPath() : storePath);
    if (!store.open()) {
        err << store.lastError().message << Qt::endl;
        return 1;
    }
    QString error;
    const QString text = markdown(store, incidentId, &error);
    if (text.isEmpty()) {
        err << error << Qt::endl;
        return 1;
    }
    if (outputFile.isEmpty() || outputFile == u"-"_s) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0) {
            err << tr("Could not write to standard output.") << Qt::endl;
            return 1;
        }
        return 0;
    }
    const QByteArray bytes = render(text, formatFor(outputFile), documentTitle(incidentId));
    if (!AtomicFileWriter::write(outputFile, bytes, &error)) {
        err << error << Qt::endl;
        return 1;
    }
    return 0;
}

PostmortemExport::Format PostmortemExport::formatFor(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"html"_s || suffix == u"htm"_s)
        return Format::Html;
    if (suffix == u"pdf"_s)
        return Format::Pdf;
    return Format::Markdown;
}

QString PostmortemExport::forLayout(const QString& markdown)
{
    static const QRegularExpression field(u"^\\*\\*[^*\\n]+(\\*\\*\\s*:|:\\*\\*)"_s);
    static const QRegularExpression fence(u"^ {0,3}(`{3,}|~{3,})"_s);
    QStringList lines = markdown.split(u'\n');
    QString openFence; // the fence of the code block we are in, or empty
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString& line = lines[i];
        if (const QRegularExpressionMatch m = fence.match(line); m.hasMatch()) {
            if (openFence.isEmpty())
                openFence = m.captured(1);
            else if (m.captured(1).startsWith(openFence) && line.trimmed() == m.captured(1))
                openFence.clear();
            continue;
        }
        if (!openFence.isEmpty() || !field.match(line).hasMatch() || i + 1 == lines.size()
            || lines[i + 1].trimmed().isEmpty() || line.endsWith(u"  "_s) || line.endsWith(u'\\'))
            continue;
        line += u"  "_s;
    }
    return lines.join(u'\n');
}

QString PostmortemExport::documentTitle(qint64 incidentId) { return tr("Post-mortem of incident %1").arg(incidentId); }

QByteArray PostmortemExport::render(const QString& markdown, Format format, const QString& title)
{
    if (format == Format::Markdown)
        return markdown.toUtf8();
    QTextDocument document;
    document.setMarkdown(forLayout(markdown));
    if (!title.isEmpty())
        document.setMetaInformation(QTextDocument::DocumentTitle, title);
    if (format == Format::Html)
        return document.toHtml().toUtf8();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(title);
        pdf.setCreator(u"PetForce Ops Console"_s);
        pdf.setPageLayout(QPageLayout(
            QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(18, 18, 18, 18), QPageLayout::Millimeter));
        document.print(&pdf);
    }
    return buffer.data();
}
