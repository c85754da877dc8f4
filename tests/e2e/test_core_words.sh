#!/usr/bin/env bash
# C knows bytes, files and Markdown, never sessions (issue 13): the words of
# the session log's schema never appear in the Markdown, file and search
# modules, code or comments. (The host, core/main.c, parses --session.)
. "$(dirname "$0")/lib.sh"
WORDS='session|blocker|learnings?|current work|current phase|coordination|next steps|working on|handoff|knowledge'
for f in "$SESSLUA_SRC"/core/md*.[ch] "$SESSLUA_SRC"/core/lmd*.[ch] "$SESSLUA_SRC"/core/fs*.[ch] \
         "$SESSLUA_SRC"/core/search*.[ch] "$SESSLUA_SRC"/core/lsearch.c "$SESSLUA_SRC"/core/lfsys.c; do
  [ -e "$f" ] || continue
  hits=$(grep -niE "$WORDS" "$f" | grep -viE 'sesslua|knows? (about|what a) "?sessions?' || true)
  if [ -z "$hits" ]; then ok; else bad "$(basename "$f") names the session schema: $hits"; fi
done
finish
