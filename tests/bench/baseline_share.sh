#!/usr/bin/env bash
# The old way of sharing a learning (session-share-learning.sh's style), as
# a baseline for `sesslua share.lua`: read the file line by line, write the
# entry after the marker line, count entries for the Total line, then mv the
# temp file over the original. No lock, as the old script had none.
# Usage: baseline_share.sh FILE SESSION CATEGORY TEXT IMPACT
set -euo pipefail
file=$1 session=$2 category=$3 text=$4 impact=$5
today=$(date '+%Y-%m-%d')
stamp=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
tmp="$file.tmp.$$"
total=$(grep -c '^### [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] - ' "$file" || true)
total=$((total + 1))
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    '**Total Learnings:**'*) printf '**Total Learnings:** %s\n' "$total" ;;
    *) printf '%s\n' "$line" ;;
  esac
  case $line in
    *'<!-- Sessions add entries below this line -->'*)
      printf '\n### %s - %s - %s\n\n**Learning:** %s\n**Impact:** %s\n**Timestamp:** %s\n**Category:** %s\n**Shared By:** %s\n\n---\n' \
        "$today" "$session" "$category" "$text" "$impact" "$stamp" "$category" "$session" ;;
  esac
done < "$file" > "$tmp"
mv "$tmp" "$file"
echo "Shared learning: $category"
