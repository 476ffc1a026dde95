-- SPDX-License-Identifier: MIT
-- Schema version 1 of the incident store, exactly as the console of that version created it (PRAGMA user_version
-- = 1). Frozen: tests build version-1 files from it to prove that today's console migrates them.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
    status TEXT NOT NULL CHECK (status IN ('Investigating', 'Mitigating', 'Resolved')),
    environment TEXT NOT NULL,
    commander TEXT NOT NULL,
    impact TEXT NOT NULL DEFAULT '',
    started_ms INTEGER NOT NULL,
    acknowledged_ms INTEGER,
    resolved_ms INTEGER,
    flow_step INTEGER NOT NULL DEFAULT 0,
    step_entered_ms INTEGER NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    time_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);
CREATE INDEX incidents_status ON incidents(status);
PRAGMA user_version = 1;
