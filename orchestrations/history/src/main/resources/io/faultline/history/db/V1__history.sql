-- Faultline history: one schema for SQLite (embedded) and PostgreSQL (shared), in types both accept.
-- Times are epoch milliseconds (BIGINT); JSON documents are TEXT.

-- Every orchestration run, with its resilience score and the figures the queries filter and sort on.
CREATE TABLE runs (
  id               VARCHAR(64)  PRIMARY KEY,
  name             VARCHAR(256) NOT NULL,
  status           VARCHAR(32)  NOT NULL,
  mode             VARCHAR(32),
  node             VARCHAR(128),
  started_at       BIGINT       NOT NULL,
  ended_at         BIGINT       NOT NULL,
  resilience_score DOUBLE PRECISION,
  request_count    BIGINT,
  error_count      BIGINT,
  error_rate       DOUBLE PRECISION,
  avg_latency      DOUBLE PRECISION,
  p95_latency      DOUBLE PRECISION,
  tags             TEXT         NOT NULL,
  document         TEXT         NOT NULL
);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_name_started ON runs (name, started_at);

-- Every chaos change: what (a diff), when, where from; as faultline.chaos.changed carries it.
CREATE TABLE chaos_changes (
  at      BIGINT       NOT NULL,
  node    VARCHAR(128) NOT NULL,
  version BIGINT       NOT NULL,
  address VARCHAR(128),
  source  VARCHAR(64),
  detail  VARCHAR(256),
  diff    TEXT         NOT NULL,
  PRIMARY KEY (node, version, at)
);
CREATE INDEX chaos_changes_at ON chaos_changes (at);

-- Every chaos window (enabled, then disabled) with the config it ran and what the node's traffic saw.
CREATE TABLE chaos_windows (
  id         VARCHAR(64)  PRIMARY KEY,
  node       VARCHAR(128) NOT NULL,
  started_at BIGINT       NOT NULL,
  ended_at   BIGINT       NOT NULL,
  source     VARCHAR(64),
  config     TEXT         NOT NULL,
  metrics    TEXT         NOT NULL
);
CREATE INDEX chaos_windows_started ON chaos_windows (started_at);

-- The flight recorder: exchanges a fault touched (and a sample of the others, when asked).
CREATE TABLE exchanges (
  at                BIGINT        NOT NULL,
  node              VARCHAR(128)  NOT NULL,
  listener          VARCHAR(128)  NOT NULL,
  protocol          VARCHAR(32)   NOT NULL,
  route             VARCHAR(128),
  method            VARCHAR(16),
  path              VARCHAR(2048),
  operation         VARCHAR(256),
  status_code       INTEGER       NOT NULL,
  outcome           VARCHAR(16)   NOT NULL,
  faults            VARCHAR(512)  NOT NULL,
  duration_ms       DOUBLE PRECISION NOT NULL,
  injected_delay_ms BIGINT        NOT NULL,
  trace_id          VARCHAR(64)
);
CREATE INDEX exchanges_at ON exchanges (at);
CREATE INDEX exchanges_status_at ON exchanges (status_code, at);

-- A/B tests and breaking-point searches: what was asked, and what came out.
CREATE TABLE experiments (
  id         VARCHAR(64) PRIMARY KEY,
  kind       VARCHAR(32) NOT NULL,
  status     VARCHAR(32) NOT NULL,
  started_at BIGINT      NOT NULL,
  ended_at   BIGINT,
  document   TEXT        NOT NULL
);
CREATE INDEX experiments_started ON experiments (started_at);
