// SPDX-License-Identifier: MIT
#include "services/runbookjson.h"

#include <QStringList>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {

// A small writer that keeps keys in the order they are written, two-space indented.
class Writer {
public:
    QByteArray out;

    void beginObject() { open('{'); }
    void endObject() { close('}'); }
    void beginArray() { open('['); }
    void endArray() { close(']'); }

    void key(const char* name)
    {
        separator();
        out += '"';
        out += name;
        out += "\": ";
        m_afterKey = true;
    }
    void string(const QString& s)
    {
        separator();
        out += quote(s);
    }
    void number(double d)
    {
        separator();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
            out += QByteArray::number(qint64(d));
        else if (std::isfinite(d))
            out += QByteArray::number(d, 'g', 15);
        else
            out += "null";
    }
    void boolean(bool b)
    {
        separator();
        out += b ? "true" : "false";
    }
    void null()
    {
        separator();
        out += "null";
    }
    void stringArray(const QStringList& list)
    {
        beginArray();
        for (const QString& s : list)
            string(s);
        endArray();
    }

private:
    QList<int> m_counts; // items written in each open container
    bool m_afterKey = false;

    void newline()
    {
        out += '\n';
        out += QByteArray(m_counts.size() * 2, ' ');
    }
    void separator()
    {
        if (m_afterKey) {
            m_afterKey = false;
            return;
        }
        if (!m_counts.isEmpty()) {
            if (m_counts.last()++ > 0)
                out += ',';
            newline();
        }
    }
    void open(char c)
    {
        separator();
        out += c;
        m_counts.append(0);
    }
    void close(char c)
    {
        const int count = m_counts.takeLast();
        if (count > 0)
            newline();
        out += c;
    }
    static QByteArray quote(const QString& s)
    {
        QByteArray q = "\"";
        const QByteArray utf8 = s.toUtf8();
        for (char ch : utf8) {
            const uchar c = uchar(ch);
            switch (c) {
            case '"':
                q += "\\\"";
                break;
            case '\\':
                q += "\\\\";
                break;
            case '\n':
                q += "\\n";
                break;
            case '\t':
                q += "\\t";
                break;
            case '\r':
                q += "\\r";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    q += "\\u00";
                    q += QByteArray::number(c, 16).rightJustified(2, '0');
                } else {
                    q += ch;
                }
            }
        }
        q += '"';
        return q;
    }
};

void writeStep(Writer& w, const RunbookStep& s)
{
    w.beginObject();
    w.key("kind");
    w.string(RunbookStep::kindName(s.kind));
    w.key("risk");
    w.string(RunbookStep::riskName(s.risk));
    w.key("title");
    w.string(s.title);
    w.key("line");
    w.number(s.line);
    w.key("text");
    w.string(s.text);
    w.key("parameters");
    w.beginArray();
    for (const RunbookParameter& p : s.parameters) {
        w.beginObject();
        w.key("name");
        w.string(p.name);
        w.key("type");
        w.string(ParameterType::name(p.type));
        if (!p.defaultValue().isEmpty()) {
            w.key("value");
            w.string(p.defaultValue());
        }
        if (p.prefill.isSet()) {
            w.key("from");
            w.string(p.prefill.toString());
        }
        w.endObject();
    }
    w.endArray();
    if (!s.notes.isEmpty()) {
        w.key("notes");
        w.stringArray(s.notes);
    }
    if (!s.url.isEmpty()) {
        w.key("url");
        w.string(s.url);
    }
    if (!s.profileFields().isEmpty()) {
        w.key("environment");
        w.stringArray(s.profileFields());
    }
    if (s.interactive) {
        w.key("interactive");
        w.boolean(true);
    }
    if (s.untilStopped) {
        w.key("untilStopped");
        w.boolean(true);
    }
    w.endObject();
}

void writeSteps(Writer& w, const QList<RunbookStep>& steps)
{
    w.beginArray();
    for (const RunbookStep& s : steps)
        writeStep(w, s);
    w.endArray();
}

} // namespace

QByteArray RunbookJson::toJson(const RunbookDocument& doc)
{
    Writer w;
    w.beginObject();
    w.key("runbooks");
    w.beginArray();
    for (const Runbook& r : doc.runbooks) {
        w.beginObject();
        w.key("title");
        w.string(r.title);
        w.key("number");
        w.number(r.number);
        w.key("line");
        w.number(r.line);
        w.key("severity");
        if (r.severity)
            w.string(severityCode(*r.severity));
        else
            w.null();
        w.key("alert");
        if (r.alert) {
            w.beginObject();
            w.key("metric");
            w.string(r.alert->metric);
            w.key("op");
            w.string(r.alert->op);
            w.key("threshold");
            w.number(r.alert->threshold);
            w.key("unit");
            w.string(r.alert->unit);
            w.key("raw");
            w.string(r.alert->raw);
            w.endObject();
        } else {
            w.null();
        }
        w.key("symptoms");
        w.stringArray(r.symptoms);
        w.key("diagnosis");
        writeSteps(w, r.diagnosis);
        w.key("resolution");
        w.beginArray();
        for (const ResolutionOption& o : r.resolution) {
            w.beginObject();
            w.key("label");
            w.string(o.label);
            w.key("title");
            w.string(o.title);
            w.key("line");
            w.number(o.line);
            w.key("steps");
            writeSteps(w, o.steps);
            w.endObject();
        }
        w.endArray();
        w.key("postIncident");
        w.stringArray(r.postIncident);
        w.endObject();
    }
    w.endArray();
    w.key("catalogue");
    w.beginArray();
    for (const CatalogueGroup& g : doc.catalogue) {
        w.beginObject();
        w.key("group");
        w.string(g.name);
        w.key("line");
        w.number(g.line);
        w.key("steps");
        writeSteps(w, g.steps);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    w.out += '\n';
    return w.out;
}
