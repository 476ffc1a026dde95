-- SPDX-License-Identifier: MIT
-- Schema version 2 of the incident store, exactly as the console of that version created it (migrations 1 and 2,
-- PRAGMA user_version = 2). Frozen: tests build version-2 files from it to prove that today's console migrates them.
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
CREATE INDEX events_incident_seq ON events(incident_id, seq);
ALTER TABLE incidents ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
UPDATE incidents SET last_seq = coalesce((SELECT max(seq) FROM events WHERE events.incident_id = incidents.id), 0);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: add a correcting event instead');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: add a correcting event instead');
END;
CREATE TRIGGER incidents_never_deleted BEFORE DELETE ON incidents
BEGIN
    SELECT RAISE(ABORT, 'incidents are never deleted: resolve them instead');
END;
PRAGMA user_version = 2;
