// SPDX-License-Identifier: MIT
#pragma once

#include "models/contact.h"

#include <QString>

// Reads escalation contacts in the runbook's own YAML format (yaml-cpp):
//   engineering_lead: { name: "Engrid", slack: "@engrid", phone: "+1-…", email: … }
//   on_call_engineer: { primary: Check PagerDuty rotation, secondary: … }
// The runbook's "Escalation Contacts" block is the shipped default; <AppConfigLocation>/contacts.yaml, when present,
// overrides it. Static functions, any thread; load() reads one small file.
class ContactsLoader {
public:
    // Contacts in file order; empty with *error set when the text is not a YAML mapping of mappings.
    static ContactDirectory parse(const QString& yaml, QString* error = nullptr);
    static QString userFilePath(); // <AppConfigLocation>/contacts.yaml

    struct Result {
        ContactDirectory contacts;
        QString source; // the user file's path, or "runbook"
        QString problem; // why the user file was not used, if it exists and could not be read
    };
    // The user file if it exists and reads, else the runbook's block (shippedYaml).
    static Result load(const QString& shippedYaml, const QString& userFile = userFilePath());
};
