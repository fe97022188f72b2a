#!/bin/bash
# scripts/bench/datapath.sh - part 1 of `make bench`: packets through dpvsd
# over net_memif, beside dpdk-testpmd io-forwarding on the same set-up (the
# I/O ceiling), measured in the same run and reported as ratios.
#
#   dpvs-pktgen port A --memif--> DUT port 0 ... DUT port 1 --memif--> pktgen port B
#
# DUT = dpdk-testpmd (io forwarding, 1 core: "ceiling"), or dpvsd with 1 and
# 2 fwd_workers on: UDP FNAT, UDP DR and TCP FNAT flows that are already in
# the connection table (the generator first sends each flow once -- a SYN
# for TCP -- then measures ACK segments / datagrams of the same flows).
# The DUT is the memif server (it must exist before the client), the
# generator the client; every run starts both afresh (memif cannot
# reconnect).  Runs are interleaved (rep 1 of every case, then rep 2, ...)
# so that noise from a shared machine hits the ceiling and dpvsd alike.
#
# Environment (all optional):
#   BENCH_QUICK=1       2 s windows, 1 repetition (development)
#   BENCH_REPS=N        repetitions (default 3)      BENCH_WINDOW=S (default 10)
#   BENCH_FLOWS=N       flows (default 4096)         BENCH_SIZE=N frame bytes (64)
#   BENCH_CASES="..."   subset of: ceiling fnat_udp_1w dr_udp_1w fnat_tcp_1w
#                       fnat_udp_2w dr_udp_2w fnat_tcp_2w
#   BENCH_GEN_CPU=N     generator CPU (default 0); also the DUT's control lcore
#   BENCH_DUT_CPUS="a b" CPUs of the DUT's forwarding lcores (default: 1, and
#                       for 2 workers "1 2" when there are 3+ CPUs, else "1 1")
#   BUILD=dir           build directory (default build)
#   BENCH_OUT=dir       results directory (default bench-results)
#   BENCH_KEEP=1        keep the run directory (logs, configs) and say where
#   BENCH_PAUSE_LOOPS=N dpvsd idle pause_loops (default 20000: workers spin
#                       rather than sleep when the generator stalls briefly)
#   BENCH_PFX=name      EAL file prefix stem (default b1dp<pid>): the generator
#                       runs as <name>g, the DUT as <name>d, so a caller can
#                       find exactly this run's processes
#   BENCH_HUGEPAGES=N   reserve N 2 MB hugepages for the run (e.g. 1024) and
#                       run every process on them (--in-memory); the previous
#                       nr_hugepages is restored on exit.  Default 0.
# Memory: by default every process runs with --no-huge and a sized -m (like
# dpvsd's default), so the run changes nothing machine-wide (other users of
# a shared machine may rely on the hugepage pool: a dpvsd with hugepages =
# "auto" starting meanwhile would take them) and the ceiling and dpvsd see
# the same memory.  On a machine of its own, BENCH_HUGEPAGES=1024 gives the
# production set-up (dpvsd's 64 MB route table and pools on 2 MB pages).
# Writes $BENCH_OUT/datapath.json and prints a table.  Exit 0 when every
# case ran (whether the target is met or not), 1 on a failed run.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUTDIR=${BENCH_OUT:-$ROOT/bench-results}
PKTGEN=$BUILD/dpvs-pktgen DPVSD=$BUILD/dpvsd DPIP=$BUILD/dpip IPVSADM=$BUILD/ipvsadm
TESTPMD=${TESTPMD:-$(command -v dpdk-testpmd || true)}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	REPS=${BENCH_REPS:-1} WINDOW=${BENCH_WINDOW:-2} WARMUP=0.5
else
	REPS=${BENCH_REPS:-3} WINDOW=${BENCH_WINDOW:-10} WARMUP=1
fi
FLOWS=${BENCH_FLOWS:-4096}
SIZE=${BENCH_SIZE:-64}
CASES=${BENCH_CASES:-ceiling fnat_udp_1w dr_udp_1w fnat_tcp_1w fnat_udp_2w dr_udp_2w fnat_tcp_2w}
NCPU=$(nproc)
HUGE=${BENCH_HUGEPAGES:-0}
if [ "$HUGE" -gt 0 ]; then
	EAL_MEM=(--in-memory -m 512) DPVSD_HUGE=yes
else
	EAL_MEM=(--no-huge -m 512) DPVSD_HUGE=no
fi
HUGE_OLD=
# dpvsd's idle policy is global: "sleep" keeps its master (which shares the
# generator's CPU) quiet; many pause loops keep a worker from sleeping when
# the generator is briefly descheduled.
PAUSE_LOOPS=${BENCH_PAUSE_LOOPS:-20000}
GEN_CPU=${BENCH_GEN_CPU:-0}
if [ -n "${BENCH_DUT_CPUS:-}" ]; then
	read -r -a DUT_CPUS <<<"$BENCH_DUT_CPUS"
elif [ "$NCPU" -ge 3 ]; then
	DUT_CPUS=(1 2)
else
	DUT_CPUS=(1 1)
fi
[ "${#DUT_CPUS[@]}" -ge 2 ] || DUT_CPUS+=("${DUT_CPUS[0]}")

# Addresses: clients 10.0.1.x on dpdk0's 10.0.0.0/16, the real server and
# the FNAT local addresses on dpdk1's 10.1.0.0/16.
VIP=10.0.0.100 RS=10.1.0.10 LADDRS=(10.1.0.2 10.1.0.3 10.1.0.4 10.1.0.5)
MAC_GA=02:00:00:00:0a:01 MAC_DA=02:00:00:00:0a:02	# generator A, DUT port 0
MAC_GB=02:00:00:00:0b:01 MAC_DB=02:00:00:00:0b:02	# generator B, DUT port 1
PORT_FNAT_UDP=9000 PORT_DR_UDP=9001 PORT_FNAT_TCP=9002
OWNER_SEED=0x1e5b9c7d	# src/ipvs/ipvs_pkt.c IPVS_OWNER_SEED (owner worker hash)

D=$(mktemp -d /tmp/dpvs-bench-dp.XXXXXX)
# EAL file prefixes: ${PFX}g (generator), ${PFX}d (DUT).  BENCH_PFX lets a caller
# (test 24) find exactly this run's processes among others' concurrent runs.
PFX="${BENCH_PFX:-b1dp$$}"
DUT_PID= GEN_PID=

die() { echo "datapath: $*" >&2; exit 1; }

alive() {	# pid: exists and is not a zombie
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

stop_pid() {	# pid: TERM its process group, wait 5 s, then KILL it
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
	if alive "$pid"; then
		echo "datapath: pid $pid ignored SIGTERM, killing it" >&2
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	stop_pid "$GEN_PID"
	stop_pid "$DUT_PID"
	GEN_PID= DUT_PID=
	rm -rf "/var/run/dpdk/${PFX}g" "/var/run/dpdk/${PFX}d"
	rm -f "$D"/*.sock
	[ -n "$HUGE_OLD" ] && echo "$HUGE_OLD" >/proc/sys/vm/nr_hugepages
	HUGE_OLD=
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "datapath: logs kept in $D" >&2; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

memif() {	# index role socket mac
	echo "net_memif$1,role=$2,socket=$D/$3.sock,socket-abstract=no,mac=$4"
}

# ---- the generator -------------------------------------------------------
# start_gen CASE REP PROTO DPORT QUEUES_TX QUEUES_RX STEER EXPECT_DST: in the background
# (GEN_PID); its result goes to $D/gen-CASE-REP.json.  It then holds the
# links up (so the DUT's counters survive) until finish_gen stops it.
start_gen() {
	local name=$1 proto=$3 dport=$4 txq=$5 rxq=$6 steer=$7 expect=$8 out="$D/gen-$1-$2.json"
	local args=(--proto "$proto" --flows "$FLOWS" --size "$SIZE" --dst-mac "$MAC_DA"
		    --dst-ip "$VIP" --dst-port "$dport" --duration "$WINDOW" --warmup "$WARMUP"
		    --prime --txq "$txq" --rxq "$rxq" --out "$out" --hold 30)
	[ -n "$steer" ] && args+=(--steer-seed "$steer")
	[ -n "$expect" ] && args+=(--expect-dst "$expect")
	rm -f "$out"
	setsid "$PKTGEN" --no-pci "${EAL_MEM[@]}" \
		--file-prefix "${PFX}g" --lcores "0@$GEN_CPU" --log-level=lib.eal:notice \
		--vdev="$(memif 0 client a "$MAC_GA")" --vdev="$(memif 1 client b "$MAC_GB")" \
		-- "${args[@]}" >"$D/gen-$name-$2.log" 2>&1 </dev/null &
	GEN_PID=$!
}

wait_gen() {	# CASE REP: the result file appeared (0), or the generator died / hung
	local out="$D/gen-$1-$2.json" limit i
	limit=$(( (${WINDOW%.*} + 40) * 10 ))
	for ((i = 0; i < limit; i++)); do
		[ -s "$out" ] && return 0
		alive "$GEN_PID" || break
		sleep 0.1
	done
	[ -s "$out" ] && return 0
	cat "$D/gen-$1-$2.log" >&2
	return 1
}

wait_gen_line() {	# CASE REP TEXT: the generator printed TEXT (0), or died / hung
	local i limit=$(( (${WINDOW%.*} + 40) * 10 ))
	for ((i = 0; i < limit; i++)); do
		grep -q "$3" "$D/gen-$1-$2.log" 2>/dev/null && return 0
		alive "$GEN_PID" || break
		sleep 0.1
	done
	cat "$D/gen-$1-$2.log" >&2
	return 1
}

finish_gen() {
	stop_pid "$GEN_PID"
	GEN_PID=
}

wait_log() {	# file text: the DUT printed text, or died / 20 s passed
	local i
	for i in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		alive "$DUT_PID" || return 1
		sleep 0.1
	done
	return 1
}

# ---- the ceiling: dpdk-testpmd io forwarding, one forwarding core --------
run_ceiling() {	# rep
	[ -n "$TESTPMD" ] || die "dpdk-testpmd not found (apt-get install dpdk)"
	rm -f "$D"/*.sock
	setsid "$TESTPMD" --no-pci "${EAL_MEM[@]}" --file-prefix "${PFX}d" \
		--lcores "0@$GEN_CPU,1@${DUT_CPUS[0]}" --main-lcore 0 --log-level=lib.eal:notice \
		--vdev="$(memif 0 server a "$MAC_DA")" --vdev="$(memif 1 server b "$MAC_DB")" \
		-- --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 --total-num-mbufs=32768 \
		--stats-period=5 --record-core-cycles >"$D/testpmd-$1.log" 2>&1 </dev/null &
	DUT_PID=$!
	# the sockets exist at probe, the ports only once testpmd forwards
	wait_log "$D/testpmd-$1.log" "start packet forwarding" ||
		{ cat "$D/testpmd-$1.log" >&2; die "testpmd did not start"; }
	start_gen ceiling "$1" udp "$PORT_FNAT_UDP" 1 1 "" "$VIP"
	wait_gen ceiling "$1" || die "generator failed (ceiling)"
	stop_pid "$DUT_PID"	# before the generator: memif resets counters on disconnect
	DUT_PID=
	finish_gen
	# busy cycles per packet, printed by testpmd when it stops (--record-core-cycles)
	local cpp
	cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$D/testpmd-$1.log" | tail -1)
	echo "{\"case\":\"ceiling\",\"rep\":$1,\"workers\":1,\"cpus\":1,\"busy_cycles_per_pkt\":${cpp:-null},\"gen\":$(cat "$D/gen-ceiling-$1.json")}" \
		>>"$D/runs.jsonl"
}

# ---- dpvsd ----------------------------------------------------------------
dpvsd_conf() {	# workers -> config file path
	local n=$1 f="$D/dpvsd-$1w.conf" i lc="" la=""
	for ((i = 0; i < n; i++)); do
		lc+=", { id = $((i + 1)); role = \"fwd_worker\"; cpu = ${DUT_CPUS[$i]}; }"
	done
	for i in "${LADDRS[@]}"; do la+=", { dev = \"dpdk1\"; addr = \"$i/16\"; }"; done
	cat >"$f" <<EOF
global = { log_level = "notice"; pid_file = "$D/dpvsd.pid"; ctl_socket = "$D/dpvsd.sock";
	   idle = { mode = "sleep"; pause_loops = $PAUSE_LOOPS; }; };
eal = { file_prefix = "${PFX}d"; hugepages = "$DPVSD_HUGE"; extra_args = [ "--log-level=lib.eal:notice" ]; };
lcores = ( { id = 0; role = "master"; cpu = $GEN_CPU; }$lc );
netif = {
	pool = { mbufs = 32767; };
	ports = (
		{ name = "dpdk0"; vdev = "$(memif 0 server a "$MAC_DA")"; },
		{ name = "dpdk1"; vdev = "$(memif 1 server b "$MAC_DB")"; }
	);
};
inet = {
	addresses = ( { dev = "dpdk0"; addr = "10.0.0.1/16"; }$la );
	neighbours = ( { dev = "dpdk1"; addr = "$RS"; lladdr = "$MAC_GB"; } );
};
EOF
	echo "$f"
}

ipvs_setup() {
	local l
	"$IPVSADM" -A -u "$VIP:$PORT_FNAT_UDP" -s rr &&
	"$IPVSADM" -a -u "$VIP:$PORT_FNAT_UDP" -r "$RS:$PORT_FNAT_UDP" -b &&
	"$IPVSADM" -A -t "$VIP:$PORT_FNAT_TCP" -s rr &&
	"$IPVSADM" -a -t "$VIP:$PORT_FNAT_TCP" -r "$RS:$PORT_FNAT_TCP" -b &&
	"$IPVSADM" -A -u "$VIP:$PORT_DR_UDP" -s rr &&
	"$IPVSADM" -a -u "$VIP:$PORT_DR_UDP" -r "$RS:$PORT_DR_UDP" -g || return 1
	for l in "${LADDRS[@]}"; do
		"$IPVSADM" -P -u "$VIP:$PORT_FNAT_UDP" -z "$l" -F dpdk1 &&
		"$IPVSADM" -P -t "$VIP:$PORT_FNAT_TCP" -z "$l" -F dpdk1 || return 1
	done
}

start_dpvsd() {	# workers rep
	local conf i
	conf=$(dpvsd_conf "$1")
	rm -f "$D"/*.sock
	export DPVSD_SOCK="$D/dpvsd.sock"
	setsid "$DPVSD" -c "$conf" >"$D/dpvsd-$1w-$2.log" 2>&1 </dev/null &
	DUT_PID=$!
	for i in $(seq 200); do
		"$DPIP" lcore show >/dev/null 2>&1 && break
		alive "$DUT_PID" || break
		sleep 0.1
	done
	"$DPIP" lcore show >/dev/null 2>&1 || { cat "$D/dpvsd-$1w-$2.log" >&2; die "dpvsd did not start"; }
	ipvs_setup || die "ipvsadm set-up failed"
}

run_dpvsd() {	# case rep
	local c=$1 rep=$2 mode proto w dport steer=""
	IFS=_ read -r mode proto w <<<"$c"
	w=${w%w}
	case "$mode/$proto" in
	fnat/udp) dport=$PORT_FNAT_UDP ;; dr/udp) dport=$PORT_DR_UDP ;;
	fnat/tcp) dport=$PORT_FNAT_TCP ;; *) die "unknown case $c" ;;
	esac
	[ "$w" -gt 1 ] && steer=$OWNER_SEED
	start_dpvsd "$w" "$rep"
	# dpvsd: rx queues = workers, tx queues = workers + 1 (control lcores)
	# FNAT rewrites the destination to the real server; DR keeps the VIP
	local expect=$RS
	[ "$mode" = dr ] && expect=$VIP
	start_gen "$c" "$rep" "$proto" "$dport" "$w" $((w + 1)) "$steer" "$expect"
	# dpvsd's loop and job counters over the window: from the generator's
	# "window" line (the window starts) to its result
	wait_gen_line "$c" "$rep" '"phase":"window"' || die "generator failed ($c)"
	"$DPIP" -j lcore show >"$D/lcore-$c-$rep.before" || die "dpip lcore show"
	local t0 t1
	t0=$(date +%s.%N)
	wait_gen "$c" "$rep" || die "generator failed ($c)"
	"$DPIP" -j lcore show >"$D/lcore-$c-$rep.after" || die "dpip lcore show"
	t1=$(date +%s.%N)
	"$DPIP" -j stats >"$D/stats-$c-$rep.json" 2>&1 || echo null >"$D/stats-$c-$rep.json"
	"$DPIP" -j ipvs stats >"$D/ipvs-$c-$rep.json" 2>&1 || echo null >"$D/ipvs-$c-$rep.json"
	stop_pid "$DUT_PID"
	DUT_PID=
	finish_gen
	local cpus
	cpus=$(printf '%s\n' "${DUT_CPUS[@]:0:$w}" | sort -u | wc -l)
	python3 - "$D" "$c" "$rep" "$w" "$cpus" "$t0" "$t1" >>"$D/runs.jsonl" <<'EOF'
import json, re, sys
d, c, rep, w, cpus = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
span_us = (float(sys.argv[7]) - float(sys.argv[6])) * 1e6
def jobs(path):
    cyc = work = 0
    per = {}
    for l in json.load(open(path))["lcores"]:
        if l["role"] != "fwd_worker":
            continue
        for j in l["jobs"]:
            cyc += j["cycles"]
            per[j["name"]] = per.get(j["name"], 0) + j["cycles"]
            if j["name"] == "recv_fwd":
                work += j["work"]
    return cyc, work, per
b, a = jobs(f"{d}/lcore-{c}-{rep}.before"), jobs(f"{d}/lcore-{c}-{rep}.after")
def loops(path):
    return {l["lcore"]: l for l in json.load(open(path))["lcores"]}
lb, la = loops(f"{d}/lcore-{c}-{rep}.before"), loops(f"{d}/lcore-{c}-{rep}.after")
idle = {str(k): {f: la[k][f] - lb[k].get(f, 0) for f in ("loops", "idle_loops", "sleeps", "sleep_us")}
        | {"role": la[k]["role"]} for k in la if k in lb}
log = open(f"{d}/dpvsd-{w}w-{rep}.log", errors="replace").read()
redir = sum(int(x) for x in re.findall(r"(\d+) redirected", log))
rec = {"case": c, "rep": rep, "workers": w, "cpus": cpus,
       "gen": json.load(open(f"{d}/gen-{c}-{rep}.json")),
       "job_cycles": a[0] - b[0], "job_pkts": a[1] - b[1], "redirected": redir,
       "lcore_loops": idle, "span_us": span_us,
       "job_cycles_per_pkt": {k: round((v - b[2].get(k, 0)) / max(a[1] - b[1], 1), 1)
                              for k, v in a[2].items()}}
for k in ("stats", "ipvs"):
    try:
        rec["dpvsd_" + k] = json.load(open(f"{d}/{k}-{c}-{rep}.json"))
    except Exception:
        rec["dpvsd_" + k] = None
print(json.dumps(rec))
EOF
}

# ---- main -----------------------------------------------------------------
for b in "$PKTGEN" "$DPVSD" "$DPIP" "$IPVSADM"; do
	[ -x "$b" ] || die "$b not built (run: make all $BUILD/dpvs-pktgen)"
done
[ "$(id -u)" = 0 ] || die "needs root (DPDK)"
mkdir -p "$OUTDIR"
if [ "$HUGE" -gt 0 ]; then
	HUGE_OLD=$(cat /proc/sys/vm/nr_hugepages)
	[ "$HUGE_OLD" -ge "$HUGE" ] && HUGE_OLD=	# enough already: leave it alone
	[ -n "$HUGE_OLD" ] && echo "$HUGE" >/proc/sys/vm/nr_hugepages
	[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge "$HUGE" ] ||
		die "could not reserve $HUGE hugepages"
fi
echo "datapath: $REPS x ${WINDOW}s windows, $FLOWS flows, ${SIZE}-byte frames;" \
     "generator on CPU $GEN_CPU, DUT on CPU(s) ${DUT_CPUS[*]} ($NCPU CPUs)"
for ((rep = 1; rep <= REPS; rep++)); do
	for c in $CASES; do
		echo "datapath: rep $rep/$REPS: $c" >&2
		if [ "$c" = ceiling ]; then run_ceiling "$rep"; else run_dpvsd "$c" "$rep"; fi
	done
done

python3 "$ROOT/scripts/bench/datapath_report.py" "$D/runs.jsonl" "$OUTDIR/datapath.json" \
	"$WINDOW" "$REPS" "$FLOWS" "$SIZE" "$GEN_CPU" "${DUT_CPUS[*]}" "$NCPU" "${EAL_MEM[*]}"
