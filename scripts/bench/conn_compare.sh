#!/bin/bash
# scripts/bench/conn_compare.sh REV [ROUNDS] - the in-process connection
# benchmark of the working tree against the daemon code of git revision REV,
# built side by side and run interleaved (round 1 of both, round 2 ...), so
# that a noisy moment of a shared machine hits both alike.  REV's sources
# are checked out in a temporary git worktree; the benchmark sources
# (bench/inproc) of the working tree are used for both, so only dpvsd's code
# differs.  Prints median clean cycles per packet / per new conn and rates.
# Env: SECS (window, default 1), BUILD (default build).  Owner: B2.
set -euo pipefail
REV=${1:?usage: conn_compare.sh REV [ROUNDS]}
ROUNDS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
WT=$(mktemp -d /tmp/dpvs-conn-cmp.XXXXXX)
OUT=$WT.out
mkdir -p "$OUT"
cleanup() {
	git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"
	rm -rf "$OUT"
}
trap cleanup EXIT

make -C "$ROOT" -j2 "$BUILD/dpvs-bench-inproc" >/dev/null
git -C "$ROOT" worktree add --detach "$WT" "$REV" >/dev/null 2>&1
mkdir -p "$WT/bench/inproc"
cp "$ROOT"/bench/inproc/*.[ch] "$WT/bench/inproc/"
cp "$ROOT/Makefile" "$WT/Makefile"	# the benchmark target
echo "conn_compare: building $REV in $WT (a few minutes)" >&2
make -C "$WT" -j2 build/dpvs-bench-inproc >"$OUT/build.log" 2>&1 ||
	{ tail -20 "$OUT/build.log" >&2; exit 1; }
for i in $(seq 1 "$ROUNDS"); do
	for v in before after; do
		bin=$WT/build/dpvs-bench-inproc
		[ $v = after ] && bin=$ROOT/$BUILD/dpvs-bench-inproc
		timeout 120 "$bin" --tests io,new,est --secs "${SECS:-1}" --repeat 3 \
			>"$OUT/${v}_$i.json" 2>/dev/null
	done
done
python3 - "$OUT" "$ROUNDS" "$REV" <<'EOF'
import json, statistics, sys
out, rounds, rev = sys.argv[1], int(sys.argv[2]), sys.argv[3]
m = statistics.median
print(f"in-process conn benchmark, {rev} (before) vs working tree (after), {rounds} rounds, medians (range)")
for v in ("before", "after"):
    c = {"io": [], "new": [], "est": []}
    r = {"new": [], "est": []}
    for i in range(1, rounds + 1):
        d = json.load(open(f"{out}/{v}_{i}.json"))
        for t in c:
            c[t] += [w["clean_cycles_per"] for w in d[t]]
        for t in r:
            r[t] += [w["clean_per_sec"] for w in d[t]]
    print(f"  {v:6s} io {m(c['io']):5.1f} c/pkt | est {m(c['est']):6.1f} c/pkt "
          f"({min(c['est']):.0f}-{max(c['est']):.0f}) {m(r['est'])/1e6:.2f} Mpps | new "
          f"{m(c['new']):6.1f} c/conn ({min(c['new']):.0f}-{max(c['new']):.0f}) {m(r['new'])/1e3:.0f}k/s")
EOF
