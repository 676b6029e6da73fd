#!/usr/bin/env bash
# Restores a dump made by `manage.py backup` into an EMPTY database.
# Usage: scripts/restore.sh FILE   (DATABASE_URL names the target database)
set -euo pipefail
file="${1:?usage: restore.sh FILE}"
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shatil_portal}"
tables=$(psql "$url" -tAc "select count(*) from information_schema.tables where table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "Refusing to restore: the target database already has $tables tables." >&2
  echo "Create an empty database (createdb NAME) and point DATABASE_URL at it." >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
echo "Restored $file"
