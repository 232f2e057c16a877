-- Run inside the service's own database as the postgres superuser:
--   psql -d accounts -v svc=accounts -f dev/sql/schema.sql
-- Postgres 15 no longer lets every role create in "public": give the schema to the
-- service role so its migrations can create tables there.
\set ON_ERROR_STOP on

SELECT format('ALTER SCHEMA public OWNER TO %I', :'svc') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
