#!/bin/bash
# scripts/bench/conn.sh - part 2 of `make bench`: dpvsd's connection path
# measured in process (build/dpvs-bench-inproc: a ring port, one forwarding
# worker's jobs driven directly, no kernel and no generator core).
#   - io baseline: rx_burst + tx_burst of the same frames (the I/O floor)
#   - new connections per second per worker (FNAT TCP SYNs from distinct
#     clients: schedule, conn, local port, timer)
#   - established flows: pps and cycles per packet, and the ratio to io
#   - memory per connection at 1M and 10M concurrent conns (RSS delta)
# Writes bench-results/conn.json and prints a table with the targets.
# Env: BENCH_QUICK=1 (short windows, 1M conns only), BENCH_SECS (window,
# default 2), BENCH_REPEAT (windows per test, default 5), BENCH_MODE
# (fnat|nat|dr), BENCH_HUGEPAGES (no|yes|auto), BUILD (default build).
# Figures taken while other work runs on the machine are noisy: take final
# ones on a quiet machine.  Owner: B2.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$ROOT/$BUILD/dpvs-bench-inproc
OUT=${BENCH_OUT:-$ROOT/bench-results}
MODE=${BENCH_MODE:-fnat}
HUGE=${BENCH_HUGEPAGES:-no}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SECS=${BENCH_SECS:-0.5}; REPEAT=${BENCH_REPEAT:-3}; MEMS="1000000"
else
	SECS=${BENCH_SECS:-2}; REPEAT=${BENCH_REPEAT:-5}; MEMS="1000000 10000000"
fi
make -C "$ROOT" -j2 "$BUILD/dpvs-bench-inproc" >/dev/null
[ "$(id -u)" = 0 ] || { echo "conn.sh: needs root (DPDK EAL)" >&2; exit 77; }
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "conn: io/new/est windows of ${SECS}s x $REPEAT ($MODE)" >&2
timeout 300 "$BIN" --tests io,new,est --secs "$SECS" --repeat "$REPEAT" --mode "$MODE" \
	--hugepages "$HUGE" >"$TMP/run.json" 2>"$TMP/run.log" ||
	{ cat "$TMP/run.log" >&2; exit 1; }
for n in $MEMS; do
	echo "conn: memory with $n connections" >&2
	timeout 600 "$BIN" --tests mem --mem-conns "$n" --conn-buckets 0 --mode "$MODE" \
		--hugepages "$HUGE" >"$TMP/mem_$n.json" 2>"$TMP/mem_$n.log" ||
		{ cat "$TMP/mem_$n.log" >&2; exit 1; }
done

python3 - "$TMP" "$OUT/conn.json" $MEMS <<'EOF'
import json, statistics, sys
tmp, out, mems = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
run = json.load(open(f"{tmp}/run.json"))

def summary(wins, key):
    v = [w[key] for w in wins]
    if not v:
        return None
    med = statistics.median(v)
    return {"median": med, "min": min(v), "max": max(v),
            "spread_pct": round(100.0 * (max(v) - min(v)) / med, 1) if med else 0.0, "n": len(v)}

res = {"tool": "scripts/bench/conn.sh", "mode": run["mode"], "rs": run["rs"], "laddrs": run["laddrs"],
       "flows": run["flows"], "tsc_hz": run["tsc_hz"], "raw": run}
# Headline figures leave out iterations the OS preempted (> 1 ms, "clean");
# the all-in figures (every iteration's TSC) are kept beside them.
res["io_cycles_per_pkt"] = summary(run["io"], "clean_cycles_per")
res["new_conns_per_sec"] = summary(run["new"], "clean_per_sec")
res["new_cycles_per_conn"] = summary(run["new"], "clean_cycles_per")
res["est_pps"] = summary(run["est"], "clean_per_sec")
res["est_cycles_per_pkt"] = summary(run["est"], "clean_cycles_per")
res["all_in"] = {k: summary(run[t], f) for k, t, f in (
    ("new_conns_per_sec", "new", "per_sec"), ("est_pps", "est", "per_sec"),
    ("est_cycles_per_pkt", "est", "cycles_per"), ("io_cycles_per_pkt", "io", "cycles_per"))}
res["preempted_iterations"] = sum(w["preempted"] for t in ("io", "new", "est") for w in run[t])
io, est = res["io_cycles_per_pkt"], res["est_cycles_per_pkt"]
res["est_cycles_ratio_to_io"] = round(est["median"] / io["median"], 1) if io and est and io["median"] else None
res["mem"] = {}
for n in mems:
    m = json.load(open(f"{tmp}/mem_{n}.json"))["mem"]
    res["mem"][str(n)] = m
targets = []
def target(name, value, ok, want):
    targets.append({"name": name, "goal": want, "value": value, "met": bool(ok)})
nc = res["new_conns_per_sec"]["median"]
target("new conns/s per worker", round(nc), nc >= 250000, ">= 250000")
for n, m in res["mem"].items():
    target(f"bytes/conn at {int(n)//1000000}M (RSS)", m["rss_bytes_per_conn"],
           m["rss_bytes_per_conn"] <= 160 and m["failed"] == 0, "<= 160")
    if int(n) >= 10000000:
        gib = (m["rss_after"] - m["rss_before"]) / 2**30
        target(f"{int(n)//1000000}M conns memory (GiB)", round(gib, 2), gib < 2 and m["failed"] == 0, "< 2")
res["targets"] = targets
json.dump(res, open(out, "w"), indent=1)

print(f"Connections (in process, {res['mode']}, 1 worker, {res['rs']} servers, {res['laddrs']} laddrs); "
      "medians of windows, spread = (max-min)/median;\n  worker time without the "
      f"{res['preempted_iterations']} preempted iterations (all-in: new "
      f"{res['all_in']['new_conns_per_sec']['median']:.0f}/s, est {res['all_in']['est_cycles_per_pkt']['median']:.0f} cycles/pkt)")
print(f"  {'io baseline cycles/pkt':34s} {io['median']:>12.1f}  spread {io['spread_pct']}%")
print(f"  {'established cycles/pkt':34s} {est['median']:>12.1f}  spread {est['spread_pct']}%  "
      f"({res['est_cycles_ratio_to_io']}x io)")
print(f"  {'established pps (worker time)':34s} {res['est_pps']['median']:>12.0f}  spread {res['est_pps']['spread_pct']}%")
print(f"  {'new conns/s (worker time)':34s} {nc:>12.0f}  spread {res['new_conns_per_sec']['spread_pct']}%")
print(f"  {'cycles/new conn':34s} {res['new_cycles_per_conn']['median']:>12.1f}")
for n, m in res["mem"].items():
    print(f"  {'RSS bytes/conn at ' + n:34s} {m['rss_bytes_per_conn']:>12.1f}  (table {m['table_bytes_per_conn']} B/conn, "
          f"fill {m['fill_per_sec']:.0f} conns/s, failed {m['failed']})")
print(f"  {'target':34s} {'want':>12s} {'value':>12s}  met")
for t in targets:
    print(f"  {t['name']:34s} {t['goal']:>12s} {t['value']:>12}  {'met' if t['met'] else 'NOT met'}")
print(f"  results: {out}")
EOF
