// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

// A byte buffer that keeps only the end of a stream (a command's tail, the bytes a view has not decoded yet) in one
// allocation of its cap: bytes are dropped from the front with memmove and the allocation is reused, never grown
// and reallocated chunk after chunk (a growing QByteArray peaks at old + new capacity and leaves the allocator holding
// freed blocks of every size on its way up). Pure functions; no thread affinity.
namespace BoundedBytes {

// Appends chunk to buffer. When buffer would exceed cap, keeps only its last keep bytes (keep ≤ cap; keep < cap
// amortises the moves) and returns how many bytes were dropped from the front (0 when none). Once the stream
// passes a quarter of the cap, the buffer reserves cap bytes once (a short output never costs the whole cap).
qsizetype append(QByteArray& buffer, QByteArrayView chunk, qsizetype cap, qsizetype keep);

// Drops n bytes from the front, keeping the allocation (QByteArray::remove(0, n) can move the start instead, and the
// next append then reallocates).
void dropFront(QByteArray& buffer, qsizetype n);

} // namespace BoundedBytes
