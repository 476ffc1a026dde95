// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

// What the validator of a parameter type says about one value.
struct ParameterCheck {
    bool ok = false;
    QString reason; // why it was refused, for people; empty when ok
    bool needsExtraConfirmation = false; // valid, but wide enough to ask twice (0.0.0.0/0)
    QString confirmationReason; // what the extra confirmation must say

    static ParameterCheck accepted() { return { true, {}, false, {} }; }
    static ParameterCheck refused(QString why) { return { false, std::move(why), false, {} }; }
};

// The type of a runbook parameter, and its strict validator. A value that passes still reaches a command only as
// an environment variable (or a bound SQL parameter): validation narrows what an operator can pick by mistake, it
// is not what keeps a value out of the command text.
//
// Every type refuses: an empty value, more than 1024 characters, control characters and line breaks, leading or
// trailing white space, a leading '-' (a command would take it as an option) and a leading file://, fileb://,
// http:// or https:// (the AWS CLI would read a file or a URL instead of the value). Digits are ASCII [0-9] only.
class ParameterType {
public:
    enum Kind {
        Text, // one line of printable text without shell metacharacters
        Integer, // 0..999999999999, ASCII digits
        Pid, // a PostgreSQL backend PID: 1..2147483647
        Cidr, // IPv4 a.b.c.d/m, 1 <= m <= 32, no host bits; any /0 (0.0.0.0/0, ::/0) is refused
        IpAddress, // IPv4 a.b.c.d
        Version, // v1.2.3, 1.2.3, v1.2.3-rc.1
        Identifier, // AWS resource name or ARN: letters, digits and . _ : / - ; starts with a letter or digit
        Arn, // arn:partition:service:region:account:resource
        InstanceClass, // db.t3.large, cache.r6g.xlarge
        DatabaseUrl, // postgresql://user@host:5432/db (never with a password)
    };

    // The type's name in annotations and JSON: "text", "integer", "pid", "cidr", "ip", "version", "identifier",
    // "arn", "instance-class", "database-url".
    static QString name(Kind kind);
    static std::optional<Kind> fromName(QStringView name);
    static QList<Kind> all();
    // A short description for people ("an IPv4 network such as 10.0.0.0/16").
    static QString description(Kind kind);

    static ParameterCheck validate(Kind kind, QStringView value);
    // True for a non-empty run of the ASCII digits 0-9 (never other scripts' digits).
    static bool isAsciiDigits(QStringView text);
};
