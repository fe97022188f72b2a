#!/bin/bash
# scripts/demo.sh - show dpvsd running, from a fresh clone, as root:
#     sudo bash scripts/demo.sh
# Installs the dependencies, builds, starts dpvsd with the sample
# configuration (no NIC, no hugepages needed), shows it with the tools,
# reloads it, and stops it cleanly.  Each step is a function so that later
# demos (load balancing through network namespaces) can add steps to main().
#
# Environment: JOBS (make parallelism, default 2), KEEP=1 keeps $DEMO_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
DPVSD="$BUILD/dpvsd"
DPIP="$BUILD/dpip"
IPVSADM="$BUILD/ipvsadm"
CONF="$ROOT/conf/dpvsd.conf.sample"
DEMO_DIR=$(mktemp -d /tmp/dpvsd-demo.XXXXXX)
DPVSD_LOG="$DEMO_DIR/dpvsd.log"
DPVSD_PID=
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
	local rc=$?
	if demo_alive; then
		kill -TERM "$DPVSD_PID" 2>/dev/null || true
		sleep 2
		demo_alive && kill -KILL -- "-$DPVSD_PID" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ] && [ -s "$DPVSD_LOG" ]; then
		echo "---- dpvsd log ----" >&2
		tail -n 40 "$DPVSD_LOG" >&2
	fi
	[ "${KEEP:-0}" = 1 ] || rm -rf "$DEMO_DIR"
	exit "$rc"
}

# ---- steps ----

demo_check_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "demo: run as root (sudo bash scripts/demo.sh): DPDK needs it" >&2
		exit 1
	fi
}

demo_deps() {
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

demo_check_config() {
	step "Checking the sample configuration"
	run "$DPVSD" -t -c "$CONF"
}

# Start dpvsd in the background on the sample config; pid file and socket
# in $DEMO_DIR so the demo never touches an installed instance.
demo_start() {
	local i
	step "Starting dpvsd (sample config, pid file and socket in $DEMO_DIR)"
	printf '$ dpvsd -c %s -p %s -s %s &\n' "$CONF" "$DEMO_DIR/dpvsd.pid" "$DPVSD_SOCK"
	setsid "$DPVSD" -c "$CONF" -p "$DEMO_DIR/dpvsd.pid" -s "$DPVSD_SOCK" \
		</dev/null >"$DPVSD_LOG" 2>&1 &
	DPVSD_PID=$!
	for i in $(seq 200); do
		"$DPIP" ctl ping >/dev/null 2>&1 && break
		demo_alive || { echo "demo: dpvsd exited during start-up" >&2; return 1; }
		sleep 0.1
	done
	"$DPIP" ctl ping >/dev/null 2>&1 || { echo "demo: dpvsd does not answer" >&2; return 1; }
	echo "dpvsd is running, pid $DPVSD_PID"
}

demo_show() {
	step "Talking to dpvsd with the tools"
	run "$DPIP" ctl ping
	run "$DPIP" lcore show
	run "$DPIP" log show 'dpvsd.*'
	run "$DPIP" link show || true
	run "$IPVSADM" -ln || true
}

demo_reload() {
	step "Reloading the configuration (SIGHUP, as systemctl reload does)"
	run kill -HUP "$DPVSD_PID"
	sleep 1
	grep -E "reload" "$DPVSD_LOG" | tail -n 2
}

demo_stop() {
	local rc=0
	step "Stopping dpvsd (SIGTERM)"
	run kill -TERM "$DPVSD_PID"
	wait "$DPVSD_PID" || rc=$?
	DPVSD_PID=
	echo "dpvsd exited with status $rc"
	[ ! -e "$DPVSD_SOCK" ] && [ ! -e "$DEMO_DIR/dpvsd.pid" ] &&
		echo "control socket and pid file removed"
	echo "daemon log:"
	sed 's/^/    /' "$DPVSD_LOG"
	return "$rc"
}

main() {
	trap demo_cleanup EXIT
	demo_check_root
	demo_deps
	demo_build
	demo_check_config
	demo_start
	demo_show
	demo_reload
	demo_stop
	step "Done"
}

main "$@"
