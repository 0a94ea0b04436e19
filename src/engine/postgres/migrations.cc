#include "engine/postgres/migrations.h"

#include "engine/postgres/postgres_engine.h"

namespace ferry::engine {

int PostgresSchemaVersion() { return static_cast<int>(pg::Migrations().size()); }

namespace pg {

// The part of ferry_receive_fifo that versions 1 and 2 share: the end of
// the ready groups' lock (each version orders them its way), then each
// locked group's leading messages, `ready` in order: `heads` (ord, seq,
// leading).
constexpr const char* kFifoHeads = R"sql(    FOR UPDATE OF g SKIP LOCKED) l;
  IF ready IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH heads AS (
    SELECT g.ord, m.seq,
           bool_and(m.visible_at_ms <= now_ms) OVER (PARTITION BY g.ord ORDER BY m.seq) AS leading
    FROM unnest(ready) WITH ORDINALITY AS g(gid, ord)
    CROSS JOIN LATERAL (SELECT x.seq, x.visible_at_ms FROM ferry_messages x
                        WHERE x.queue_id = q AND x.group_id = g.gid AND x.group_id <> ''
                          AND x.sent_ms > cutoff
                        ORDER BY x.seq LIMIT max_n) m
    WHERE NOT EXISTS (SELECT 1 FROM ferry_messages f
                      WHERE f.queue_id = q AND f.group_id = g.gid AND f.group_id <> ''
                        AND f.in_flight AND f.visible_at_ms > now_ms)),
)sql";

// Both versions' update of the picked messages (in flight until the
// deadline, one more receive, the attempt id).
constexpr const char* kFifoTake =
    R"sql(  UPDATE ferry_messages m SET in_flight = true, visible_at_ms = deadline,
         receive_count = m.receive_count + 1,
         first_receive_ms = CASE WHEN m.first_receive_ms = 0 THEN now_ms
                                 ELSE m.first_receive_ms END,
         attempt_id = attempt, attempt_ms = now_ms
  FROM pick WHERE m.queue_id = q AND m.seq = pick.seq
)sql";

// Version 1: the whole schema. Every time is milliseconds since the epoch
// by the nodes' clocks (never the database's now()). Names and ids compare
// bytewise (COLLATE "C"); fields that may hold any bytes are bytea.
constexpr const char* kSchemaV1 = R"sql(
CREATE SEQUENCE ferry_message_seq;

CREATE TABLE ferry_queues (
  id bigint PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE,
  fifo boolean NOT NULL,
  settings bytea NOT NULL,
  tags bytea NOT NULL,
  retention_ms bigint NOT NULL,
  created_ms bigint NOT NULL,
  modified_ms bigint NOT NULL
);

CREATE TABLE ferry_deleted_queues (
  name text COLLATE "C" PRIMARY KEY,
  deleted_ms bigint NOT NULL
);

CREATE TABLE ferry_messages (
  queue_id bigint NOT NULL REFERENCES ferry_queues (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  message_id uuid NOT NULL,
  payload bytea NOT NULL,
  group_id text COLLATE "C" NOT NULL DEFAULT '',
  sent_ms bigint NOT NULL,
  visible_at_ms bigint NOT NULL,
  in_flight boolean NOT NULL DEFAULT false,
  receive_count bigint NOT NULL DEFAULT 0,
  first_receive_ms bigint NOT NULL DEFAULT 0,
  dead_letter_source text COLLATE "C" NOT NULL DEFAULT '',
  attempt_id text COLLATE "C" NOT NULL DEFAULT '',
  attempt_ms bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (queue_id, seq)
);
CREATE INDEX ferry_messages_by_visibility ON ferry_messages (queue_id, visible_at_ms, seq);
CREATE INDEX ferry_messages_by_id ON ferry_messages (queue_id, message_id);
CREATE INDEX ferry_messages_by_sent ON ferry_messages (queue_id, sent_ms);
CREATE INDEX ferry_messages_by_group ON ferry_messages (queue_id, group_id, seq)
  WHERE group_id <> '';

CREATE TABLE ferry_groups (
  queue_id bigint NOT NULL REFERENCES ferry_queues (id) ON DELETE CASCADE,
  group_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (queue_id, group_id)
);

CREATE TABLE ferry_dedup (
  queue_id bigint NOT NULL REFERENCES ferry_queues (id) ON DELETE CASCADE,
  scope text COLLATE "C" NOT NULL,
  dedup_id text COLLATE "C" NOT NULL,
  expires_ms bigint NOT NULL,
  message_id uuid NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (queue_id, scope, dedup_id)
);
CREATE INDEX ferry_dedup_by_expiry ON ferry_dedup (expires_ms);

CREATE TABLE ferry_move_tasks (
  task_id text COLLATE "C" PRIMARY KEY,
  queue_id bigint NOT NULL REFERENCES ferry_queues (id) ON DELETE CASCADE,
  ord bigint NOT NULL,
  destination text COLLATE "C" NOT NULL,
  max_per_second bigint NOT NULL,
  started_ms bigint NOT NULL,
  to_move bigint NOT NULL,
  moved bigint NOT NULL,
  status bigint NOT NULL,
  failure_reason text NOT NULL DEFAULT '',
  allowance bigint NOT NULL DEFAULT 0,
  last_ms bigint NOT NULL
);
CREATE INDEX ferry_move_tasks_by_queue ON ferry_move_tasks (queue_id, ord);

-- A FIFO receive in one round trip (queues without a dead-letter queue or
-- redelivery backoff): lock up to max_n ready groups (first message
-- visible, none in flight), oldest first, skipping groups locked elsewhere;
-- then, in a second statement whose snapshot follows every commit of an
-- earlier holder of those locks, take each group's leading visible messages
-- in order, at most max_n in all. Expired messages (sent at or before
-- cutoff) are passed over; Tick deletes them.
CREATE FUNCTION ferry_receive_fifo(q bigint, now_ms bigint, cutoff bigint, max_n bigint,
                                   deadline bigint, attempt text)
RETURNS SETOF ferry_messages LANGUAGE plpgsql AS $fn$
DECLARE
  ready text[];
BEGIN
  SELECT array_agg(l.group_id ORDER BY l.head) INTO ready FROM (
    SELECT g.group_id,
           (SELECT min(h.seq) FROM ferry_messages h
            WHERE h.queue_id = q AND h.group_id = g.group_id AND h.group_id <> '') AS head
    FROM ferry_groups g
    WHERE g.queue_id = q
      AND (SELECT h.visible_at_ms FROM ferry_messages h
           WHERE h.queue_id = q AND h.group_id = g.group_id AND h.group_id <> ''
           ORDER BY h.seq LIMIT 1) <= now_ms
      AND NOT EXISTS (SELECT 1 FROM ferry_messages f
                      WHERE f.queue_id = q AND f.group_id = g.group_id AND f.group_id <> ''
                        AND f.in_flight AND f.visible_at_ms > now_ms)
    ORDER BY 2 LIMIT max_n
)sql";

// Version 1, after kFifoHeads.
constexpr const char* kSchemaV1Tail =
    R"sql(  pick AS (SELECT h.seq FROM heads h WHERE h.leading ORDER BY h.ord, h.seq LIMIT max_n)
)sql";

// Version 1, after kFifoTake.
constexpr const char* kSchemaV1End = R"sql(  RETURNING m.*;
END
$fn$;

CREATE TABLE ferry_catalog (
  kind bigint NOT NULL,
  key bytea NOT NULL,
  fields bytea NOT NULL,
  PRIMARY KEY (kind, key)
);
)sql";

// Version 2: fair queues and a released FIFO group's place.
//  - ferry_messages_by_group_visibility: a group's oldest visible message in
//    one probe, and the walk over a queue's groups (a skip scan), for the
//    fair receive of standard queues (postgres_queue_receive.cc). Partial:
//    messages without a group cost it nothing.
//  - ferry_receive_fifo orders ready groups by when their first message
//    became visible (visible_at_ms; in the same millisecond a message back
//    from flight after one never received; then seq), so a group released
//    by a visibility timeout or a change to 0 comes after the groups that
//    were ready before it, and returns the messages in that order (callers
//    read it WITH ORDINALITY). Same signature and result: nodes of version 1
//    still running call it unchanged.
// The index is built inside the migration's transaction (not CONCURRENTLY),
// which holds writes to ferry_messages for the build.
constexpr const char* kSchemaV2 = R"sql(
CREATE INDEX ferry_messages_by_group_visibility
  ON ferry_messages (queue_id, group_id, visible_at_ms, seq) WHERE group_id <> '';

CREATE OR REPLACE FUNCTION ferry_receive_fifo(q bigint, now_ms bigint, cutoff bigint, max_n bigint,
                                              deadline bigint, attempt text)
RETURNS SETOF ferry_messages LANGUAGE plpgsql AS $fn$
DECLARE
  ready text[];
BEGIN
  SELECT array_agg(l.group_id ORDER BY l.head_visible, l.head_returned, l.head_seq) INTO ready
  FROM (
    SELECT g.group_id, hd.visible_at_ms AS head_visible, hd.receive_count > 0 AS head_returned,
           hd.seq AS head_seq
    FROM ferry_groups g
    CROSS JOIN LATERAL (SELECT h.seq, h.visible_at_ms, h.receive_count FROM ferry_messages h
                        WHERE h.queue_id = q AND h.group_id = g.group_id AND h.group_id <> ''
                        ORDER BY h.seq LIMIT 1) hd
    WHERE g.queue_id = q AND hd.visible_at_ms <= now_ms
      AND NOT EXISTS (SELECT 1 FROM ferry_messages f
                      WHERE f.queue_id = q AND f.group_id = g.group_id AND f.group_id <> ''
                        AND f.in_flight AND f.visible_at_ms > now_ms)
    ORDER BY hd.visible_at_ms, hd.receive_count > 0, hd.seq LIMIT max_n
)sql";

// Version 2, after kFifoHeads.
constexpr const char* kSchemaV2Tail =
    R"sql(  pick AS (SELECT h.ord, h.seq FROM heads h WHERE h.leading ORDER BY h.ord, h.seq LIMIT max_n),
  taken AS (
)sql";

// Version 2, after kFifoTake.
constexpr const char* kSchemaV2End = R"sql(  RETURNING m AS msg, pick.ord)
  SELECT (t.msg).* FROM taken t ORDER BY t.ord, (t.msg).seq;
END
$fn$;
)sql";

// Version 3: the catalog's version, one row that every catalog write
// increments in its own transaction, so that a node learns from one small
// read that another changed topics or subscriptions (Engine::CatalogVersion).
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE ferry_catalog_version (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  version bigint NOT NULL
);
INSERT INTO ferry_catalog_version (version) VALUES (1);
)sql";

// Version 4: message journeys (pg_journey.h). ferry_queues gains the
// journey setting's bounds (NULL: the queue keeps none) so that the
// housekeeping finds the journeyed queues without decoding settings; each
// event is a row of ferry_journey, ordered by its identity. Indexes: a
// message's events (reads), the queue's events by age and by order (the
// trims). Events go with their queue (cascade), and only journeyed queues
// write any: nodes of version 3 still running neither write nor read them.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE ferry_queues ADD COLUMN journey_retention_ms bigint,
                         ADD COLUMN journey_max_events bigint;
CREATE TABLE ferry_journey (
  queue_id bigint NOT NULL REFERENCES ferry_queues (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  message_id uuid NOT NULL,
  kind smallint NOT NULL,
  receive_count bigint NOT NULL,
  at_ms bigint NOT NULL,
  visible_until_ms bigint NOT NULL,
  detail text NOT NULL,
  PRIMARY KEY (queue_id, seq)
);
CREATE INDEX ferry_journey_by_message ON ferry_journey (queue_id, message_id, seq);
CREATE INDEX ferry_journey_by_age ON ferry_journey (queue_id, at_ms);
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {
      {1, std::string(kSchemaV1) + kFifoHeads + kSchemaV1Tail + kFifoTake + kSchemaV1End},
      {2, std::string(kSchemaV2) + kFifoHeads + kSchemaV2Tail + kFifoTake + kSchemaV2End},
      {3, kSchemaV3},
      {4, kSchemaV4}};
  return kAll;
}

Result<int> DatabaseSchemaVersion(PgConn& conn) {
  Result<PgResult> r = conn.Exec("SELECT to_regclass('ferry_schema_version') IS NOT NULL");
  if (!r.ok()) return r.status();
  if (!r->Bool(0, 0)) return 0;
  r = conn.Exec("SELECT coalesce(max(version), 0)::bigint FROM ferry_schema_version");
  if (!r.ok()) return r.status();
  return static_cast<int>(r->Int(0, 0));
}

namespace {

Status MigrateLocked(PgConn& conn) {
  FERRY_RETURN_IF_ERROR(
      conn.Run("CREATE TABLE IF NOT EXISTS ferry_schema_version ("
               "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"));
  Result<int> current = DatabaseSchemaVersion(conn);
  if (!current.ok()) return current.status();
  const int known = PostgresSchemaVersion();
  if (*current > known) {
    return Status::FailedPrecondition("the database's schema is version " +
                                      std::to_string(*current) +
                                      ", newer than this Ferry's version " + std::to_string(known) +
                                      ": a newer Ferry migrated it; run that version");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= *current) continue;
    FERRY_RETURN_IF_ERROR(InTransaction(conn, [&] {
      FERRY_RETURN_IF_ERROR(conn.Run(m.sql));
      return conn
          .Exec("INSERT INTO ferry_schema_version (version) VALUES ($1::bigint)",
                Params().Int(m.version))
          .status();
    }));
  }
  return Status::Ok();
}

}  // namespace

Status Migrate(PgConn& conn) {
  FERRY_RETURN_IF_ERROR(
      conn.Exec("SELECT pg_advisory_lock($1)", Params().Int(kMigrationLock)).status());
  Status st = MigrateLocked(conn);
  Status unlocked =
      conn.Exec("SELECT pg_advisory_unlock($1)", Params().Int(kMigrationLock)).status();
  return st.ok() ? unlocked : st;
}

}  // namespace pg
}  // namespace ferry::engine
