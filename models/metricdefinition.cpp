// SPDX-License-Identifier: MIT
#include "models/metricdefinition.h"

using namespace Qt::StringLiterals;

QString MetricDefinition::sourceName(Source source)
{
    switch (source) {
    case Source::None:
        return u"none"_s;
    case Source::Postgres:
        return u"postgres"_s;
    case Source::Redis:
        return u"redis"_s;
    case Source::CloudWatch:
        return u"cloudwatch"_s;
    case Source::Prometheus:
        return u"prometheus"_s;
    }
    return {};
}

MetricDefinition::Source MetricDefinition::sourceFromName(const QString& name)
{
    const QString n = name.toLower();
    if (n == u"postgres"_s || n == u"postgresql"_s)
        return Source::Postgres;
    if (n == u"redis"_s)
        return Source::Redis;
    if (n == u"cloudwatch"_s)
        return Source::CloudWatch;
    if (n == u"prometheus"_s)
        return Source::Prometheus;
    return Source::None;
}
