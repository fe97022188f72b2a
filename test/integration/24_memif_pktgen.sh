#!/bin/bash
# 24_memif_pktgen.sh - dpvsd forwards over net_memif what dpvs-pktgen sends,
# without drop or misforward: the datapath benchmark's set-up
# (scripts/bench/datapath.sh) run for 1 s per case, then its results checked.
# Cases: UDP FNAT, UDP DR, TCP FNAT (SYN first, then ACKs) with 1 worker, and
# UDP FNAT with 2 workers (2 memif queues, flows steered to their owner).
# Checks per case: every flow made a conn (conn_new = flows, TCP: TOA on SYN
# and first ACK) and its priming packet came through, received packets checked by the generator (destination =
# real server for FNAT, VIP for DR; IP and L4 checksums) all good, >= 90%
# delivered, nothing redirected between workers with steering, and nothing
# left running or mapped afterwards.  Throughput is not judged here (that is
# `make bench`).
source "$(dirname "$0")/lib.sh"

[ -x "$BUILD/dpvs-pktgen" ] || make -C "$ROOT" -s "BUILD=$BUILD" "$BUILD/dpvs-pktgen" >/dev/null ||
	fail "cannot build $BUILD/dpvs-pktgen"
need_cmd python3

FLOWS=512
# This run's EAL prefix, so the leftover check below sees only our own
# generator, never one of a benchmark running at the same time (pgrep on the
# binary path alone matched those: "generator left running" under load).
PFX="t24${TAG}"
BENCH_PFX=$PFX BENCH_OUT="$T/results" BENCH_REPS=1 BENCH_WINDOW=1 BENCH_FLOWS=$FLOWS BENCH_PAUSE_LOOPS=64 \
	BENCH_CASES="fnat_udp_1w dr_udp_1w fnat_tcp_1w fnat_udp_2w" BUILD="$BUILD" \
	timeout 180 bash "$ROOT/scripts/bench/datapath.sh" >"$T/bench.log" 2>&1 ||
	{ cat "$T/bench.log"; fail "datapath.sh failed"; }

python3 - "$T/results/datapath.json" "$FLOWS" >"$T/check.log" 2>&1 <<'EOF' ||
import json, sys
d, flows = json.load(open(sys.argv[1])), int(sys.argv[2])
bad = []
for r in d["runs"]:
    c, g, ip = r["case"], r["gen"], (r.get("dpvsd_ipvs") or {})
    tot = lambda grp, k: ((ip.get(grp) or {}).get(k) or {}).get("total")
    if tot("ipvs", "conn_new") != flows:
        bad.append(f"{c}: conn_new {tot('ipvs', 'conn_new')} != {flows} flows")
    if c.startswith("fnat_tcp") and tot("xmit", "toa_added") != 2 * flows:
        bad.append(f"{c}: toa_added {tot('xmit', 'toa_added')} != {2 * flows}")
    if g["prime_rx"] != flows:
        bad.append(f"{c}: {g['prime_rx']} of {flows} priming packets came through")
    if g["rx_checked"] < 1000 or g["rx_bad"]:
        bad.append(f"{c}: {g['rx_bad']} bad of {g['rx_checked']} checked packets")
    if not g["tx_pkts"] or g["rx_pkts"] < 0.9 * g["tx_pkts"]:
        bad.append(f"{c}: delivered {g['rx_pkts']} of {g['tx_pkts']}")
    if tot("ipvs", "redirected"):
        bad.append(f"{c}: {tot('ipvs', 'redirected')} packets redirected between workers")
    if tot("ipvs", "malformed") or tot("xmit", "out_err"):
        bad.append(f"{c}: malformed/out_err counted")
    print(f"{c}: conn_new={tot('ipvs', 'conn_new')} checked={g['rx_checked']} "
          f"bad={g['rx_bad']} delivered={g['rx_pkts']}/{g['tx_pkts']}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	{ cat "$T/check.log"; fail "datapath results"; }
cat "$T/check.log"

# datapath.sh reaps every process it started (stop_pid waits) before it
# exits; allow 5 s more for a process the kernel is still tearing down on a
# loaded machine, then fail if one of ours (generator, testpmd) is there.
ours() { pgrep -f -- "file-prefix ${PFX}[gd]( |$)" || true; }
if ! wait_for 5 '[ -z "$(ours)" ]'; then
	fail "generator left running: $(ours | tr '\n' ' ')"
fi
[ ! -e "/var/run/dpdk/${PFX}g" ] && [ ! -e "/var/run/dpdk/${PFX}d" ] ||
	fail "EAL runtime dir of ${PFX} left behind"
exit 0
