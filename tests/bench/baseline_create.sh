#!/usr/bin/env bash
# The old way of creating a log (session-create-log.sh's style), as a
# baseline for `sesslua create.lua`: cp the template, then sed the
# placeholders one by one, with a date call for each timestamp.
# Usage: baseline_create.sh ROOT ID ROLE GOAL
set -euo pipefail
root=$1 id=$2 role=$3 goal=$4
short=${id#session-}
active="$root/sessions/ACTIVE"
mkdir -p "$active"
log="$active/$id.md"
if [ -f "$log" ]; then echo "exists: $log" >&2; exit 4; fi
cp "$root/sessions/SESSION_LOG_TEMPLATE.md" "$log"
sed -i "s/\[ID\]/$short/g" "$log"
sed -i "s/session-$short/$id/g" "$log"
sed -i "s/\[Your Role\]/$role/g" "$log"
sed -i "s/\[Your Goal\]/$goal/g" "$log"
sed -i "s/\*\*Started:\*\* \[Date\]/**Started:** $(date '+%Y-%m-%d %H:%M:%S')/" "$log"
sed -i "s/\[Date\]/$(date '+%Y-%m-%d')/g" "$log"
sed -i "s/\*\*Last Updated:\*\* .*/**Last Updated:** $(date '+%Y-%m-%d %H:%M:%S')/" "$log"
echo "Created $log"
