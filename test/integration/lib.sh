# test/integration/lib.sh - shared helpers of the integration tests.
#
# Usage, at the top of test/integration/<nn>_<name>.sh:
#     source "$(dirname "$0")/lib.sh"
#
# Sets ROOT (source tree), BUILD (build or build-san; env BUILD overrides),
# DPVSD, DPIP, IPVSADM (binaries), T (a private temp dir), TAG (4 hex chars,
# unique enough for namespace/veth names), and an EXIT trap that runs the
# registered cleanups in reverse, stops a dpvsd this test started, prints
# the daemon's log when the test failed, and removes $T.
#
# Exit codes of a test: 0 pass, 77 skipped (reason on stderr), else fail.
#
# API:
#   on_exit "shell command"             register a cleanup (run in reverse order)
#   netns_add NAME                      ip netns add NAME, deleted on exit
#   dpvsd_config FILE [section text]    minimal config: pid/socket in $T, unique
#                                       file prefix, --no-huge sized pools, lcores
#                                       0 master + 1 fwd_worker, idle=sleep; the
#                                       optional text is appended
#   dpvsd_start FILE [dpvsd args]       start dpvsd -c FILE in the background
#                                       (setsid), export DPVSD_SOCK, wait until
#                                       `dpip lcore show` answers (20 s) else fail
#   dpvsd_stop                          SIGTERM, wait (10 s); DPVSD_RC = exit code
#   fail "message"                      print and exit 1
#   expect_eq ACTUAL EXPECTED "what"    fail unless equal
#   expect_match TEXT REGEX "what"      fail unless TEXT matches the extended regex
#   wait_for SECONDS "shell condition"  poll (0.1 s) until it succeeds, else return 1
# Extras:
#   skip "reason"                       exit 77 with the reason on stderr
#   need_cmd CMD...                     skip unless every command exists
#   need_py MODULE...                   skip unless /usr/bin/python3 imports
#                                       every module (a skip fails the run
#                                       under CI: see test/run_all.sh)
#   DPVSD_PID, DPVSD_LOG ($T/dpvsd.log), DPVSD_RC

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
DPVSD="$BUILD/dpvsd"
DPIP="$BUILD/dpip"
IPVSADM="$BUILD/ipvsadm"
TAG=$(printf '%04x' $(( (RANDOM * 7 + $$) % 65536 )))
T=$(mktemp -d "/tmp/dpvsd-it-$TAG.XXXXXX")
DPVSD_LOG="$T/dpvsd.log"
DPVSD_PID=
DPVSD_RC=
export DPVSD_SOCK=
# Sanitizer builds: report leaks and errors, fail the process on them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}

_LIB_CLEANUPS=()
[ "$(id -u)" = 0 ] || { echo "SKIP: integration tests run as root" >&2; rm -rf "$T"; exit 77; }

on_exit() {
	_LIB_CLEANUPS+=("$1")
}

# True while process $1 exists and is not a zombie (kill -0 is true for zombies).
_lib_alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

_lib_dpvsd_kill() {
	local pid=$DPVSD_PID i
	[ -n "$pid" ] || return 0
	DPVSD_PID=
	if ! _lib_alive "$pid"; then
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 50); do
		_lib_alive "$pid" || break
		sleep 0.1
	done
	if _lib_alive "$pid"; then
		echo "lib.sh: dpvsd $pid ignored SIGTERM, killing its process group" >&2
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || true
}

_lib_exit() {
	local rc=$? i
	trap - EXIT
	_lib_dpvsd_kill		# first: its ports may sit on the namespaces below
	for (( i=${#_LIB_CLEANUPS[@]}-1; i>=0; i-- )); do
		eval "${_LIB_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -s "$DPVSD_LOG" ]; then
		echo "---- dpvsd log ($DPVSD_LOG, last 80 lines) ----" >&2
		tail -n 80 "$DPVSD_LOG" >&2
		echo "---- end of dpvsd log ----" >&2
	fi
	rm -rf "$T"
	# The EAL's runtime dir of this test's file prefix (see dpvsd_config).
	rm -rf "/var/run/dpdk/dpvsd-it-$TAG"
	exit "$rc"
}
trap _lib_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "command $c not found"
	done
}

need_py() {
	local m
	for m in "$@"; do
		/usr/bin/python3 -c "import $m" >/dev/null 2>&1 ||
			skip "python3 module $m not found (scripts/deps.sh installs it)"
	done
}

expect_eq() {
	[ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_match() {
	[[ "$1" =~ $2 ]] || fail "$3: output does not match /$2/:
$1"
}

wait_for() {
	local secs=$1 cond=$2
	local deadline=$(( $(date +%s%N) + secs * 1000000000 ))
	while ! eval "$cond" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
	return 0
}

netns_add() {
	ip netns add "$1" || fail "cannot create namespace $1"
	on_exit "ip netns del $1"
}

dpvsd_config() {
	local file=$1
	shift
	cat >"$file" <<EOF
# written by test/integration/lib.sh for $(basename "$0")
global = {
    log_level = "info";
    pid_file = "$T/dpvsd.pid";
    ctl_socket = "$T/dpvsd.sock";
    idle = { mode = "sleep"; pause_loops = 16; sleep_min_us = 50; sleep_max_us = 2000; };
};
eal = {
    file_prefix = "dpvsd-it-$TAG";
    hugepages = "no";
    extra_args = [ "--log-level=lib.eal:notice" ];
};
lcores = (
    { id = 0; role = "master"; },
    { id = 1; role = "fwd_worker"; }
);
EOF
	if [ $# -gt 0 ]; then
		printf '%s\n' "$*" >>"$file"
	fi
}

# The control socket dpvsd will use: -s/--socket in args, else the file's.
_lib_socket_of() {
	local file=$1 sock
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		-s|--socket) echo "$2"; return ;;
		--socket=*) echo "${1#--socket=}"; return ;;
		--) break ;;
		esac
		shift
	done
	sock=$(sed -n 's/^[[:space:]]*ctl_socket[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$file" | head -n 1)
	echo "${sock:-/run/dpvsd/dpvsd.sock}"
}

dpvsd_start() {
	local file=$1
	shift
	[ -x "$DPVSD" ] || fail "$DPVSD not built (run make)"
	[ -x "$DPIP" ] || fail "$DPIP not built (run make)"
	[ -z "$DPVSD_PID" ] || fail "dpvsd_start: a dpvsd ($DPVSD_PID) is already running"
	DPVSD_SOCK=$(_lib_socket_of "$file" "$@")
	export DPVSD_SOCK
	echo "==== $(date +%T) dpvsd -c $file $*" >>"$DPVSD_LOG"
	setsid "$DPVSD" -c "$file" "$@" </dev/null >>"$DPVSD_LOG" 2>&1 &
	DPVSD_PID=$!
	wait_for 20 "! _lib_alive $DPVSD_PID || \"$DPIP\" lcore show" || true
	if ! _lib_alive "$DPVSD_PID"; then
		DPVSD_RC=0
		wait "$DPVSD_PID" || DPVSD_RC=$?
		DPVSD_PID=
		fail "dpvsd exited with status $DPVSD_RC during start-up"
	fi
	"$DPIP" lcore show >/dev/null 2>&1 ||
		fail "dpvsd (pid $DPVSD_PID) did not answer 'dpip lcore show' within 20 s"
}

dpvsd_stop() {
	local pid=$DPVSD_PID
	DPVSD_RC=
	[ -n "$pid" ] || fail "dpvsd_stop: no dpvsd was started"
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_for 10 "! _lib_alive $pid"; then
		_lib_dpvsd_kill
		DPVSD_RC=137
		fail "dpvsd (pid $pid) did not stop within 10 s of SIGTERM"
	fi
	DPVSD_PID=
	DPVSD_RC=0
	wait "$pid" 2>/dev/null || DPVSD_RC=$?
	return 0
}
