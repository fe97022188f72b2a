#!/bin/bash
# 01_daemon_lifecycle.sh - the daemon's life without a NIC:
#  - `dpvsd -t` on good and bad files (file:line: key: msg), -v, --help;
#  - the shipped sample config passes -t and starts;
#  - lcore ids mapped onto shared CPUs;
#  - start-up failures (EAL, apply) exit 1 and leave nothing behind;
#  - start on --no-huge; `dpip lcore show` answers; pid file; socket 0600;
#    READY/RELOADING/STOPPING on a NOTIFY_SOCKET;
#  - a second instance is refused, naming the running pid;
#  - SIGHUP with a good changed config applies it (log level, idle); with a
#    broken config, or one changing what needs a restart, keeps the daemon
#    running on its old config; the same on request (cfg.reload, cfg.show);
#  - SIGTERM exits 0 and removes pid file, socket and EAL runtime dir;
#  - a stale pid file is replaced; -s and -l override the file (also across
#    reloads); SIGINT stops too.
# run_all: san
source "$(dirname "$0")/lib.sh"
need_cmd python3

CONF="$T/dpvsd.conf"
PIDF="$T/dpvsd.pid"
SOCK="$T/dpvsd.sock"

count() {	# occurrences of a fixed string in the daemon log
	grep -cF -- "$1" "$DPVSD_LOG" 2>/dev/null || true
}

# Receive sd_notify datagrams into $T/notify.log (background, stopped on exit).
start_notify_listener() {
	setsid python3 - "$T/notify.sock" "$T/notify.log" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode(errors="replace")
        out.write(msg.replace("\n", " ") + "\n")
EOF
	NOTIFY_PID=$!
	on_exit "kill $NOTIFY_PID"
	wait_for 5 "[ -S '$T/notify.sock' ]" || fail "notify listener did not start"
}

test_check_config() {
	local out rc
	dpvsd_config "$CONF"
	out=$("$DPVSD" -t -c "$CONF" 2>&1) || fail "dpvsd -t on a good file failed: $out"
	expect_eq "$out" "configuration file $CONF test is successful" "dpvsd -t output"

	cat >"$T/bad.conf" <<'EOF'
global = {
    log_level = "chatty";
};
lcores = (
    { id = 0; role = "master"; },
    { id = 0; role = "fwd_worker"; }
);
EOF
	rc=0
	out=$("$DPVSD" -t -c "$T/bad.conf" 2>&1) || rc=$?
	expect_eq "$rc" 1 "exit status of dpvsd -t on a bad file"
	expect_match "$out" "$T/bad.conf:2: global.log_level: \"chatty\" is not one of" \
		"first error of the bad file"
	expect_match "$out" "$T/bad.conf:6: lcores.\[1\].id: lcore 0 is listed twice" \
		"second error of the bad file"
	expect_match "$out" "test failed" "failure summary"

	rc=0
	out=$("$DPVSD" --bogus 2>&1) || rc=$?
	expect_eq "$rc" 2 "exit status on a bad command line"
	expect_match "$out" "--bogus" "bad option named"
	out=$("$DPVSD" -v 2>&1) || fail "dpvsd -v failed: $out"
	expect_match "$out" "^dpvsd [0-9]+\.[0-9]+\.[0-9]+ \(DPDK 22\." "dpvsd -v"
	out=$("$DPVSD" --help 2>&1) || fail "dpvsd --help failed: $out"
	expect_match "$out" "Usage: dpvsd .*--test-config" "dpvsd --help"
}

test_start_and_query() {
	local out mode
	start_notify_listener
	NOTIFY_SOCKET="$T/notify.sock" dpvsd_start "$CONF"
	out=$("$DPIP" lcore show 2>&1) || fail "dpip lcore show: $out"
	expect_match "$out" "lcore 0: master" "lcore 0 role"
	expect_match "$out" "lcore 1: fwd_worker" "lcore 1 role"
	expect_match "$out" "cfgfile_reload" "the master's reload job"
	expect_eq "$(cat "$PIDF")" "$DPVSD_PID" "pid file content"
	[ -S "$SOCK" ] || fail "control socket $SOCK missing"
	mode=$(stat -c %a "$SOCK")
	expect_eq "$mode" 600 "control socket mode"
	wait_for 5 "grep -q '^READY=1' '$T/notify.log'" || fail "no READY=1 on NOTIFY_SOCKET"
	expect_match "$(cat "$T/notify.log")" "MAINPID=$DPVSD_PID" "MAINPID in the notification"
}

test_second_instance() {
	local out rc=0
	out=$(timeout 20 "$DPVSD" -c "$CONF" 2>&1) || rc=$?
	expect_eq "$rc" 1 "exit status of a second dpvsd"
	expect_match "$out" "another dpvsd is running \(pid $DPVSD_PID, pid file $PIDF\)" \
		"second instance message"
	expect_eq "$(cat "$PIDF")" "$DPVSD_PID" "pid file after the refused start"
	"$DPIP" lcore show >/dev/null 2>&1 || fail "first dpvsd stopped answering"
}

test_reload_good() {
	local n out
	expect_match "$("$DPIP" -v lcore show 2>&1)" "idle policy sleep, sleep 50\.\.2000 us" \
		"idle policy from the file"
	n=$(count "configuration reloaded from")
	dpvsd_config "$CONF"
	sed -i -e 's/log_level = "info"/log_level = "debug"/' \
	    -e 's/sleep_max_us = 2000/sleep_max_us = 3000/' "$CONF"
	kill -HUP "$DPVSD_PID"
	wait_for 10 "[ \$(count 'configuration reloaded from') -gt $n ]" ||
		fail "SIGHUP with a good config was not applied"
	expect_match "$("$DPIP" -v lcore show 2>&1)" "idle policy sleep, sleep 50\.\.3000 us" \
		"idle policy after the reload"
	expect_match "$(cat "$DPVSD_LOG")" "log level of dpvsd\.\* is debug" "new log level logged"
	out=$("$DPIP" log show 'dpvsd.main' 2>&1) || fail "dpip log show: $out"
	expect_match "$out" "debug" "dpvsd.main level after the reload"
	wait_for 5 "grep -q '^RELOADING=1' '$T/notify.log'" || fail "no RELOADING=1 notification"
	# global.idle_master: only the master/kni policy changes on this reload
	n=$(count "configuration reloaded from")
	sed -i 's/^\(    idle = .*\)$/\1\n    idle_master = { sleep_max_us = 4000; };/' "$CONF"
	grep -q "idle_master" "$CONF" || fail "test set-up: idle_master not added"
	kill -HUP "$DPVSD_PID"
	wait_for 10 "[ \$(count 'configuration reloaded from') -gt $n ]" ||
		fail "SIGHUP with idle_master was not applied"
	expect_match "$(cat "$DPVSD_LOG")" "master/kni idle policy sleep, pause 16 loops, sleep 50\.\.4000 us" \
		"idle_master applied, inheriting the other keys from idle"
	expect_match "$("$DPIP" -v lcore show 2>&1)" "idle policy sleep, sleep 50\.\.3000 us" \
		"worker idle policy untouched by idle_master"
}

test_reload_bad() {
	local n
	n=$(count "reload failed, keeping running configuration")
	printf 'bogus_section = 1;\n' >>"$CONF"
	kill -HUP "$DPVSD_PID"
	wait_for 10 "[ \$(count 'reload failed, keeping running configuration') -gt $n ]" ||
		fail "SIGHUP with a broken config did not report the failure"
	expect_match "$(cat "$DPVSD_LOG")" "$CONF:[0-9]+: bogus_section: unknown section" \
		"the reload error names file:line and the key"
	"$DPIP" lcore show >/dev/null 2>&1 || fail "dpvsd stopped answering after a bad reload"
	expect_match "$("$DPIP" log show 'dpvsd.main' 2>&1)" "debug" "level kept after a bad reload"

	# A valid file that changes what needs a restart is refused too.
	dpvsd_config "$CONF"
	sed -i 's/{ id = 1; role = "fwd_worker"; }/{ id = 1; role = "idle"; }/' "$CONF"
	n=$(count "reload failed, keeping running configuration")
	kill -HUP "$DPVSD_PID"
	wait_for 10 "[ \$(count 'reload failed, keeping running configuration') -gt $n ]" ||
		fail "SIGHUP changing lcores was not refused"
	expect_match "$(cat "$DPVSD_LOG")" "lcores: cannot change at run time" "restart-only key named"
	expect_match "$("$DPIP" lcore show 2>&1)" "lcore 1: fwd_worker" "lcore roles unchanged"
}

# One raw request on the control socket (cfg_wire.h); prints "status=N" then
# the error message, or for CFG_OP_SHOW "file level reloads_ok reloads_failed".
ctl_raw() {
	python3 - "$DPVSD_SOCK" "$1" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(sys.argv[1])
op = int(sys.argv[2], 0)
s.sendall(struct.pack("<IHHIiI", 0x44505653, 1, op, 7, 0, 0))
def rd(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("short reply")
        b += c
    return b
magic, ver, rop, seq, status, ln = struct.unpack("<IHHIiI", rd(20))
data = rd(ln)
assert magic == 0x44505653 and rop == op and seq == 7, "bad reply header"
print("status=%d" % status)
cstr = lambda b: b.split(b"\0", 1)[0].decode()
if status != 0:
    print(cstr(data))
elif op == 0x141:
    ok, failed = struct.unpack("<QQ", data[880:896])
    print(cstr(data[0:256]), cstr(data[768:784]), ok, failed)
else:
    print(cstr(data[0:256]))
EOF
}

# Reload on request over the control socket: synchronous, with the error.
test_ctl_reload() {
	local out
	out=$(ctl_raw 0x140) || fail "cfg.reload request: $out"	# lcores changed: refused
	expect_match "$out" "^status=-14" "cfg.reload status of a refused reload"
	expect_match "$out" "lcores: cannot change at run time" "cfg.reload error text"
	dpvsd_config "$CONF"
	sed -i 's/log_level = "info"/log_level = "notice"/' "$CONF"
	out=$(ctl_raw 0x140) || fail "cfg.reload request: $out"
	expect_match "$out" "^status=0" "cfg.reload status of a good reload"
	out=$(ctl_raw 0x141) || fail "cfg.show request: $out"
	expect_match "$out" "status=0.$CONF notice [2-9] [1-9]" "cfg.show after the reloads"
	expect_match "$("$DPIP" log show 'dpvsd.main' 2>&1)" "notice" "level after cfg.reload"
}

test_stop() {
	dpvsd_stop
	expect_eq "$DPVSD_RC" 0 "exit status after SIGTERM"
	[ ! -e "$PIDF" ] || fail "pid file $PIDF left behind"
	[ ! -e "$SOCK" ] || fail "control socket $SOCK left behind"
	[ ! -e "/var/run/dpdk/dpvsd-it-$TAG" ] || fail "EAL runtime dir left behind"
	wait_for 5 "grep -q '^STOPPING=1' '$T/notify.log'" || fail "no STOPPING=1 notification"
	expect_match "$(cat "$DPVSD_LOG")" "dpvsd.module: job down|stopping" "teardown logged"
}

test_stale_pid_and_sigint() {
	local dead rc=0 sock2="$T/other.sock" n
	sleep 0 &
	dead=$!
	wait "$dead" || true
	echo "$dead" >"$PIDF"
	dpvsd_config "$CONF"
	dpvsd_start "$CONF" -s "$sock2" -l notice	# the command line overrides the file
	expect_eq "$DPVSD_SOCK" "$sock2" "socket taken from -s"
	expect_match "$("$DPIP" log show 'dpvsd.main' 2>&1)" "notice" "level from -l"
	n=$(count "configuration reloaded from")
	sed -i 's/log_level = "info"/log_level = "debug"/' "$CONF"
	kill -HUP "$DPVSD_PID"
	wait_for 10 "[ \$(count 'configuration reloaded from') -gt $n ]" ||
		fail "reload with -s on the command line failed"
	expect_match "$("$DPIP" log show 'dpvsd.main' 2>&1)" "notice" "-l still wins after a reload"
	[ -S "$sock2" ] || fail "socket from -s missing"
	expect_eq "$(cat "$PIDF")" "$DPVSD_PID" "pid file rewritten over a stale one"
	expect_match "$(cat "$DPVSD_LOG")" "replaced stale pid file $PIDF \(pid $dead is not running\)" \
		"stale pid file noticed"
	kill -INT "$DPVSD_PID"
	wait_for 10 "! _lib_alive $DPVSD_PID" || fail "SIGINT did not stop dpvsd"
	wait "$DPVSD_PID" || rc=$?
	DPVSD_PID=
	expect_eq "$rc" 0 "exit status after SIGINT"
	[ ! -e "$PIDF" ] && [ ! -e "$sock2" ] || fail "pid file or socket left after SIGINT"
}

# Start-up failures unwind: exit 1, a clear message, no pid file or socket left.
test_startup_failures() {
	local out rc=0
	dpvsd_config "$CONF"
	sed -i 's/extra_args = \[ /extra_args = [ "--no-such-eal-option", /' "$CONF"
	out=$(timeout 30 "$DPVSD" -c "$CONF" 2>&1) || rc=$?
	expect_eq "$rc" 1 "exit status when the EAL refuses its arguments"
	expect_match "$out" "cannot start the DPDK EAL" "EAL failure message"
	[ ! -e "$PIDF" ] && [ ! -e "$SOCK" ] || fail "pid file or socket left after an EAL failure"

	# An address on a port that no netif port declares: the validation
	# shared with -t and reload refuses the file before anything starts.
	dpvsd_config "$CONF" 'inet = { addresses = ( { dev = "nope0"; addr = "10.99.0.1/24"; } ); };'
	rc=0
	out=$(timeout 30 "$DPVSD" -c "$CONF" 2>&1) || rc=$?
	expect_eq "$rc" 1 "exit status for an address on an undeclared port"
	expect_match "$out" "dpvsd.conf:[0-9]+: inet.addresses.\[0\].dev: no port named 'nope0'" \
		"undeclared port refused with file:line"
	expect_match "$out" "configuration file $CONF rejected" "rejected before start-up"
	[ ! -e "$PIDF" ] && [ ! -e "$SOCK" ] || fail "pid file or socket left after a rejected file"

	# Valid file, but applying it fails (the port's interface does not exist).
	dpvsd_config "$CONF" "netif = { ports = ( { vdev = \"net_af_packet0,iface=nx$TAG\"; } ); };"
	rc=0
	out=$(timeout 30 "$DPVSD" -c "$CONF" 2>&1) || rc=$?
	expect_eq "$rc" 1 "exit status when the configuration cannot be applied"
	expect_match "$out" "could not be applied, exiting" "apply failure message"
	[ ! -e "$PIDF" ] && [ ! -e "$SOCK" ] || fail "pid file or socket left after an apply failure"
	dpvsd_config "$CONF"
}

# The shipped sample must start on a machine with no NIC.  A copy with a
# private file prefix and tap name, pid file and socket in $T (-p/-s), so it
# cannot clash with an installed dpvsd or a demo.
test_sample_config() {
	local sample="$T/sample.conf"
	"$DPVSD" -t -c "$ROOT/conf/dpvsd.conf.sample" >/dev/null 2>&1 ||
		fail "conf/dpvsd.conf.sample does not pass dpvsd -t"
	sed -e "s/file_prefix = \"dpvsd\"/file_prefix = \"dpvsd-it-$TAG\"/" \
	    -e "s/iface=dpvs-tap0/iface=dt$TAG/" "$ROOT/conf/dpvsd.conf.sample" >"$sample"
	dpvsd_start "$sample" -p "$PIDF" -s "$SOCK"
	expect_match "$("$DPIP" lcore show 2>&1)" "lcore 0: master" "sample config running"
	dpvsd_stop
	expect_eq "$DPVSD_RC" 0 "exit status of the sample config after SIGTERM"
}

# Lcore ids other than 0/1, mapped onto the 2 CPUs (lcores share a CPU).
test_lcore_map() {
	local out
	dpvsd_config "$CONF"
	sed -i -e 's/{ id = 0; role = "master"; }/{ id = 2; role = "master"; cpu = 0; }/' \
	    -e 's/{ id = 1; role = "fwd_worker"; }/{ id = 3; role = "fwd_worker"; cpu = 1; },\n    { id = 5; role = "kni_worker"; cpu = 1; }/' "$CONF"
	dpvsd_start "$CONF"
	out=$("$DPIP" lcore show 2>&1)
	expect_match "$out" "lcore 2: master" "remapped master"
	expect_match "$out" "lcore 3: fwd_worker" "remapped fwd_worker"
	expect_match "$out" "lcore 5: kni_worker" "kni_worker sharing CPU 1"
	expect_match "$(cat "$DPVSD_LOG")" "--lcores=2@0,3@1,5@1 --main-lcore=2" "EAL lcore map"
	dpvsd_stop
	expect_eq "$DPVSD_RC" 0 "exit status with remapped lcores"
	dpvsd_config "$CONF"
}

test_check_config
test_sample_config
test_lcore_map
test_startup_failures
test_start_and_query
test_second_instance
test_reload_good
test_reload_bad
test_ctl_reload
test_stop
test_stale_pid_and_sigint
echo "01_daemon_lifecycle: all checks passed"
