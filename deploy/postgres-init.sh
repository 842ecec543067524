#!/bin/sh
# The engine's own database next to Temporal's, owned by its own role.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -v pw="$ENGINE_DB_PASSWORD" <<'SQL'
CREATE ROLE engine LOGIN PASSWORD :'pw';
CREATE DATABASE engine OWNER engine;
SQL
