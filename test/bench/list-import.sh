#!/usr/bin/env bash
# `braid add --paused -i` of a generated list: prints lines, wall seconds and peak RSS.
# usage: test/bench/list-import.sh [LINES]   (default 1000000; run from the repository, after npm install)
set -euo pipefail
LINES=${1:-1000000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Every tenth entry in aria2's format (a mirror and two options), the rest plain.
awk -v n="$LINES" 'BEGIN {
  for (i = 1; i <= n; i++) {
    if (i % 10 == 0) { printf "http://127.0.0.1:9/f%d.bin\thttp://127.0.0.2:9/f%d.bin\n  out=file-%d.bin\n  split=4\n", i, i, i }
    else { printf "http://127.0.0.1:9/f%d.bin\n", i }
  }
}' > "$WORK/list.txt"
/usr/bin/time -o "$WORK/time.txt" -f "%e %M" node out/cli/braid.js add --paused -d "$WORK/files" -i "$WORK/list.txt" --db "$WORK/state.db" > "$WORK/out.txt"
read -r wall rss < "$WORK/time.txt"
rows=$(node out/cli/braid.js list --db "$WORK/state.db" --status paused -n 1 | tail -1)
printf 'lines=%s wall_s=%s peak_rss_kb=%s file_mb=%s\n%s\n%s\n' "$LINES" "$wall" "$rss" "$(du -m "$WORK/list.txt" | cut -f1)" "$(cat "$WORK/out.txt")" "$rows"
