#!/bin/bash
# scripts/bench/e2e.sh - part 3 of `make bench`: end to end on the namespace
# lab (scripts/lab.sh).  Owns the end-to-end measurements: HTTP requests/s
# with wrk (a new connection per request, and keep-alive) and iperf3 TCP
# throughput, through
#   kernel   the kernel's own ip_forward in a router namespace (routing only:
#            the client talks to one server directly),
#   nft      an nftables DNAT load balancer in the same router namespace
#            (`numgen inc mod N`, like kube-proxy; conntrack does the return),
#   xdp      dpvsd (NAT or FNAT, rr) on net_af_xdp ports on the same veths,
#   packet   dpvsd on net_af_packet ports on the same veths,
# with the generator (wrk, iperf3) and the endpoints (nginx, iperf3 -s) on
# one CPU and the device under test on the other, and the CPU each used.
# Writes bench-results/e2e.json and prints a table; ratios are against the
# kernel baselines measured in the same run (the machine may be shared).
#
# Usage (root):  bash scripts/bench/e2e.sh
# Environment:
#   BENCH_QUICK=1        2 s windows, 1 repetition (default 10 s x 3)
#   BENCH_WINDOW=S       seconds per window (overrides; alias BENCH_DURATION)
#   BENCH_REPS=N         repetitions, median and spread (alias BENCH_REPEAT)
#   BENCH_GEN_CPU=0      CPU of the generator and the endpoints
#   BENCH_DUT_CPU=1      CPU of the device under test (dpvsd lcores, router
#                        softirq); the first of BENCH_DUT_CPUS if that is set
#   BENCH_OUT=DIR        where e2e.json goes (default <repo>/bench-results)
#   E2E_PATHS="kernel nft xdp packet"   which paths, in this order
#   E2E_MODE=nat|fnat    dpvsd forwarding mode (default nat, like nft DNAT)
#   E2E_SERVERS=3        nginx real servers (2..3 recommended)
#   E2E_CONNS=32         wrk connections (one wrk thread)
#   E2E_PACKET_ARGS=framecnt=4096   extra net_af_packet devargs: its ring (the
#                        PMD's default is 512 frames, which overflows while the
#                        worker is descheduled; dpvsd now sizes it from rx_desc,
#                        1024 by default, so 4096 here keeps the earlier runs'
#                        set-up)
#   E2E_XDP_ARGS=..      extra net_af_xdp devargs
#   E2E_NAPI_PRIO=50     SCHED_FIFO priority of the af_xdp veths' NAPI threads
#   E2E_WORKER_NICE=0    nice of dpvsd's worker thread (e.g. -10 on a shared
#                        machine, so other users' processes do not starve it)
#   KEEP=1               keep the work directory (configs, logs, raw figures)
#
# Topology: lab.sh's client, switch and server namespaces; the two veths that
# lab.sh leaves in the default namespace (<P>c0, <P>s0) are moved into a
# router namespace <P>-rt, where either the kernel forwards (addresses
# 10.77.1.1 / 10.77.2.1 on them, ip_forward=1) or dpvsd runs (`ip netns exec`,
# the kernel in that namespace then has no address and no forwarding), so
# every path crosses the same veths.  Softirq pinning: RPS sends what the
# router's veths receive to BENCH_DUT_CPU and what every other veth receives
# to BENCH_GEN_CPU; with af_xdp the veth's XDP runs in NAPI, made threaded
# and pinned to BENCH_DUT_CPU.  Everything made here (namespaces, dpvsd,
# nginx, iperf3, files) is removed on any exit.  Traffic stays inside the
# namespaces made here.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DPVSD=$BUILD/dpvsd
DPIP=$BUILD/dpip
IPVSADM=$BUILD/ipvsadm
LAB=$ROOT/scripts/lab.sh
HERE=$ROOT/scripts/bench

if [ "${BENCH_QUICK:-0}" = 1 ]; then DUR=2; REPS=1; else DUR=10; REPS=3; fi
DUR=${BENCH_WINDOW:-${BENCH_DURATION:-$DUR}}
REPS=${BENCH_REPS:-${BENCH_REPEAT:-$REPS}}
GEN_CPU=${BENCH_GEN_CPU:-0}
DUT_CPU=${BENCH_DUT_CPU:-1}
[ -n "${BENCH_DUT_CPUS:-}" ] && DUT_CPU=${BENCH_DUT_CPUS%% *}
OUT_DIR=${BENCH_OUT:-${BENCH_OUT_DIR:-$ROOT/bench-results}}
PATHS=${E2E_PATHS:-kernel nft xdp packet}
MODE=${E2E_MODE:-nat}
SERVERS=${E2E_SERVERS:-3}
CONNS=${E2E_CONNS:-32}
NAPI_PRIO=${E2E_NAPI_PRIO:-50}
WORKER_NICE=${E2E_WORKER_NICE:-0}
PACKET_ARGS=${E2E_PACKET_ARGS-framecnt=4096}
CUR_REP=0
DLOG=

P=be$(( $$ % 100000 ))
NS_RT=$P-rt
VIP=10.77.100.1
LADDR=10.77.2.100
W=$(mktemp -d /tmp/dpvsd-e2e.XXXXXX)
RAW=$W/raw.tsv
export DPVSD_SOCK=$W/dpvsd.sock
DPVSD_PID=
BG_PIDS=()
FAILED=0

log() { printf 'e2e: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---- process hygiene ----

pid_alive() {
	[ -n "$1" ] && [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

dpvsd_stop() {
	local i
	pid_alive "$DPVSD_PID" || { DPVSD_PID=; return 0; }
	kill -TERM "$DPVSD_PID" 2>/dev/null
	for i in $(seq 100); do pid_alive "$DPVSD_PID" || break; sleep 0.1; done
	if pid_alive "$DPVSD_PID"; then
		log "dpvsd $DPVSD_PID did not stop on SIGTERM, killing it"
		kill -KILL "$DPVSD_PID" 2>/dev/null
		sleep 0.2
	fi
	wait "$DPVSD_PID" 2>/dev/null
	DPVSD_PID=
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	dpvsd_stop
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	ip netns del "$NS_RT" 2>/dev/null
	bash "$LAB" down --prefix "$P" >/dev/null 2>&1
	rm -rf "/var/run/dpdk/dpvsd-e2e-$$"
	if [ "${KEEP:-0}" = 1 ]; then log "work directory kept: $W"; else rm -rf "$W"; fi
	exit "$rc"
}

# ---- checks ----

check() {
	local c
	[ "$(id -u)" = 0 ] || die "run as root (namespaces, DPDK)"
	for c in ip ethtool taskset chrt wrk iperf3 nginx python3 curl; do
		command -v "$c" >/dev/null 2>&1 || die "$c is missing (bash scripts/deps.sh)"
	done
	for c in "$DPVSD" "$DPIP" "$IPVSADM"; do
		[ -x "$c" ] || die "$c is missing (make -j2)"
	done
	[[ "$PATHS" == *nft* ]] && ! command -v nft >/dev/null 2>&1 &&
		die "nft is missing (bash scripts/deps.sh installs nftables)"
	case "$MODE" in nat|fnat) ;; *) die "E2E_MODE must be nat or fnat" ;; esac
	[ "$GEN_CPU" != "$DUT_CPU" ] || log "warning: generator and device under test share CPU $GEN_CPU"
	[ -d "/sys/devices/system/cpu/cpu$DUT_CPU" ] && [ -d "/sys/devices/system/cpu/cpu$GEN_CPU" ] ||
		die "CPU $GEN_CPU or $DUT_CPU does not exist"
}

# ---- topology ----

ns_sh() {	# ns command... (sh -c inside the namespace, with its own /sys)
	local ns=$1
	shift
	ip netns exec "$ns" sh -c "$*"
}

rps_set() {	# ns dev cpu
	local mask
	mask=$(printf '%x' $((1 << $3)))
	ns_sh "$1" "for q in /sys/class/net/$2/queues/rx-*; do echo $mask > \$q/rps_cpus; done" ||
		log "warning: RPS not set on $2 ($1)"
}

topo_up() {
	local i
	bash "$LAB" up --prefix "$P" --servers "$SERVERS" >"$W/lab.env" || die "lab.sh up failed"
	# shellcheck disable=SC1091
	source "$W/lab.env"
	read -ra RS_NS <<<"$LAB_NS_SERVERS"
	read -ra RS_IP <<<"$LAB_SERVER_IPS"
	ip netns add "$NS_RT" || die "cannot create namespace $NS_RT"
	ip link set "$LAB_IF0" netns "$NS_RT" && ip link set "$LAB_IF1" netns "$NS_RT" ||
		die "cannot move the lab's veths into $NS_RT"
	ns_sh "$NS_RT" "ip link set lo up; sysctl -qw net.ipv6.conf.all.disable_ipv6=1;
		sysctl -qw net.ipv4.conf.all.rp_filter=0; sysctl -qw net.ipv4.conf.default.rp_filter=0"
	for i in "$LAB_IF0" "$LAB_IF1"; do
		ip -n "$NS_RT" link set "$i" up
		ip netns exec "$NS_RT" ethtool -K "$i" tx off rx off tso off gso off gro off >/dev/null 2>&1
		rps_set "$NS_RT" "$i" "$DUT_CPU"
	done
	# every other veth end: softirq on the generator's CPU
	rps_set "$LAB_NS_CLIENT" "${P}c" "$GEN_CPU"
	for i in $(ip -n "$LAB_NS_SWITCH" -o link show type veth | awk -F'[:@ ]+' '{print $2}'); do
		rps_set "$LAB_NS_SWITCH" "$i" "$GEN_CPU"
	done
	for (( i = 0; i < SERVERS; i++ )); do
		rps_set "${RS_NS[$i]}" "${P}r$i" "$GEN_CPU"
		ns_sh "${RS_NS[$i]}" "sysctl -qw net.core.somaxconn=4096; sysctl -qw net.ipv4.tcp_max_syn_backlog=4096"
	done
	ns_sh "$LAB_NS_CLIENT" "sysctl -qw net.ipv4.ip_local_port_range='1024 65535'; sysctl -qw net.ipv4.tcp_tw_reuse=1"
}

# nginx in server i (pinned to the generator's CPU), answering "rsI".
nginx_start() {
	local i=$1 d="$W/ngx$1"
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 80 reuseport backlog=4096;
        location / { return 200 "rs$i\n"; }
    }
}
EOF
	setsid ip netns exec "${RS_NS[$i]}" taskset -c "$GEN_CPU" nginx -c "$d/nginx.conf" -p "$d" \
		</dev/null >"$d/out.log" 2>&1 &
	BG_PIDS+=($!)
}

servers_start() {
	local i n
	for (( i = 0; i < SERVERS; i++ )); do nginx_start "$i"; done
	# iperf3 server on the first real server only (its control and data
	# connections must reach the same server)
	setsid ip netns exec "${RS_NS[0]}" taskset -c "$GEN_CPU" iperf3 -s -p 5201 \
		</dev/null >"$W/iperf3-s.log" 2>&1 &
	BG_PIDS+=($!)
	for (( i = 0; i < SERVERS; i++ )); do
		for n in $(seq 50); do
			ip netns exec "${RS_NS[$i]}" ss -ltn 2>/dev/null | grep -q ':80 ' && break
			sleep 0.1
		done
		ip netns exec "${RS_NS[$i]}" ss -ltn | grep -q ':80 ' ||
			die "nginx in ${RS_NS[$i]} did not start: $(cat "$W/ngx$i/out.log" "$W/ngx$i/error.log" 2>/dev/null)"
	done
	ip netns exec "${RS_NS[0]}" ss -ltn | grep -q ':5201 ' || { sleep 0.5;
		ip netns exec "${RS_NS[0]}" ss -ltn | grep -q ':5201 ' || die "iperf3 -s did not start"; }
}

# ---- the paths ----

router_addrs() {	# add|del
	ip -n "$NS_RT" addr "$1" "$LAB_DPVS_IP0/24" dev "$LAB_IF0" 2>/dev/null
	ip -n "$NS_RT" addr "$1" "$LAB_DPVS_IP1/24" dev "$LAB_IF1" 2>/dev/null
}

kernel_up() {
	router_addrs add
	ns_sh "$NS_RT" "sysctl -qw net.ipv4.ip_forward=1"
	TARGET=${RS_IP[0]}
}

kernel_down() {
	ns_sh "$NS_RT" "sysctl -qw net.ipv4.ip_forward=0"
	router_addrs del
}

nft_up() {
	local i map=""
	kernel_up
	for (( i = 0; i < SERVERS; i++ )); do map="$map${map:+, }$i : ${RS_IP[$i]}"; done
	cat >"$W/lb.nft" <<EOF
table ip e2e_lb {
    chain pre {
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr $VIP tcp dport 80 dnat to numgen inc mod $SERVERS map { $map }
        ip daddr $VIP tcp dport 5201 dnat to ${RS_IP[0]}
    }
}
EOF
	ip netns exec "$NS_RT" nft -f "$W/lb.nft" || { log "nft -f failed"; return 1; }
	TARGET=$VIP
}

nft_down() {
	ip netns exec "$NS_RT" nft delete table ip e2e_lb 2>/dev/null
	kernel_down
}

dpvsd_config() {	# pmd (af_xdp|af_packet)
	local pmd=$1 vargs=
	[ "$pmd" = af_packet ] && vargs=${PACKET_ARGS:+,$PACKET_ARGS}
	[ "$pmd" = af_xdp ] && vargs=${E2E_XDP_ARGS:+,$E2E_XDP_ARGS}
	cat >"$W/dpvsd.conf" <<EOF
# written by scripts/bench/e2e.sh: one fwd_worker on CPU $DUT_CPU, busy poll
global = {
    log_level = "notice";
    pid_file = "$W/dpvsd.pid";
    ctl_socket = "$DPVSD_SOCK";
    idle = { mode = "busy_poll"; };
    # the master shares the DUT CPU: it sleeps when idle, the worker polls
    idle_master = { mode = "sleep"; pause_loops = 0; sleep_min_us = 200; sleep_max_us = 1000; };
};
eal = {
    file_prefix = "dpvsd-e2e-$$";
    extra_args = [ "--log-level=lib.eal:notice" ];
};
lcores = (
    { id = 0; role = "master"; cpu = $DUT_CPU; },
    { id = 1; role = "fwd_worker"; cpu = $DUT_CPU; }
);
netif = {
    ports = (
        { name = "dpdk0"; vdev = "net_${pmd}0,iface=$LAB_IF0$vargs"; },
        { name = "dpdk1"; vdev = "net_${pmd}1,iface=$LAB_IF1$vargs"; }
    );
};
inet = {
    addresses = (
        { dev = "dpdk0"; addr = "$LAB_DPVS_IP0/24"; },
        { dev = "dpdk1"; addr = "$LAB_DPVS_IP1/24"; }
    );
};
EOF
}

# The master lcore shares the DUT CPU with the worker; its own idle policy
# (global.idle_master, sleep) leaves the CPU to the busy-polling worker.
# With af_xdp, the veths' NAPI (where their XDP program runs)
# is made threaded and pinned to the DUT CPU.
dpvsd_pin() {
	local dev t
	if [ "$WORKER_NICE" != 0 ]; then
		# dpvsd runs in its own session, so its own autogroup: the group's
		# nice is what weighs against other sessions' processes
		[ -w "/proc/$DPVSD_PID/autogroup" ] && echo "$WORKER_NICE" >"/proc/$DPVSD_PID/autogroup" 2>/dev/null &&
			log "dpvsd autogroup at nice $WORKER_NICE"
		for t in $(awk '$2 ~ /worker/ {print $1}' /proc/"$DPVSD_PID"/task/*/stat 2>/dev/null); do
			renice -n "$WORKER_NICE" -p "$t" >/dev/null 2>&1 &&
				log "dpvsd worker thread $t at nice $WORKER_NICE"
		done
	fi
	[ "$1" = af_xdp ] || return 0
	for dev in "$LAB_IF0" "$LAB_IF1"; do
		ns_sh "$NS_RT" "echo 1 > /sys/class/net/$dev/threaded" 2>/dev/null ||
			log "note: threaded NAPI not available on $dev (XDP rx runs on the sender's CPU)"
	done
	sleep 0.2
	for t in $(ps -eo pid=,comm= | awk -v a="napi/$LAB_IF0-" -v b="napi/$LAB_IF1-" \
			'index($2, a) == 1 || index($2, b) == 1 {print $1}'); do
		taskset -pc "$DUT_CPU" "$t" >/dev/null 2>&1 &&
			chrt -f -p "$NAPI_PRIO" "$t" >/dev/null 2>&1 &&
			log "NAPI thread $t ($(cat "/proc/$t/comm")) on CPU $DUT_CPU, SCHED_FIFO $NAPI_PRIO"
	done
}

dpvsd_up() {	# pmd
	local pmd=$1 i flag=-m
	dpvsd_config "$pmd"
	"$DPVSD" -t -c "$W/dpvsd.conf" >"$W/dpvsd-t.log" 2>&1 || { cat "$W/dpvsd-t.log" >&2; return 1; }
	DLOG=$W/dpvsd-$pmd-$CUR_REP.log
	setsid ip netns exec "$NS_RT" "$DPVSD" -c "$W/dpvsd.conf" </dev/null >"$DLOG" 2>&1 &
	DPVSD_PID=$!
	for i in $(seq 200); do
		"$DPIP" ctl ping >/dev/null 2>&1 && break
		pid_alive "$DPVSD_PID" || break
		sleep 0.1
	done
	"$DPIP" ctl ping >/dev/null 2>&1 || { log "dpvsd ($pmd) did not start:"; tail -n 20 "$DLOG" >&2; return 1; }
	if [ "$MODE" = fnat ]; then
		flag=-b
		"$DPIP" addr add "$LADDR/24" dev dpdk1 || return 1
	fi
	"$IPVSADM" -A -t "$VIP:80" -s rr || return 1
	for (( i = 0; i < SERVERS; i++ )); do
		"$IPVSADM" -a -t "$VIP:80" -r "${RS_IP[$i]}:80" "$flag" || return 1
	done
	"$IPVSADM" -A -t "$VIP:5201" -s rr || return 1
	"$IPVSADM" -a -t "$VIP:5201" -r "${RS_IP[0]}:5201" "$flag" || return 1
	if [ "$MODE" = fnat ]; then
		"$IPVSADM" -P -t "$VIP:80" -z "$LADDR" -F dpdk1 || return 1
		"$IPVSADM" -P -t "$VIP:5201" -z "$LADDR" -F dpdk1 || return 1
	fi
	dpvsd_pin "$pmd"	# after the control requests: they need the master
	TARGET=$VIP
}

dpvsd_down() {
	"$IPVSADM" -Ln --stats >"$W/ipvs-stats-$1-$CUR_REP.txt" 2>&1
	"$DPIP" -s link show >"$W/link-$1-$CUR_REP.txt" 2>&1
	"$DPIP" stats >"$W/stats-$1-$CUR_REP.txt" 2>&1
	"$DPIP" -v lcore show >"$W/lcore-$1-$CUR_REP.txt" 2>&1
	dpvsd_stop
	ip -n "$NS_RT" link set dev "$LAB_IF0" xdp off 2>/dev/null
	ip -n "$NS_RT" link set dev "$LAB_IF1" xdp off 2>/dev/null
}

path_up() {
	case "$1" in
	kernel) kernel_up ;;
	nft) nft_up ;;
	xdp) dpvsd_up af_xdp ;;
	packet) dpvsd_up af_packet ;;
	*) log "unknown path '$1'"; return 1 ;;
	esac
}

path_down() {
	case "$1" in
	kernel) kernel_down ;;
	nft) nft_down ;;
	xdp) dpvsd_down af_xdp ;;
	packet) dpvsd_down af_packet ;;
	esac
}

# ---- measuring ----

# "<ns since epoch> <cpuGEN fields> <cpuDUT fields> <dpvsd utime+stime ticks>
#  <forwarding worker threads' ticks>", tab separated
snap() {
	local t=0 w=0
	if pid_alive "$DPVSD_PID"; then
		t=$(awk '{print $14 + $15}' "/proc/$DPVSD_PID/stat")
		w=$(cat /proc/"$DPVSD_PID"/task/*/stat 2>/dev/null |
			awk '$2 ~ /worker/ {s += $14 + $15} END {print s + 0}')
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s%N)" \
		"$(awk -v c="cpu$GEN_CPU" '$1 == c {$1 = ""; print}' /proc/stat)" \
		"$(awk -v c="cpu$DUT_CPU" '$1 == c {$1 = ""; print}' /proc/stat)" "$t" "$w"
}

# Some requests until every server answers (ARP, neighbour caches, conn path).
warm_up() {
	local i ok=0
	for i in $(seq 20); do
		ip netns exec "$LAB_NS_CLIENT" curl -s -m 2 -o /dev/null "http://$TARGET/" && ok=$((ok + 1))
		[ "$ok" -ge $((SERVERS * 2)) ] && return 0
	done
	[ "$ok" -gt 0 ]
}

# One window of test $2 on path $1, repetition $3: one line in $RAW.
measure() {
	local path=$1 test=$2 rep=$3 s0 s1 val errs=0 out="$W/$1-$2-$3.out"
	local hdr=()
	s0=$(snap)
	case "$test" in
	wrk_close|wrk_keepalive)
		[ "$test" = wrk_close ] && hdr=(-H "Connection: close")
		ip netns exec "$LAB_NS_CLIENT" timeout $((DUR + 30)) taskset -c "$GEN_CPU" \
			wrk -t 1 -c "$CONNS" -d "${DUR}s" --timeout 2s "${hdr[@]}" "http://$TARGET/" >"$out" 2>&1
		val=$(awk '/^Requests\/sec:/ {print $2}' "$out")
		errs=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}
			/Non-2xx/ {print $NF}' "$out" | awk '{s += $1} END {print s + 0}')
		;;
	iperf3)
		ip netns exec "$LAB_NS_CLIENT" timeout $((DUR + 30)) taskset -c "$GEN_CPU" \
			iperf3 -c "$TARGET" -p 5201 -t "$DUR" -J >"$out" 2>&1
		val=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["end"]["sum_received"]["bits_per_second"] / 1e6)' "$out" 2>/dev/null)
		# the "errors" of iperf3: TCP retransmissions of the sender
		errs=$(python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["end"]["sum_sent"].get("retransmits", 0))' "$out" 2>/dev/null)
		errs=${errs:-0}
		;;
	esac
	s1=$(snap)
	if [ -z "$val" ]; then
		log "$path $test #$rep: no result ($(tail -n 3 "$out" | tr '\n' ' '))"
		val=nan
		FAILED=1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$test" "$rep" "$val" "$errs" \
		"$(echo "$s0" | tr '\t' '|')" "$(echo "$s1" | tr '\t' '|')" >>"$RAW"
	log "$path $test #$rep: $val $([ "$test" = iperf3 ] && echo Mbit/s || echo req/s) (errors $errs)"
}

# One repetition of every test on one path: set it up, warm it up, measure,
# tear it down.  Repetitions go round the paths (rep 1 of every path, then
# rep 2 ...), so a change of load on a shared machine hits every path alike.
run_path() {	# path rep
	local path=$1 rep=$2 test
	CUR_REP=$rep
	log "---- $path (repetition $rep of $REPS)"
	if ! path_up "$path" || ! warm_up; then
		log "$path: set-up failed or http://${TARGET:-?}/ does not answer, skipped"
		FAILED=1
		path_down "$path"
		printf '%s\tsetup\t%s\tnan\t0\t\t\n' "$path" "$rep" >>"$RAW"
		return 0
	fi
	for test in wrk_close wrk_keepalive iperf3; do
		measure "$path" "$test" "$rep"
	done
	path_down "$path"
}

main() {
	local path rep
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	check
	mkdir -p "$OUT_DIR" || die "cannot create $OUT_DIR"
	: >"$RAW"
	log "windows ${DUR}s x $REPS, generator on CPU $GEN_CPU, device under test on CPU $DUT_CPU, paths: $PATHS, dpvsd mode $MODE"
	topo_up
	servers_start
	for (( rep = 1; rep <= REPS; rep++ )); do
		for path in $PATHS; do run_path "$path" "$rep"; done
	done
	python3 "$HERE/e2e_report.py" --raw "$RAW" --out "$OUT_DIR/e2e.json" \
		--duration "$DUR" --repeat "$REPS" --gen-cpu "$GEN_CPU" --dut-cpu "$DUT_CPU" \
		--mode "$MODE" --servers "$SERVERS" --conns "$CONNS" || FAILED=1
	return "$FAILED"
}

main "$@"
