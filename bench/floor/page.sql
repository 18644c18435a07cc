-- The floor of a page of 50 families with their members: by hand, the four statements the
-- API sends for it (the page of families in the caller's slice, their members, their status
-- history, the names of their regions), each reading the same first page.
SELECT f.* FROM family f WHERE f.city_code = '411000' ORDER BY f.id LIMIT 51;
SELECT m.* FROM member m
 WHERE m.family_id IN (SELECT f.id FROM family f WHERE f.city_code = '411000' ORDER BY f.id LIMIT 50)
 ORDER BY m.family_id, m.id;
SELECT h.* FROM family_status_history h
 WHERE h.family_id IN (SELECT f.id FROM family f WHERE f.city_code = '411000' ORDER BY f.id LIMIT 50)
 ORDER BY h.family_id, h.at;
SELECT r.code, r.name FROM region r
 WHERE r.code IN (SELECT f.region_code FROM family f WHERE f.city_code = '411000' ORDER BY f.id LIMIT 50);
