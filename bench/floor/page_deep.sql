-- The floor of a page of 50 families after a random family (bench_floor_after holds 500
-- family ids of the city, the same the API is given as cursors): the four statements of
-- page.sql, each reading the page that follows it.
\set n random(1, 500)
SELECT f.* FROM family f WHERE f.city_code = '411000'
   AND f.id > (SELECT a.family FROM bench_floor_after a WHERE a.n = :n) ORDER BY f.id LIMIT 51;
SELECT m.* FROM member m
 WHERE m.family_id IN (SELECT f.id FROM family f WHERE f.city_code = '411000'
   AND f.id > (SELECT a.family FROM bench_floor_after a WHERE a.n = :n) ORDER BY f.id LIMIT 50)
 ORDER BY m.family_id, m.id;
SELECT h.* FROM family_status_history h
 WHERE h.family_id IN (SELECT f.id FROM family f WHERE f.city_code = '411000'
   AND f.id > (SELECT a.family FROM bench_floor_after a WHERE a.n = :n) ORDER BY f.id LIMIT 50)
 ORDER BY h.family_id, h.at;
SELECT r.code, r.name FROM region r
 WHERE r.code IN (SELECT f.region_code FROM family f WHERE f.city_code = '411000'
   AND f.id > (SELECT a.family FROM bench_floor_after a WHERE a.n = :n) ORDER BY f.id LIMIT 50);
