// SPDX-License-Identifier: MIT
#include "models/runbookparameter.h"

using namespace Qt::StringLiterals;

QString ParameterPrefill::toString() const
{
    switch (source) {
    case Source::None:
        return {};
    case Source::Environment:
        return u"environment#"_s + key;
    case Source::StepResult:
        return stepRef + u'#' + key;
    }
    return {};
}

QString RunbookParameter::envVarFor(QStringView name)
{
    QString var = u"PF_"_s;
    for (QChar c : name) {
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9'))
            var.append(c.toUpper());
        else
            var.append(u'_');
    }
    return var;
}
