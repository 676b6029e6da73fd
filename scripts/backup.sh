#!/usr/bin/env bash
# Writes a compressed, timestamped dump of the portal's PostgreSQL database.
# Usage: scripts/backup.sh [DIRECTORY]   (DATABASE_URL as in the settings)
set -euo pipefail
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shatil_portal}"
dir="${1:-backups}"
mkdir -p "$dir"
file="$dir/shatil-portal-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Custom format: compressed, and restorable table by table with pg_restore.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$file" "$url"
echo "$file"
