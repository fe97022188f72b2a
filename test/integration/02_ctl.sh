#!/bin/bash
# 02_ctl.sh - the control channel against a running dpvsd: the socket's
# directory is created (0755) and the socket is 0600; `dpip lcore show`
# (text and -j) lists both lcores with their jobs and the ctl job's counters
# grow; `dpip ctl ping/show`; `dpip log set/show`; malformed requests (bad
# magic, huge length, unknown opcode) each get exactly one error reply and
# are counted (`dpip ctl stats`); a
# client stalled mid-request neither blocks others nor stays connected;
# silent connections beyond the client limit do not lock dpip out; a
# non-root peer may read but not change state; SIGTERM removes the socket
# and dpip then says "dpvsd is not running"; a socket left by a killed
# daemon is replaced at the next start.
# run_all: san
source "$(dirname "$0")/lib.sh"
need_cmd python3 setpriv

CONF="$T/dpvsd.conf"
SOCKDIR="/tmp/dpvsd-ctl-$TAG"		# outside $T (0700) so uid 65534 can reach it
SOCK="$SOCKDIR/sub/dpvsd.sock"
on_exit "rm -rf $SOCKDIR"

# Raw protocol client: python3 - SOCK CASE; prints what it observed.
raw() {
	python3 - "$SOCK" "$1" <<'EOF'
import socket, struct, sys, time
path, case = sys.argv[1], sys.argv[2]
MAGIC, VER, HDR = 0x44505653, 1, "<IHHIiI"

def conn():
    for _ in range(500):	# a full listen backlog answers EAGAIN: retry
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            time.sleep(0.01)
    raise RuntimeError("cannot connect")

def req(s, op, payload=b"", seq=1, magic=MAGIC, ver=VER, length=None):
    n = len(payload) if length is None else length
    s.sendall(struct.pack(HDR, magic, ver, op, seq, 0, n) + payload)

def reply(s):
    buf = b""
    while len(buf) < 20:
        d = s.recv(20 - len(buf))
        if not d:
            return None
        buf += d
    magic, ver, op, seq, status, n = struct.unpack(HDR, buf)
    body = b""
    while len(body) < n:
        d = s.recv(n - len(body))
        if not d:
            break
        body += d
    return seq, status, body.rstrip(b"\0").decode(errors="replace")

def closed(s):
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        return False

if case == "badmagic":
    s = conn(); req(s, 0x100, magic=0xdeadbeef, seq=7)
    print(reply(s), "closed" if closed(s) else "open")
elif case == "hugelen":
    s = conn(); req(s, 0x100, length=0x7fffffff)
    print(reply(s), "closed" if closed(s) else "open")
elif case == "unknown":
    s = conn(); req(s, 0x1ee, b"x" * 300, seq=3); req(s, 0x100, seq=4)
    print(reply(s), reply(s))
elif case == "stall":
    s = conn(); s.sendall(struct.pack(HDR, MAGIC, VER, 0x100, 1, 0, 0)[:7])
    print("stalling", flush=True)
    t0 = time.time(); s.settimeout(15)
    print("closed" if closed(s) else "open", round(time.time() - t0))
elif case == "hog":
    socks = [conn() for _ in range(80)]
    print("holding", len(socks), flush=True)
    time.sleep(4)
EOF
}

dpvsd_config "$CONF"
dpvsd_start "$CONF" --socket "$SOCK"

# ---- socket file and directory ----
expect_eq "$(stat -c %a "$SOCK")" 600 "socket mode"
expect_eq "$(stat -c %a "$SOCKDIR/sub")" 755 "mode of the directory dpvsd created"

# ---- lcores and jobs ----
out=$("$DPIP" lcore show) || fail "dpip lcore show failed"
expect_match "$out" "lcore 0: master" "master lcore listed"
expect_match "$out" "lcore 1: fwd_worker" "worker lcore listed"
expect_match "$out" $'\n  ctl +loop ' "ctl job listed"
expect_match "$(DPVSD_SOCK= "$DPIP" --socket "$SOCK" lc sh)" "lcore 1: fwd_worker" \
	"--socket and prefixes"
j1=$("$DPIP" -j lcore show) || fail "dpip -j lcore show failed"
sleep 0.3
j2=$("$DPIP" -j lcore show)
python3 - "$j1" "$j2" <<'EOF' || fail "dpip -j lcore show: bad JSON or counters"
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
roles = {l["lcore"]: l["role"] for l in a["lcores"]}
assert roles == {0: "master", 1: "fwd_worker"}, roles
def ctl(d):
    m = [l for l in d["lcores"] if l["role"] == "master"][0]
    return [j for j in m["jobs"] if j["name"] == "ctl"][0]
assert ctl(a)["type"] == "loop"
assert ctl(b)["calls"] > ctl(a)["calls"], (ctl(a), ctl(b))
assert ctl(b)["work"] > ctl(a)["work"], "each dpip call is work for the ctl job"
assert all(l["running"] for l in b["lcores"])
EOF

# ---- ping, request list, version ----
expect_match "$("$DPIP" ctl ping)" "^dpvsd [0-9.]+ pid $DPVSD_PID protocol 1 " "ctl ping"
expect_match "$("$DPIP" ctl show)" "0x0103 +core.log_set +72 +72 root" "ctl show"
expect_match "$("$DPIP" -V)" "^dpip version [0-9.]+" "dpip -V"

# ---- log levels ----
"$DPIP" log set 'dpvsd.ctl' debug || fail "log set"
expect_match "$("$DPIP" log show 'dpvsd.ct*')" "dpvsd.ctl +debug" "level after log set"
expect_match "$("$DPIP" -j log show dpvsd.ctl)" '"level":"debug"' "log show -j"
rc=0; out=$("$DPIP" log set 'dpvsd.ctl' loud 2>&1) || rc=$?
expect_eq "$rc" 2 "exit status of a bad level"
expect_match "$out" "expected emerg, alert" "bad level message"
"$DPIP" log set 'dpvsd.*' info || fail "log set back"

# ---- malformed requests ----
expect_match "$(raw badmagic)" "^\(7, -11, 'bad magic .*\) closed$" "bad magic"
expect_match "$(raw hugelen)" "^\(1, -11, 'request of 2147483647 bytes exceeds.*\) closed$" \
	"length over the limit"
expect_match "$(raw unknown)" "^\(3, -7, 'unknown request type 0x01ee'\) \(4, 0, " \
	"unknown opcode then ping on the same connection"

out=$("$DPIP" -j ctl stats) || fail "dpip ctl stats"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["proto_errors"] == 2 and d["failed"] >= 3 and d["clients"] == 1, d' "$out" ||
	fail "ctl stats after the malformed requests: $out"

# ---- a stalled client ----
raw stall >"$T/stall.out" 2>&1 &
STALL=$!
on_exit "kill $STALL"
wait_for 5 "grep -q stalling '$T/stall.out'" || fail "stalling client did not start"
t0=$(date +%s%N)
"$DPIP" -t 2000 ctl ping >/dev/null || fail "dpip blocked by a stalled client"
(( ($(date +%s%N) - t0) / 1000000 < 1000 )) || fail "dpip slow while a client stalls"
wait "$STALL" || true
expect_match "$(cat "$T/stall.out")" "closed [4-7]$" "stalled client closed after ~5 s"

# ---- more silent connections than the client limit ----
raw hog >"$T/hog.out" 2>&1 &
HOG=$!
on_exit "kill $HOG"
wait_for 5 "grep -q holding '$T/hog.out'" || fail "hog did not start: $(cat "$T/hog.out")"
"$DPIP" -t 2000 ctl ping >/dev/null || fail "dpip locked out by idle connections"
wait "$HOG" || true

# ---- access: non-root may read, not change ----
chmod 0666 "$SOCK"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DPIP" ctl ping 2>&1) ||
	fail "non-root ping refused: $out"
rc=0; out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$DPIP" log set 'dpvsd.*' debug 2>&1) || rc=$?
expect_eq "$rc" 1 "exit status of a refused change"
expect_match "$out" "core.log_set changes state: root only" "refusal message"
expect_match "$("$DPIP" log show dpvsd.ctl)" "dpvsd.ctl +info" "level unchanged"
chmod 0600 "$SOCK"

# ---- stop: socket removed, clear message ----
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "exit status after SIGTERM"
[ ! -e "$SOCK" ] || fail "socket left after SIGTERM"
rc=0; out=$("$DPIP" lcore show 2>&1) || rc=$?
expect_eq "$rc" 1 "dpip exit status without daemon"
expect_eq "$out" "dpip: dpvsd is not running (cannot connect to $SOCK)" "not-running message"

# ---- a socket left by a killed daemon is replaced ----
dpvsd_start "$CONF" --socket "$SOCK"
kill -KILL "$DPVSD_PID"
wait "$DPVSD_PID" 2>/dev/null || true
DPVSD_PID=
[ -S "$SOCK" ] || fail "expected the killed daemon's socket to stay"
rm -f "$T/dpvsd.pid"
dpvsd_start "$CONF" --socket "$SOCK"
"$DPIP" ctl ping >/dev/null || fail "no answer after replacing a stale socket"
grep -q "removed stale socket $SOCK" "$DPVSD_LOG" || fail "stale socket not reported"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "exit status of the second daemon"
echo "PASS: control channel"
