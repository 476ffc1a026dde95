-- SPDX-License-Identifier: MIT
-- PetForce household schema for the local sandbox (scripts/sandbox).
-- Deliberately NO index on household_members(household_id): the runbook's
-- "Add missing index" fix (High Latency, Option A) must make a real slow query fast.

CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

CREATE TABLE users (
    id           bigserial,
    email        text        NOT NULL,
    display_name text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE households (
    id            bigserial,
    name          text        NOT NULL,
    owner_user_id bigint      NOT NULL,
    invite_code   text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE household_members (
    id           bigserial,
    household_id bigint      NOT NULL,
    user_id      bigint      NOT NULL,
    role         text        NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'removed')),
    notification_settings jsonb NOT NULL
        DEFAULT '{"email": true, "push": true, "digest": "weekly", "feeding_reminders": true, "vet_reminders": true, "share_location": false}',
    joined_at    timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE join_requests (
    id           bigserial,
    household_id bigint      NOT NULL,
    user_id      bigint      NOT NULL,
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    message      text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz
);

-- Data: generated in one pass each, before any index or constraint (building those afterwards is faster).
INSERT INTO users (email, display_name, created_at)
SELECT 'user' || g || '@example.com',
       (ARRAY['Alex','Sam','Jordan','Taylor','Casey','Riley','Morgan','Jamie','Robin','Kim'])[1 + g % 10]
           || ' ' || (ARRAY['Smith','Garcia','Chen','Okafor','Novak','Silva','Khan','Müller','Rossi','Tanaka'])[1 + (g / 10) % 10],
       now() - (g % 900) * interval '1 day' - (g % 86400) * interval '1 second'
FROM generate_series(1::bigint, :users) AS g;

INSERT INTO households (name, owner_user_id, invite_code, created_at, updated_at)
SELECT (ARRAY['The','Casa','Maison','Haus','Villa'])[1 + g % 5] || ' '
           || (ARRAY['Smith','Garcia','Chen','Okafor','Novak','Silva','Khan','Müller','Rossi','Tanaka'])[1 + (g / 5) % 10]
           || ' #' || g,
       1 + (g * 7919) % :users,
       upper(substr(md5(g::text), 1, 10)),
       now() - (g % 800) * interval '1 day',
       now() - (g % 30) * interval '1 day'
FROM generate_series(1::bigint, :households) AS g;

-- Members: the owner plus a spread of 1..8 others per household (about :members rows in all).
INSERT INTO household_members (household_id, user_id, role, status, joined_at, created_at, updated_at)
SELECT h, u, r, s, t, t, t
FROM (
    SELECT 1 + (g % :households)                                              AS h,
           1 + ((g * 104729) % :users)                                        AS u,
           CASE WHEN g < :households THEN 'owner' WHEN g % 11 = 0 THEN 'admin' ELSE 'member' END AS r,
           CASE WHEN g < :households OR g % 10 < 8 THEN 'active'
                WHEN g % 10 = 8 THEN 'pending' ELSE 'removed' END             AS s,
           now() - (g % 700) * interval '1 day' - (g % 3600) * interval '1 second' AS t
    FROM generate_series(0::bigint, :members - 1) AS g
) AS m;

INSERT INTO join_requests (household_id, user_id, status, message, created_at, decided_at)
SELECT 1 + (g * 31) % :households,
       1 + (g * 7727) % :users,
       (ARRAY['pending','approved','approved','rejected','expired'])[1 + g % 5],
       CASE WHEN g % 3 = 0 THEN 'Hi, it''s me!' END,
       now() - (g % 120) * interval '1 day',
       CASE WHEN g % 5 <> 0 THEN now() - (g % 119) * interval '1 day' END
FROM generate_series(1::bigint, :join_requests) AS g;

ALTER TABLE users ADD PRIMARY KEY (id), ADD UNIQUE (email);
ALTER TABLE households ADD PRIMARY KEY (id), ADD UNIQUE (invite_code),
    ADD CONSTRAINT households_owner_user_id_fkey FOREIGN KEY (owner_user_id) REFERENCES users (id);
ALTER TABLE household_members ADD PRIMARY KEY (id),
    ADD CONSTRAINT household_members_household_id_fkey FOREIGN KEY (household_id) REFERENCES households (id),
    ADD CONSTRAINT household_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE join_requests ADD PRIMARY KEY (id),
    ADD CONSTRAINT join_requests_household_id_fkey FOREIGN KEY (household_id) REFERENCES households (id),
    ADD CONSTRAINT join_requests_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
CREATE INDEX household_members_user_id_idx ON household_members (user_id);
CREATE INDEX join_requests_household_id_idx ON join_requests (household_id);
CREATE INDEX join_requests_user_id_idx ON join_requests (user_id);
-- (no index on household_members (household_id) -- on purpose)

VACUUM ANALYZE;
