-- The floor of memberByIdNumber: by hand, the SQL work the API does for one lookup — the
-- member found by the blind index of its ID number within the caller's slice (the city
-- admin's: families of the city), then the access-log row of the read — two statements
-- and two commits, as the API does them. bench_floor_ids holds 500 members' blind indexes.
\set n random(1, 500)
SELECT m.id, m.family_id, m.role, m.name, m.id_number_enc, m.birth_date, m.sex, m.phone_enc, m.address
  FROM member m JOIN bench_floor_ids b ON m.id_number_bidx = b.bidx
 WHERE b.n = :n
   AND m.family_id IN (SELECT f.id FROM family f WHERE f.city_code = '411000');
INSERT INTO access_log (id, at, actor_id, actor_name, actor_role, member_id, fields, operation, purpose, request_id)
SELECT gen_random_uuid(), now(), '00000000-0000-0000-0000-000000000001', 'city.admin', 'city_admin',
       b.member, 'idNumber', 'memberByIdNumber', 'load benchmark', 'floor'
  FROM bench_floor_ids b WHERE b.n = :n;
