-- The same totals from the roll-up kept with the lines (`roster_total`), as the report reads
-- them now.
SELECT t.county_code, t.kind, t.line_count, t.total_fen
  FROM roster_total t
 WHERE t.roster_id IN (SELECT id FROM roster WHERE period_start = :month);
