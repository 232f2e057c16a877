-- One role and one database per service; idempotent, run as the postgres superuser:
--   psql -v svc=accounts -f dev/sql/service.sql
-- The role's password is its name (dev only). Nobody but the role may connect.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'svc')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'svc') \gexec

-- Re-set every run so the stored secret follows password_encryption (scram-sha-256).
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'svc', :'svc') \gexec

SELECT format('CREATE DATABASE %I OWNER %I', :'svc', :'svc')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'svc') \gexec

SELECT format('ALTER DATABASE %I OWNER TO %I', :'svc', :'svc') \gexec
SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', :'svc') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'svc', :'svc') \gexec

-- Converge: no other role keeps a grant on this database.
SELECT DISTINCT format('REVOKE ALL ON DATABASE %I FROM %I', d.datname, r.rolname)
FROM pg_database d, aclexplode(d.datacl) a
JOIN pg_roles r ON r.oid = a.grantee
WHERE d.datname = :'svc' AND r.rolname <> :'svc' \gexec
