// SPDX-License-Identifier: MIT
#include "services/contactsloader.h"

#include <QFile>
#include <QStandardPaths>

#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace {
QString field(const YAML::Node& map, const char* key)
{
    const YAML::Node node = map[key];
    return node && node.IsScalar() ? QString::fromStdString(node.Scalar()).trimmed() : QString();
}
} // namespace

ContactDirectory ContactsLoader::parse(const QString& yaml, QString* error)
{
    QList<Contact> contacts;
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        if (!root.IsMap()) {
            if (error)
                *error = u"the contacts are not a YAML mapping of roles"_s;
            return {};
        }
        for (const auto& entry : root) {
            if (!entry.second.IsMap())
                continue;
            Contact contact;
            contact.role = QString::fromStdString(entry.first.Scalar());
            contact.name = field(entry.second, "name");
            contact.slack = field(entry.second, "slack");
            contact.phone = field(entry.second, "phone");
            contact.email = field(entry.second, "email");
            contact.primary = field(entry.second, "primary");
            contact.secondary = field(entry.second, "secondary");
            contacts.append(contact);
        }
    } catch (const YAML::Exception& e) {
        if (error)
            *error = u"line %1: %2"_s.arg(e.mark.line + 1).arg(QString::fromStdString(e.msg));
        return {};
    }
    if (contacts.isEmpty() && error)
        *error = u"no contacts found"_s;
    return ContactDirectory(contacts);
}

QString ContactsLoader::userFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + u"/contacts.yaml"_s;
}

ContactsLoader::Result ContactsLoader::load(const QString& shippedYaml, const QString& userFile)
{
    Result result;
    if (!userFile.isEmpty() && QFile::exists(userFile)) {
        QFile file(userFile);
        if (!file.open(QIODevice::ReadOnly)) {
            result.problem = u"%1: %2"_s.arg(userFile, file.errorString());
        } else {
            QString error;
            result.contacts = parse(QString::fromUtf8(file.readAll()), &error);
            if (error.isEmpty()) {
                result.source = userFile;
                return result;
            }
            result.problem = u"%1: %2"_s.arg(userFile, error);
        }
    }
    result.contacts = parse(shippedYaml);
    result.source = u"runbook"_s;
    return result;
}
