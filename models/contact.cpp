// SPDX-License-Identifier: MIT
#include "models/contact.h"

#include "models/escalationmatrix.h"

#include <QHash>

using namespace Qt::StringLiterals;

QString Contact::roleTitle() const
{
    static const QHash<QString, QString> known { { u"cto"_s, u"CTO"_s }, { u"dba"_s, u"DBA"_s },
        { u"on_call_engineer"_s, u"On-call engineer"_s } };
    const QString key = roleKey(role);
    if (const auto it = known.constFind(key); it != known.cend())
        return *it;
    QString title = key;
    title.replace(u'_', u' ');
    if (!title.isEmpty())
        title[0] = title.at(0).toUpper();
    return title;
}

QString Contact::displayName() const { return name.isEmpty() ? roleTitle() : u"%1 (%2)"_s.arg(name, roleTitle()); }

bool Contact::isDialable() const
{
    const QString number = phone.trimmed();
    int digits = 0;
    for (qsizetype i = 0; i < number.size(); ++i) {
        const QChar c = number.at(i);
        if (c.isDigit())
            ++digits;
        else if (!(c == u'+' && i == 0) && !QStringView(u" -.()").contains(c))
            return false;
    }
    return digits >= 3;
}

bool Contact::hasPhone() const
{
    return std::any_of(phone.cbegin(), phone.cend(), [](QChar c) { return c.isDigit(); });
}

const Contact* ContactDirectory::byRole(QStringView role) const
{
    const QString key = roleKey(role);
    for (const Contact& contact : m_contacts) {
        if (roleKey(contact.role) == key || roleKey(contact.roleTitle()) == key)
            return &contact;
    }
    return nullptr;
}

QString ContactDirectory::describeRole(const QString& role) const
{
    const Contact* contact = byRole(role);
    if (!contact || contact->name.isEmpty())
        return role;
    return u"%1 (%2)"_s.arg(role, contact->name);
}
