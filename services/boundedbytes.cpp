// SPDX-License-Identifier: MIT
#include "services/boundedbytes.h"

#include <cstring>

namespace BoundedBytes {

void dropFront(QByteArray& buffer, qsizetype n)
{
    if (n <= 0)
        return;
    if (n >= buffer.size()) {
        buffer.resize(0); // keeps the capacity
        return;
    }
    char* data = buffer.data();
    std::memmove(data, data + n, size_t(buffer.size() - n));
    buffer.resize(buffer.size() - n);
}

qsizetype append(QByteArray& buffer, QByteArrayView chunk, qsizetype cap, qsizetype keep)
{
    if (cap <= 0) {
        buffer.resize(0);
        return chunk.size();
    }
    keep = qBound<qsizetype>(0, keep, cap);
    const qsizetype total = buffer.size() + chunk.size();
    if (total <= cap) {
        if (buffer.capacity() < total && total > cap / 4)
            buffer.reserve(cap); // once, when the stream heads for the cap, instead of growing there step by step
        buffer.append(chunk);
        return 0;
    }
    if (buffer.capacity() < cap)
        buffer.reserve(cap);
    const qsizetype drop = total - keep;
    if (drop >= buffer.size()) {
        const qsizetype from = drop - buffer.size();
        buffer.resize(0);
        buffer.append(chunk.sliced(from));
    } else {
        dropFront(buffer, drop);
        buffer.append(chunk);
    }
    return drop;
}

} // namespace BoundedBytes
