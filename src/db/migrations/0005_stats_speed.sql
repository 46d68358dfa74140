-- Statistics at a million incidents (issue 7): a daily rollup of ANSWERED incidents by local day, place, official,
-- topic and response-time band, kept exact by statement triggers on incidents; the percentiles are refined from the
-- raw rows of the one band that holds the wanted rank (index below), so they stay exactly percentile_cont.
-- Unanswered incidents (their "late"/"overdue" depend on the clock) are always counted from incidents itself.

-- The response time in whole minutes, rounded UP: ceil(rt) where rt is exactly the float the statistics use
-- (greatest(epoch/60, 0)). For an integer threshold T, rt <= T  ⇔  stats_minute <= T.
CREATE FUNCTION stats_minute(first_response_at timestamptz, opened_at timestamptz) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ceil(greatest(extract(epoch FROM first_response_at - opened_at)::float8 / 60, 0))::integer;

-- The band of a stats_minute, named by its upper bound: 10-minute bands up to 24 h, hourly up to 7 days, then daily.
-- Every bucket boundary (60, 240, 480, 1440) and every target that is a multiple of 10 minutes is a band bound.
CREATE FUNCTION stats_band(m integer) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN m <= 1440 THEN ((m + 9) / 10) * 10
              WHEN m <= 10080 THEN ((m + 59) / 60) * 60
              ELSE ((m + 1439) / 1440) * 1440 END;

-- Which local time zone the rollup's days are counted in; NULL until the first statistics query builds it.
CREATE TABLE stats_rollup_state (
  id        boolean PRIMARY KEY DEFAULT true CHECK (id),
  timezone  text,
  built_at  timestamptz
);
INSERT INTO stats_rollup_state (id) VALUES (true);

CREATE TABLE stats_daily (
  day             date NOT NULL,     -- local date of opened_at in stats_rollup_state.timezone
  municipality_id text,
  official_id     text,
  topic           text,
  band            integer NOT NULL,  -- stats_band(stats_minute(first_response_at, opened_at))
  answered        integer NOT NULL,
  rt_seconds      numeric NOT NULL,  -- exact sum of greatest(epoch(first_response_at - opened_at), 0)
  escalated       integer NOT NULL,
  resolved        integer NOT NULL,
  resonant        integer NOT NULL,
  CONSTRAINT stats_daily_key UNIQUE NULLS NOT DISTINCT (day, municipality_id, official_id, topic, band)
);

-- Adds (sign 1) or removes (sign -1) answered incidents' contributions. Rows are grouped and applied in key order.
CREATE FUNCTION stats_daily_add(rows jsonb, sign integer, tz text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stats_daily AS s (day, municipality_id, official_id, topic, band, answered, rt_seconds, escalated, resolved, resonant)
  SELECT (r.opened_at AT TIME ZONE tz)::date, r.municipality_id, r.official_id, r.topic,
         stats_band(stats_minute(r.first_response_at, r.opened_at)),
         sign * count(*), sign * sum(greatest(extract(epoch FROM r.first_response_at - r.opened_at), 0)),
         sign * count(r.escalated_at), sign * count(r.resolved_at), sign * count(*) FILTER (WHERE r.resonant)
  FROM jsonb_to_recordset(rows) AS r(opened_at timestamptz, municipality_id text, official_id text, topic text,
                                     first_response_at timestamptz, escalated_at timestamptz, resolved_at timestamptz, resonant boolean)
  WHERE r.first_response_at IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT stats_daily_key DO UPDATE SET
    answered = s.answered + excluded.answered, rt_seconds = s.rt_seconds + excluded.rt_seconds,
    escalated = s.escalated + excluded.escalated, resolved = s.resolved + excluded.resolved, resonant = s.resonant + excluded.resonant
$$;

-- Statement triggers (transition tables): one upsert per statement, however many rows it wrote.
-- Writers hold a shared advisory lock so that a rebuild (exclusive) never misses a write in flight.
CREATE FUNCTION stats_daily_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tz text;
  added jsonb;
  removed jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7304552);
  SELECT timezone INTO tz FROM stats_rollup_state;
  IF tz IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(to_jsonb(n)) INTO added FROM new_rows n WHERE n.first_response_at IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(to_jsonb(o)) INTO removed FROM old_rows o WHERE o.first_response_at IS NOT NULL;
  ELSE
    -- Only rows whose counted columns changed (most updates touch none of them).
    SELECT jsonb_agg(to_jsonb(n)) FILTER (WHERE n.first_response_at IS NOT NULL),
           jsonb_agg(to_jsonb(o)) FILTER (WHERE o.first_response_at IS NOT NULL)
    INTO added, removed
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.opened_at, o.municipality_id, o.official_id, o.topic, o.first_response_at, o.escalated_at IS NULL, o.resolved_at IS NULL, o.resonant)
          IS DISTINCT FROM
          (n.opened_at, n.municipality_id, n.official_id, n.topic, n.first_response_at, n.escalated_at IS NULL, n.resolved_at IS NULL, n.resonant);
  END IF;
  IF removed IS NOT NULL THEN
    PERFORM stats_daily_add(removed, -1, tz);
  END IF;
  IF added IS NOT NULL THEN
    PERFORM stats_daily_add(added, 1, tz);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER incidents_stats_insert AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_daily_trigger();
CREATE TRIGGER incidents_stats_update AFTER UPDATE ON incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_daily_trigger();
CREATE TRIGGER incidents_stats_delete AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_daily_trigger();

-- (Re)builds the rollup for a time zone from incidents: waits for writers in flight, then counts what is committed.
CREATE FUNCTION stats_daily_rebuild(tz text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7304552);
  UPDATE stats_rollup_state SET timezone = tz, built_at = now();
  DELETE FROM stats_daily;
  INSERT INTO stats_daily (day, municipality_id, official_id, topic, band, answered, rt_seconds, escalated, resolved, resonant)
  SELECT (i.opened_at AT TIME ZONE tz)::date, i.municipality_id, i.official_id, i.topic,
         stats_band(stats_minute(i.first_response_at, i.opened_at)),
         count(*), sum(greatest(extract(epoch FROM i.first_response_at - i.opened_at), 0)),
         count(i.escalated_at), count(i.resolved_at), count(*) FILTER (WHERE i.resonant)
  FROM incidents i WHERE i.first_response_at IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5;
END $$;

-- Refinement: the answered incidents of one band in a period (index-only: the response time is recomputed from
-- the two included clocks).
CREATE INDEX incidents_stats_band_idx ON incidents (stats_band(stats_minute(first_response_at, opened_at)), opened_at)
  INCLUDE (municipality_id, official_id, topic, first_response_at) WHERE first_response_at IS NOT NULL;
-- Unanswered incidents of a period, with what "late" and "overdue now" read.
CREATE INDEX incidents_stats_unanswered_idx ON incidents (opened_at)
  INCLUDE (municipality_id, official_id, topic, status, response_due_at, escalated_at, resolved_at, resonant)
  WHERE first_response_at IS NULL;
