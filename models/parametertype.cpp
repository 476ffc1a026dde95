// SPDX-License-Identifier: MIT
#include "models/parametertype.h"

#include <array>

using namespace Qt::StringLiterals;

namespace {

struct TypeInfo {
    ParameterType::Kind kind;
    const char16_t* name;
    const char16_t* description;
};

constexpr std::array<TypeInfo, 10> typeTable { {
    { ParameterType::Text, u"text", u"one line of text without shell metacharacters" },
    { ParameterType::Integer, u"integer", u"a whole number written with the digits 0-9" },
    { ParameterType::Pid, u"pid", u"a PostgreSQL backend process id (1 to 2147483647)" },
    { ParameterType::Cidr, u"cidr", u"an IPv4 network such as 10.0.0.0/16 (mask at most 32, no host bits)" },
    { ParameterType::IpAddress, u"ip", u"an IPv4 address such as 192.168.1.1" },
    { ParameterType::Version, u"version", u"a release version such as v1.1.0" },
    { ParameterType::Identifier, u"identifier", u"an AWS resource name or ARN (letters, digits, . _ : / -)" },
    { ParameterType::Arn, u"arn", u"an Amazon Resource Name (arn:aws:service:region:account:resource)" },
    { ParameterType::InstanceClass, u"instance-class", u"an instance class such as db.t3.large" },
    { ParameterType::DatabaseUrl, u"database-url", u"a postgresql:// URL without a password" },
} };

bool isAsciiDigit(QChar c) { return c >= u'0' && c <= u'9'; }
bool isAsciiLower(QChar c) { return c >= u'a' && c <= u'z'; }
bool isAsciiLetter(QChar c) { return isAsciiLower(c) || (c >= u'A' && c <= u'Z'); }
bool isAsciiAlnum(QChar c) { return isAsciiDigit(c) || isAsciiLetter(c); }

bool allOf(QStringView s, bool (*pred)(QChar))
{
    for (QChar c : s) {
        if (!pred(c))
            return false;
    }
    return true;
}

bool isControl(QChar c)
{
    const char16_t u = c.unicode();
    return u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029 || u == 0x85 || u == 0xfeff
        || c.category() == QChar::Other_Control || c.category() == QChar::Other_Format;
}

QString quoted(QStringView value)
{
    QString shown = value.left(60).toString();
    for (QChar& c : shown) {
        if (isControl(c))
            c = u'\uFFFD';
    }
    return u"\u201C"_s + shown + (value.size() > 60 ? u"\u2026"_s : QString()) + u"\u201D"_s;
}

// Parses ASCII digits only, at most maxDigits, no sign, no leading zero unless the number is 0.
std::optional<quint64> parseDigits(QStringView s, int maxDigits)
{
    if (s.isEmpty() || s.size() > maxDigits || !allOf(s, isAsciiDigit))
        return std::nullopt;
    if (s.size() > 1 && s[0] == u'0')
        return std::nullopt;
    quint64 v = 0;
    for (QChar c : s)
        v = v * 10 + quint64(c.unicode() - u'0');
    return v;
}

std::optional<quint32> parseIpv4(QStringView s)
{
    const auto parts = s.split(u'.');
    if (parts.size() != 4)
        return std::nullopt;
    quint32 address = 0;
    for (QStringView part : parts) {
        const auto octet = parseDigits(part, 3);
        if (!octet || *octet > 255)
            return std::nullopt;
        address = (address << 8) | quint32(*octet);
    }
    return address;
}

ParameterCheck commonChecks(QStringView value)
{
    if (value.isEmpty())
        return ParameterCheck::refused(u"The value is empty."_s);
    if (value.size() > 1024)
        return ParameterCheck::refused(u"The value is longer than 1024 characters."_s);
    for (QChar c : value) {
        if (isControl(c)) {
            return ParameterCheck::refused(u"%1 contains a line break or a control character."_s.arg(quoted(value)));
        }
    }
    if (value.front().isSpace() || value.back().isSpace())
        return ParameterCheck::refused(u"%1 starts or ends with white space."_s.arg(quoted(value)));
    if (value.front() == u'-') {
        return ParameterCheck::refused(
            u"%1 starts with '-', which a command would read as an option."_s.arg(quoted(value)));
    }
    static const QStringList schemes { u"file://"_s, u"fileb://"_s, u"http://"_s, u"https://"_s };
    for (const QString& scheme : schemes) {
        if (value.startsWith(scheme, Qt::CaseInsensitive)) {
            return ParameterCheck::refused(u"%1 starts with %2: the AWS CLI would read a file or URL instead of "
                                           "the value."_s.arg(quoted(value), scheme));
        }
    }
    return ParameterCheck::accepted();
}

ParameterCheck refuseAs(QStringView value, ParameterType::Kind kind)
{
    return ParameterCheck::refused(u"%1 is not %2."_s.arg(quoted(value), ParameterType::description(kind)));
}

bool isIdentifierChar(QChar c)
{
    return isAsciiAlnum(c) || c == u'.' || c == u'_' || c == u':' || c == u'/' || c == u'-';
}

bool isArnResourceChar(QChar c) { return isIdentifierChar(c) || c == u'+' || c == u'=' || c == u',' || c == u'@'; }

ParameterCheck validateArn(QStringView value)
{
    // arn:partition:service:region:account-id:resource
    const auto parts = value.split(u':');
    if (parts.size() < 6 || parts[0] != u"arn")
        return refuseAs(value, ParameterType::Arn);
    const QStringView partition = parts[1];
    if (!partition.startsWith(u"aws") || !allOf(partition, [](QChar c) { return isAsciiLower(c) || c == u'-'; }))
        return refuseAs(value, ParameterType::Arn);
    const auto lowerDigitDash = [](QChar c) { return isAsciiLower(c) || isAsciiDigit(c) || c == u'-'; };
    if (parts[2].isEmpty() || !allOf(parts[2], lowerDigitDash) || !allOf(parts[3], lowerDigitDash))
        return refuseAs(value, ParameterType::Arn);
    if (parts[4].size() > 12 || !allOf(parts[4], isAsciiDigit))
        return refuseAs(value, ParameterType::Arn);
    // The resource is everything after the fifth colon.
    qsizetype colons = 0;
    qsizetype i = 0;
    for (; i < value.size() && colons < 5; ++i) {
        if (value[i] == u':')
            ++colons;
    }
    const QStringView resource = value.mid(i);
    if (resource.isEmpty() || !allOf(resource, isArnResourceChar) || resource.contains(u"//"))
        return refuseAs(value, ParameterType::Arn);
    return ParameterCheck::accepted();
}

} // namespace

bool ParameterType::isAsciiDigits(QStringView text) { return !text.isEmpty() && allOf(text, isAsciiDigit); }

QString ParameterType::name(Kind kind)
{
    for (const TypeInfo& info : typeTable) {
        if (info.kind == kind)
            return QString::fromUtf16(info.name);
    }
    return u"text"_s;
}

std::optional<ParameterType::Kind> ParameterType::fromName(QStringView name)
{
    for (const TypeInfo& info : typeTable) {
        if (name.compare(QStringView(info.name), Qt::CaseInsensitive) == 0)
            return info.kind;
    }
    return std::nullopt;
}

QList<ParameterType::Kind> ParameterType::all()
{
    QList<Kind> kinds;
    for (const TypeInfo& info : typeTable)
        kinds.append(info.kind);
    return kinds;
}

QString ParameterType::description(Kind kind)
{
    for (const TypeInfo& info : typeTable) {
        if (info.kind == kind)
            return QString::fromUtf16(info.description);
    }
    return {};
}

ParameterCheck ParameterType::validate(Kind kind, QStringView value)
{
    ParameterCheck common = commonChecks(value);
    if (!common.ok)
        return common;

    switch (kind) {
    case Text: {
        // Spaces are fine (the value travels in an environment variable); the characters a shell or SQL gives a
        // meaning to are not, so that a value never looks like code to the operator reading the confirmation.
        static const QString forbidden = u"`$;|&<>(){}[]\\\"'!*?~^"_s;
        for (QChar c : value) {
            if (forbidden.contains(c)) {
                return ParameterCheck::refused(
                    u"%1 contains '%2', which is not allowed in a text value."_s.arg(quoted(value), QString(c)));
            }
        }
        return ParameterCheck::accepted();
    }
    case Integer:
        if (!parseDigits(value, 12))
            return refuseAs(value, kind);
        return ParameterCheck::accepted();
    case Pid: {
        const auto pid = parseDigits(value, 10);
        if (!pid || *pid == 0 || *pid > 2147483647u)
            return refuseAs(value, kind);
        return ParameterCheck::accepted();
    }
    case IpAddress:
        if (!parseIpv4(value))
            return refuseAs(value, kind);
        return ParameterCheck::accepted();
    case Cidr: {
        const qsizetype slash = value.indexOf(u'/');
        if (slash < 0)
            return refuseAs(value, kind);
        if (value.mid(slash + 1) == u"0") {
            // Every address on the internet: an IP set never takes it (AWS refuses /0), and no checkbox lets it by.
            return ParameterCheck::refused(u"%1 is every address on the internet: a /0 network is never accepted "
                                           "(AWS refuses it in IP sets too). Give the addresses themselves, such "
                                           "as 192.0.2.10/32."_s.arg(quoted(value)));
        }
        const auto address = parseIpv4(value.left(slash));
        const auto mask = parseDigits(value.mid(slash + 1), 2);
        if (!address)
            return refuseAs(value, kind);
        if (!mask || *mask > 32) {
            return ParameterCheck::refused(
                u"%1 is not an IPv4 network: the mask after '/' must be 0 to 32."_s.arg(quoted(value)));
        }
        const quint32 hostMask = *mask == 0 ? 0xffffffffu : (*mask == 32 ? 0u : (0xffffffffu >> *mask));
        if ((*address & hostMask) != 0) {
            return ParameterCheck::refused(u"%1 has host bits set: the network address for /%2 ends in zeros."_s.arg(
                quoted(value), QString::number(*mask)));
        }
        return ParameterCheck::accepted();
    }
    case Version: {
        QStringView v = value;
        if (v.startsWith(u'v'))
            v = v.mid(1);
        QStringView pre;
        const qsizetype dash = v.indexOf(u'-');
        if (dash >= 0) {
            pre = v.mid(dash + 1);
            v = v.left(dash);
        }
        const auto parts = v.split(u'.');
        if (parts.size() != 3)
            return refuseAs(value, kind);
        for (QStringView part : parts) {
            if (!parseDigits(part, 9))
                return refuseAs(value, kind);
        }
        if (dash >= 0) {
            if (pre.isEmpty() || pre.front() == u'.' || pre.back() == u'.' || pre.back() == u'-'
                || !allOf(pre, [](QChar c) { return isAsciiAlnum(c) || c == u'.' || c == u'-'; }))
                return refuseAs(value, kind);
        }
        return ParameterCheck::accepted();
    }
    case Identifier:
        if (value.size() > 512 || !isAsciiAlnum(value.front()) || !allOf(value, isIdentifierChar)
            || value.contains(u"//") || value.contains(u".."))
            return refuseAs(value, kind);
        if (value.contains(u'.') && allOf(value, [](QChar c) { return isAsciiDigit(c) || c == u'.' || c == u'/'; })) {
            return ParameterCheck::refused(
                u"%1 looks like an IP address or network, not a resource name."_s.arg(quoted(value)));
        }
        return ParameterCheck::accepted();
    case Arn:
        return validateArn(value);
    case InstanceClass: {
        const auto parts = value.split(u'.');
        const auto lowerDigit = [](QChar c) { return isAsciiLower(c) || isAsciiDigit(c); };
        if (parts.size() != 3 || (parts[0] != u"db" && parts[0] != u"cache") || parts[1].isEmpty() || parts[2].isEmpty()
            || !allOf(parts[1], lowerDigit) || !allOf(parts[2], lowerDigit))
            return refuseAs(value, kind);
        return ParameterCheck::accepted();
    }
    case DatabaseUrl: {
        if (!value.startsWith(u"postgresql://") && !value.startsWith(u"postgres://"))
            return refuseAs(value, kind);
        const auto urlChar = [](QChar c) { return isAsciiAlnum(c) || QStringView(u"-._~:/?#@!&+,=%").contains(c); };
        if (!allOf(value, urlChar))
            return refuseAs(value, kind);
        // A password in the URL would end up in process listings and logs: it comes from the keychain instead.
        const qsizetype schemeEnd = value.indexOf(u"://") + 3;
        const qsizetype at = value.indexOf(u'@', schemeEnd);
        const qsizetype slash = value.indexOf(u'/', schemeEnd);
        if (at >= 0 && (slash < 0 || at < slash) && value.mid(schemeEnd, at - schemeEnd).contains(u':')) {
            return ParameterCheck::refused(u"The database URL contains a password: keep it in the keychain or an "
                                           "environment variable, never in the URL."_s);
        }
        return ParameterCheck::accepted();
    }
    }
    return refuseAs(value, kind);
}
