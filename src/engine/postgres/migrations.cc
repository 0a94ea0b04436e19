#include "engine/postgres/migrations.h"

#include "engine/postgres/postgres_engine.h"

namespace ferry::engine {

int PostgresSchemaVersion() { return static_cast<int>(pg::Migrations().size()); }

namespace pg {

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
    FOR UPDATE OF g SKIP LOCKED) l;
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
  pick AS (SELECT h.seq FROM heads h WHERE h.leading ORDER BY h.ord, h.seq LIMIT max_n)
  UPDATE ferry_messages m SET in_flight = true, visible_at_ms = deadline,
         receive_count = m.receive_count + 1,
         first_receive_ms = CASE WHEN m.first_receive_ms = 0 THEN now_ms
                                 ELSE m.first_receive_ms END,
         attempt_id = attempt, attempt_ms = now_ms
  FROM pick WHERE m.queue_id = q AND m.seq = pick.seq
  RETURNING m.*;
END
$fn$;

CREATE TABLE ferry_catalog (
  kind bigint NOT NULL,
  key bytea NOT NULL,
  fields bytea NOT NULL,
  PRIMARY KEY (kind, key)
);
)sql";

// Version 2: the catalog's version, one row that every catalog write
// increments in its own transaction, so that a node learns from one small
// read that another changed topics or subscriptions (Engine::CatalogVersion).
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE ferry_catalog_version (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  version bigint NOT NULL
);
INSERT INTO ferry_catalog_version (version) VALUES (1);
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {{1, kSchemaV1}, {2, kSchemaV2}};
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
