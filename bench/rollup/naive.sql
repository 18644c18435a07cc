-- The monthly report's allowance totals for the city's 100 counties, the naive way (as the
-- report read them before the roll-up): the month's roster lines summed by county and kind.
SELECT r.county_code AS k, l.kind, COUNT(*) AS n, CAST(SUM(l.amount_fen) AS BIGINT) AS total
  FROM roster_line l JOIN roster r ON r.id = l.roster_id
 WHERE l.roster_id IN (SELECT id FROM roster WHERE period_start = :month)
 GROUP BY r.county_code, l.kind;
