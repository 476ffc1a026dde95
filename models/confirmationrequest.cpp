// SPDX-License-Identifier: MIT
#include "models/confirmationrequest.h"

using namespace Qt::StringLiterals;

ConfirmationRequest::Level ConfirmationRequest::level() const
{
    switch (risk) {
    case StepRisk::Read:
        return extraConfirmations.isEmpty() ? Level::None : Level::Show;
    case StepRisk::Write:
        return Level::Show;
    case StepRisk::Destructive:
        return Level::TypeName;
    }
    return Level::TypeName;
}

bool ConfirmationRequest::isProduction() const
{
    return environment.trimmed().compare(u"production"_s, Qt::CaseInsensitive) == 0;
}

bool ConfirmationRequest::typedNameMatches(const QString& typed) const
{
    const QString expected = target.isEmpty() ? environment.trimmed() : target.trimmed();
    return !expected.isEmpty() && typed.trimmed() == expected;
}
