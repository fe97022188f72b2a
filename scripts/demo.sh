#!/bin/bash
# scripts/demo.sh - dpvsd balancing real HTTP traffic, from a fresh clone, as root:
#     sudo bash scripts/demo.sh
#
# Installs the dependencies, builds, then builds a small network of
# namespaces (scripts/lab.sh): a client, dpvsd on two af_packet ports, and
# three nginx real servers that each answer with their own name.  dpvsd
# runs with two forwarding lcores and a virtual service 10.77.100.1:80
# (round robin) declared in its config file's services section (no
# ipvsadm command).  The client curls the VIP in a loop (the answers rotate
# over the servers; the demo says why the order differs from Linux IPVS's
# and shows the even counts per server), then `ipvsadm -Ln --stats` and `ipvsadm -lnc` show the
# counters and connections.  Everything (dpvsd, nginx, namespaces, files)
# is removed on exit, also on Ctrl-C or failure.
#
# Environment:
#   MODE=fnat|nat   forwarding mode (default fnat: full NAT with the PROXY
#                   protocol v2, so each server still names the client)
#   REQUESTS=N      curls in the loop (default 12)
#   SKIP_DEPS=1     do not run scripts/deps.sh
#   JOBS=N          make parallelism (default 2)
#   KEEP=1          keep the demo directory (logs, config) after exit
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
DPVSD="$BUILD/dpvsd"
DPIP="$BUILD/dpip"
IPVSADM="$BUILD/ipvsadm"
LAB="$ROOT/scripts/lab.sh"
MODE=${MODE:-fnat}
REQUESTS=${REQUESTS:-12}
DEMO_DIR=$(mktemp -d /tmp/dpvsd-demo.XXXXXX)
DPVSD_LOG="$DEMO_DIR/dpvsd.log"
DPVSD_PID=
NGINX_PIDS=()
LAB_P=demo
VIP=10.77.100.1
LADDR=10.77.2.100
export DPVSD_SOCK="$DEMO_DIR/dpvsd.sock"

# ---- output helpers ----

step() {
	printf '\n== %s\n' "$*"
}

# Print a command, then run it.
run() {
	printf '$ %s\n' "$*"
	"$@"
}

# ---- process hygiene ----

demo_alive() {
	[ -n "$DPVSD_PID" ] && [ -e "/proc/$DPVSD_PID" ] &&
		[ "$(awk '{print $3}' "/proc/$DPVSD_PID/stat" 2>/dev/null)" != Z ]
}

demo_cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	if demo_alive; then
		kill -TERM "$DPVSD_PID" 2>/dev/null || true
		for i in $(seq 50); do demo_alive || break; sleep 0.1; done
		demo_alive && kill -KILL -- "-$DPVSD_PID" 2>/dev/null || true
	fi
	for pid in "${NGINX_PIDS[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	done
	bash "$LAB" down --prefix "$LAB_P" >/dev/null 2>&1 || true
	if [ "$rc" -ne 0 ] && [ -s "$DPVSD_LOG" ]; then
		echo "---- dpvsd log ----" >&2
		tail -n 40 "$DPVSD_LOG" >&2
	fi
	[ "${KEEP:-0}" = 1 ] && echo "demo files kept in $DEMO_DIR" || rm -rf "$DEMO_DIR"
	rm -rf "/var/run/dpdk/dpvsd-demo-$$"
	exit "$rc"
}

# ---- steps ----

demo_check() {
	if [ "$(id -u)" != 0 ]; then
		echo "demo: run as root (sudo bash scripts/demo.sh): DPDK and namespaces need it" >&2
		exit 1
	fi
	case "$MODE" in fnat|nat) ;; *) echo "demo: MODE must be fnat or nat" >&2; exit 2 ;; esac
}

demo_deps() {
	[ "${SKIP_DEPS:-0}" = 1 ] && return 0
	step "Installing dependencies (scripts/deps.sh)"
	bash "$ROOT/scripts/deps.sh"
}

demo_build() {
	step "Building dpvsd, ipvsadm and dpip (make -j${JOBS:-2})"
	make -C "$ROOT" -j"${JOBS:-2}" all >"$DEMO_DIR/build.log" 2>&1 || {
		tail -n 40 "$DEMO_DIR/build.log" >&2
		echo "demo: build failed" >&2
		return 1
	}
	ls -l "$DPVSD" "$IPVSADM" "$DPIP"
}

demo_lab() {
	step "Building the network: client, dpvsd's two ports, 3 real servers (scripts/lab.sh)"
	bash "$LAB" up --prefix "$LAB_P" --servers 3 >"$DEMO_DIR/lab.env"
	# shellcheck disable=SC1091
	source "$DEMO_DIR/lab.env"
	read -ra RS_NS <<<"$LAB_NS_SERVERS"
	read -ra RS_IP <<<"$LAB_SERVER_IPS"
	echo "client $LAB_CLIENT_IP (namespace $LAB_NS_CLIENT) -- dpvsd $LAB_DPVS_IP0 | $LAB_DPVS_IP1 -- servers ${RS_IP[*]}"
}

# nginx in server i: "Hello from rsI (ip), client <addr>".
demo_nginx() {
	local i=$1 d="$DEMO_DIR/ngx$1" listen="listen 80" who='$remote_addr'
	if [ "$MODE" = fnat ]; then
		listen="listen 80 proxy_protocol"
		who='$proxy_protocol_addr (via $remote_addr)'
	fi
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    access_log off;
    server {
        $listen;
        location / { return 200 "Hello from rs$i (${RS_IP[$i]}), client $who\n"; }
    }
}
EOF
	setsid ip netns exec "${RS_NS[$i]}" nginx -c "$d/nginx.conf" -p "$d" \
		</dev/null >"$d/out.log" 2>&1 &
	NGINX_PIDS+=($!)
}

demo_servers() {
	local i
	step "Starting nginx in each real server"
	for i in 0 1 2; do demo_nginx "$i"; done
	for i in 0 1 2; do
		for _ in $(seq 50); do [ -s "$DEMO_DIR/ngx$i/nginx.pid" ] && break; sleep 0.1; done
		[ -s "$DEMO_DIR/ngx$i/nginx.pid" ] || { cat "$DEMO_DIR/ngx$i/out.log" >&2; return 1; }
		echo "rs$i: nginx on ${RS_IP[$i]}:80"
	done
}

demo_config() {
	cat >"$DEMO_DIR/dpvsd.conf" <<EOF
# dpvsd configuration written by scripts/demo.sh
global = {
    log_level = "info";
    pid_file = "$DEMO_DIR/dpvsd.pid";
    ctl_socket = "$DPVSD_SOCK";
    idle = { mode = "sleep"; pause_loops = 16; sleep_min_us = 50; sleep_max_us = 2000; };
};
eal = {
    file_prefix = "dpvsd-demo-$$";
    hugepages = "no";
    extra_args = [ "--log-level=lib.eal:notice" ];
};
lcores = (
    { id = 0; role = "master"; cpu = 0; },
    { id = 1; role = "fwd_worker"; cpu = 1; },
    { id = 2; role = "fwd_worker"; cpu = 0; }
);
$(demo_lab_config)
$(demo_services_section)
EOF
}

# The lab's ports and addresses; FNAT adds its local address on dpdk1.
demo_lab_config() {
	local cfg
	cfg=$(bash "$LAB" config --prefix "$LAB_P")
	if [ "$MODE" = fnat ]; then
		cfg=$(printf '%s\n' "$cfg" | sed "s|^\( *{ dev = \"dpdk1\"; addr = \"[0-9.]*/24\"; }\)$|\1,\n        { dev = \"dpdk1\"; addr = \"$LADDR/24\"; }|")
	fi
	printf '%s\n' "$cfg"
}

# The virtual service, declared in the file: traffic flows with no ipvsadm.
demo_services_section() {
	local ip mode=nat extra=""
	if [ "$MODE" = fnat ]; then
		mode=fnat
		extra="proxy_protocol = \"v2\"; local_addresses = [ \"$LADDR\" ]; local_dev = \"dpdk1\";"
	fi
	echo "services = ("
	echo "    { proto = \"tcp\"; vip = \"$VIP\"; port = 80; scheduler = \"rr\"; $extra"
	echo "      real_servers = ("
	for ip in "${RS_IP[@]}"; do
		[ "$ip" = "${RS_IP[0]}" ] || echo ","
		printf '          { addr = "%s"; port = 80; mode = "%s"; }' "$ip" "$mode"
	done
	echo
	echo "      ); }"
	echo ");"
}

demo_start() {
	local i
	step "Starting dpvsd (2 forwarding lcores, ports on the lab's veths)"
	demo_config
	run "$DPVSD" -t -c "$DEMO_DIR/dpvsd.conf"
	printf '$ dpvsd -c %s &\n' "$DEMO_DIR/dpvsd.conf"
	setsid "$DPVSD" -c "$DEMO_DIR/dpvsd.conf" </dev/null >"$DPVSD_LOG" 2>&1 &
	DPVSD_PID=$!
	for i in $(seq 200); do
		"$DPIP" ctl ping >/dev/null 2>&1 && break
		demo_alive || { echo "demo: dpvsd exited during start-up" >&2; return 1; }
		sleep 0.1
	done
	"$DPIP" ctl ping >/dev/null 2>&1 || { echo "demo: dpvsd does not answer" >&2; return 1; }
	echo "dpvsd is running, pid $DPVSD_PID"
	run "$DPIP" lcore show
	run "$DPIP" addr show
}

demo_service() {
	step "The virtual service $VIP:80 (rr, $MODE) came from the config file"
	sed -n '/^services = (/,/^);/p' "$DEMO_DIR/dpvsd.conf"
	run "$IPVSADM" -Ln
}

demo_traffic() {
	local i out tally="$DEMO_DIR/answers"
	step "The client asks http://$VIP/ $REQUESTS times (one new connection each)"
	: >"$tally"
	for (( i = 1; i <= REQUESTS; i++ )); do
		printf '%2d  ' "$i"
		out=$(ip netns exec "$LAB_NS_CLIENT" curl -s -m 3 "http://$VIP/") || out="(no answer)"
		echo "$out"
		echo "$out" | awk '{print $3}' >>"$tally"
	done
	demo_rotation "$tally"
}

# Why the answers do not read rs0, rs1, rs2, rs0, ...: each forwarding lcore
# schedules the connections RSS hands it with its own round-robin position,
# as DPVS does (no shared state on the fast path).  Over all lcores every
# server gets its share; the counts show it.
demo_rotation() {
	echo
	echo "Answers per real server:"
	sort "$1" | uniq -c | sed 's/^/   /'
	cat <<-TXT
	The order is not rs0, rs1, rs2, rs0, ... as with Linux IPVS: dpvsd runs two
	forwarding lcores, the NIC's RSS hash hands each new connection to one of
	them, and each lcore keeps its own round-robin position (nothing is shared
	between lcores on the fast path). Two lcores each rotating over the three
	servers interleave into runs like rs0, rs1, rs1, rs2, rs2, ...; the counts
	per server stay even (within one per lcore).
	TXT
}

demo_stats() {
	step "Counters and connections"
	run "$IPVSADM" -Ln --stats
	printf '$ ipvsadm -lnc | head -n 8\n'
	"$IPVSADM" -lnc | head -n 8
}

demo_stop() {
	local rc=0
	step "Stopping dpvsd (SIGTERM) and removing the network"
	run kill -TERM "$DPVSD_PID"
	wait "$DPVSD_PID" || rc=$?
	DPVSD_PID=
	echo "dpvsd exited with status $rc"
	grep -E "ipvs: lcore" "$DPVSD_LOG" | sed 's/^/    /' || true
	return "$rc"
}

main() {
	trap demo_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	demo_check
	demo_deps
	demo_build
	demo_lab
	demo_servers
	demo_start
	demo_service
	demo_traffic
	demo_stats
	demo_stop
	step "Done (MODE=nat bash scripts/demo.sh shows NAT)"
}

main "$@"
