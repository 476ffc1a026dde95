// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>

// One Redis reply, copied out of hiredis's reply object. A plain value.
struct RedisReply {
    enum class Type { Nil, String, Status, Error, Integer, Array, Double, Bool };
    Type type = Type::Nil;
    QByteArray string; // String, Status, Error (also the text of Double)
    qint64 integer = 0; // Integer, Bool
    QList<RedisReply> elements; // Array (also RESP3 maps, sets and pushes, flattened)

    bool isError() const { return type == Type::Error; }
    // The reply as a number when it is an integer, a double or a numeric string; nullopt-like false otherwise.
    bool toDouble(double* value) const;
};
