// SPDX-License-Identifier: MIT
#include "models/postmortemrecord.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

QString ActionItem::toMarkdownLine() const
{
    const QString t = text.simplified().isEmpty() ? u"[Action]"_s : text.simplified();
    const QString o = owner.simplified().isEmpty() ? u"[@owner]"_s : u"@"_s + owner.simplified().remove(u'@');
    const QString d = due.isValid() ? due.toString(Qt::ISODate) : u"[Due date]"_s;
    return (done ? u"- [x] "_s : u"- [ ] "_s) + t + u" - "_s + o + u" - "_s + d;
}

QJsonArray ActionItem::toJson(const QList<ActionItem>& items)
{
    QJsonArray array;
    for (const ActionItem& i : items)
        array.append(QJsonObject { { u"text"_s, i.text }, { u"owner"_s, i.owner },
            { u"due"_s, i.due.isValid() ? i.due.toString(Qt::ISODate) : QString() }, { u"done"_s, i.done } });
    return array;
}

QList<ActionItem> ActionItem::fromJson(const QJsonArray& array)
{
    QList<ActionItem> items;
    for (const QJsonValue& v : array) {
        const QJsonObject o = v.toObject();
        ActionItem i;
        i.text = o.value(u"text"_s).toString();
        i.owner = o.value(u"owner"_s).toString();
        i.due = QDate::fromString(o.value(u"due"_s).toString(), Qt::ISODate);
        i.done = o.value(u"done"_s).toBool();
        items.append(i);
    }
    return items;
}
