// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

// One entry of the runbook's "Escalation Contacts" (on_call_engineer, engineering_lead, cto, dba, …).
struct Contact {
    QString role; // key as written: "engineering_lead"
    QString name; // "Engrid"
    QString slack; // "@engrid"
    QString phone; // "+1-xxx-xxx-xxxx"
    QString email; // "buck@petforce.app"
    QString primary; // on-call rotation: "Check PagerDuty rotation"
    QString secondary;

    QString roleTitle() const; // "Engineering lead", "CTO", "DBA", "On-call engineer"
    QString displayName() const; // "Engrid (Engineering lead)"; the role title when there is no name
    bool hasPhone() const; // a number with at least one digit
    // A number a phone can dial: digits with an optional leading '+' and separators (space - . ( )), at least 3
    // digits; the runbook's placeholder "+1-xxx-xxx-xxxx" is not.
    bool isDialable() const;
    bool operator==(const Contact&) const = default;
};

// The contacts in file order. Pure data, any thread.
class ContactDirectory {
public:
    ContactDirectory() = default;
    explicit ContactDirectory(QList<Contact> contacts)
        : m_contacts(std::move(contacts))
    {
    }
    const QList<Contact>& contacts() const { return m_contacts; }
    bool isEmpty() const { return m_contacts.isEmpty(); }
    // By role key or by the matrix's wording ("Engineering lead" finds engineering_lead); nullptr when none.
    const Contact* byRole(QStringView role) const;
    // "Engineering lead (Engrid)", or the role as written when no contact has it.
    QString describeRole(const QString& role) const;

private:
    QList<Contact> m_contacts;
};
