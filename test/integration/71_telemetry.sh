#!/bin/bash
# 71_telemetry.sh - dpvsd's counters as DPDK telemetry commands
# (src/metrics_telemetry.c) on the EAL's telemetry socket
# /var/run/dpdk/<file_prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET, JSON), with
# the test harness's --no-huge EAL.  A UDP FNAT service through 2
# FWD_WORKERs gets real traffic; then a small socket client checks: "/"
# lists /dpvsd/lcores and /dpvsd/ipvs/stats; /dpvsd/lcores has lcores 0, 1,
# 2 with their roles, and the master's "metrics" job (which serves the
# hand-off) has run; /dpvsd/ipvs/stats has both workers, and its conn_new
# summed over them equals the flows the client got answers for; several
# concurrent clients all get complete answers.
# run_all: san
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_udp_fnat_one ""

ipvs_udp_client 5 5353 1 >"$T/udp.out"
answered=$(grep -vc '^ERR' "$T/udp.out")
echo "answered flows: $answered of 5"
[ "$answered" -ge 1 ] || fail "no UDP flow was answered"

SOCK="/var/run/dpdk/dpvsd-it-$TAG/dpdk_telemetry.v2"
[ -S "$SOCK" ] || fail "no telemetry socket at $SOCK"

cat >"$T/tel.py" <<'EOF'
import json, socket, sys, threading
path, answered = sys.argv[1], int(sys.argv[2])

def query(cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    info = json.loads(s.recv(16384).decode())
    s.send(cmd.encode())
    reply = json.loads(s.recv(info["max_output_len"]).decode())
    s.close()
    return reply[cmd]

cmds = query("/")
assert "/dpvsd/lcores" in cmds and "/dpvsd/ipvs/stats" in cmds, cmds

lc = query("/dpvsd/lcores")
assert sorted(lc) == ["0", "1", "2"], lc
assert lc["0"]["role"] == "master", lc["0"]
assert lc["1"]["role"] == "fwd_worker" and lc["2"]["role"] == "fwd_worker", lc
assert lc["0"].get("metrics_calls", 0) > 0, lc["0"]
assert lc["1"].get("recv_fwd_calls", 0) > 0, lc["1"]
assert lc["1"]["loops"] >= lc["1"]["idle_loops"], lc["1"]

st = query("/dpvsd/ipvs/stats")
assert sorted(st) == ["1", "2"], st
new = sum(st[w]["ipvs_conn_new"] for w in st)
assert new == answered, (new, answered, st)
assert all("xmit_sent" in st[w] for w in st), st

# concurrent clients: each gets a whole answer (the hand-off is serialised)
errs = []
def worker():
    try:
        for _ in range(5):
            r = query("/dpvsd/ipvs/stats")
            assert sum(r[w]["ipvs_conn_new"] for w in r) == answered, r
    except Exception as e:  # noqa: BLE001 - report any failure of a client
        errs.append(repr(e))
ts = [threading.Thread(target=worker) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
assert not errs, errs
print("telemetry ok:", len(lc), "lcores,", new, "conns")
EOF
/usr/bin/python3 "$T/tel.py" "$SOCK" "$answered" || fail "telemetry checks failed"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
