-- The registry's database roles. Run once, as a superuser, on the cluster:
--   psql -v owner_password="'…'" -v app_password="'…'" -f deploy/postgres/roles.sql
--
-- nuanxin_owner owns the database and its tables and runs `nuanxin migrate`.
-- nuanxin_app is what every gateway logs in as: it reads and writes rows and owns nothing,
-- so it cannot drop or disable a trigger (the append-only access log, the frozen rosters),
-- alter or truncate a table, or create one. tests/tests/api/rosters.rs checks exactly that.
-- In the compose file the passwords come from passwords.inc beside this file.
\if :{?owner_password}
\else
  \ir passwords.inc
\endif
CREATE ROLE nuanxin_owner LOGIN PASSWORD :owner_password;
CREATE ROLE nuanxin_app LOGIN PASSWORD :app_password;
CREATE DATABASE nuanxin OWNER nuanxin_owner;
\connect nuanxin
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO nuanxin_owner;
GRANT USAGE ON SCHEMA public TO nuanxin_app;
-- Every table the owner's migrations create: rows only, for the app.
ALTER DEFAULT PRIVILEGES FOR ROLE nuanxin_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nuanxin_app;
ALTER DEFAULT PRIVILEGES FOR ROLE nuanxin_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO nuanxin_app;
