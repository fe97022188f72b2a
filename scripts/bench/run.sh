#!/bin/bash
# scripts/bench/run.sh - entry point of `make bench`.
#
#   make bench                      every part: datapath, conn, e2e
#   make bench PART=datapath        one part (or: run.sh --part datapath)
#   BENCH_QUICK=1 make bench        short windows, one repetition (development)
#
# Runs scripts/bench/datapath.sh, then conn.sh and e2e.sh when they exist.
# Each part writes bench-results/<part>.json (and prints its own table); a
# part's JSON may carry "targets": [{"name", "value", "goal", "met"}] (or one
# "target": {"name", "met": bool or {variant: bool}}), which this script
# collects into a summary table with every target marked met / not met.  Exit status: 0 when every part ran (targets met or not), 1 when
# a part failed, 2 on a bad command line.  Figures taken on a shared machine
# are noisy: each part reports ratios against a baseline of the same run;
# take final figures on a quiet machine.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export BENCH_OUT=${BENCH_OUT:-$ROOT/bench-results}
PARTS_ALL=(datapath conn e2e)
PARTS=()

usage() {
	echo "usage: $0 [--part datapath|conn|e2e]...   (env BENCH_QUICK=1 for short runs)" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--part) [ $# -ge 2 ] || usage; PARTS+=("$2"); shift 2 ;;
	--part=*) PARTS+=("${1#--part=}"); shift ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done
[ ${#PARTS[@]} -gt 0 ] || PARTS=("${PARTS_ALL[@]}")
for p in "${PARTS[@]}"; do
	case " ${PARTS_ALL[*]} " in *" $p "*) ;; *) echo "unknown part '$p'" >&2; usage ;; esac
done

mkdir -p "$BENCH_OUT"
declare -A STATUS
failed=0
for p in "${PARTS[@]}"; do
	script="$ROOT/scripts/bench/$p.sh"
	if [ ! -f "$script" ]; then
		STATUS[$p]="absent"
		echo "bench: $p: $script not there yet, skipped" >&2
		continue
	fi
	echo "==== bench: $p ($(date -u +%T) UTC)"
	rm -f "$BENCH_OUT/$p.json"
	if bash "$script"; then
		STATUS[$p]="ran"
	else
		STATUS[$p]="FAILED (exit $?)"
		failed=1
	fi
done

echo
echo "==== bench summary ($(date -u +%FT%TZ), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$BENCH_OUT" "${PARTS[@]}" <<'EOF'
import json, os, sys
out, parts = sys.argv[1], sys.argv[2:]
print("%-9s %-76s %10s %10s  %s" % ("part", "target", "value", "goal", "result"))
for p in parts:
    path = os.path.join(out, p + ".json")
    if not os.path.exists(path):
        print("%-9s %-76s %10s %10s  %s" % (p, "(no results file)", "-", "-", "-"))
        continue
    try:
        d = json.load(open(path))
    except ValueError as e:
        print("%-9s %-76s %10s %10s  %s" % (p, "(unreadable: %s)" % e, "-", "-", "-"))
        continue
    ts = d.get("targets") or []
    t1 = d.get("target")	# also: one "target" whose "met" may be {variant: bool}
    if not ts and isinstance(t1, dict):
        m = t1.get("met")
        if isinstance(m, dict):
            ts = [{"name": "%s (%s)" % (t1.get("name", "target"), k), "met": v,
                   "value": None, "goal": None} for k, v in m.items()]
        else:
            ts = [t1]
    if not ts:
        print("%-9s %-76s %10s %10s  %s" % (p, "(no targets in %s)" % path, "-", "-", "-"))
    for t in ts:
        v, g, m = t.get("value"), t.get("goal"), t.get("met")
        fv = "-" if v is None else ("%.3g" % v if isinstance(v, (int, float)) else str(v))
        fg = "-" if g is None else ("%.3g" % g if isinstance(g, (int, float)) else str(g))
        res = "n/a" if m is None else ("met" if m else "NOT met")
        print("%-9s %-76s %10s %10s  %s" % (p, t.get("name", "?")[:76], fv, fg, res))
EOF
for p in "${PARTS[@]}"; do echo "  $p: ${STATUS[$p]:-?}"; done
echo "results in $BENCH_OUT/"
exit $failed
