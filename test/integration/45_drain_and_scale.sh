#!/bin/bash
# 45_drain_and_scale.sh - changing real servers under traffic, FNAT through
# 2 FWD_WORKERs, rr over 3 of 4 servers:
#   - a kept-alive connection learns its server K; K gets weight 0: new
#     connections avoid K while the kept-alive one is still served by K;
#   - K is deleted: the kept-alive connection still works and dpvsd lives;
#   - a 4th server is added: new connections reach it;
#   - 2000 concurrent connections, then >= 20000 new connections (wrk,
#     Connection: close, at most 60 s): every request answered.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 4
ipvs_dpvsd_start "ipvs = { timeouts = { time_wait = 5; }; };"
for i in 0 1 2 3; do ipvs_nginx_start "$i"; done
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr1"
"$DPIP" addr add "$IPVS_LADDR2/24" dev dpdk1 || fail "dpip addr add laddr2"
"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A"
for i in 0 1 2; do
	"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[$i]}:80" -b || fail "ipvsadm -a rs$i"
done
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr 1"
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR2" -F dpdk1 || fail "add-laddr 2"

# ---- a kept-alive connection, driven step by step through files ----
cat >"$T/ka.py" <<'EOF2'
import os, socket, sys, time
vip, d = sys.argv[1], sys.argv[2]
s = socket.create_connection((vip, 80), timeout=5)
def ask():
    s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += s.recv(4096)
    return body.decode().strip()
for step in (1, 2, 3):
    while not os.path.exists("%s/go%d" % (d, step)):
        time.sleep(0.05)
    try:
        ans = ask()
    except Exception as e:
        ans = "ERR %s" % e
    with open("%s/ka%d" % (d, step), "w") as f:
        f.write(ans + "\n")
EOF2
setsid ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/ka.py" "$IPVS_VIP" "$T" \
	</dev/null >"$T/ka.out" 2>&1 &
KA=$!
on_exit "kill -TERM -- -$KA ; kill -TERM $KA"

ka_step() {	# n -> prints the answer of step n
	touch "$T/go$1"
	wait_for 10 "[ -s $T/ka$1 ]" || fail "kept-alive request $1 got no answer: $(cat "$T/ka.out")"
	cat "$T/ka$1"
}

k=$(ka_step 1)
[[ "$k" =~ ^rs[0-2]$ ]] || fail "kept-alive request 1: '$k'"
K=${k#rs}
echo "kept-alive connection is on $k"

# ---- weight 0 drains: no new conns to K, the old one continues ----
"$IPVSADM" -e -t "$IPVS_VIP:80" -r "${RS_IP[$K]}:80" -b -w 0 || fail "ipvsadm -e -w 0"
ipvs_curl_n 30 "http://$IPVS_VIP/" >"$T/drain.out"
expect_eq "$(ipvs_count ERR "$T/drain.out")" 0 "failed requests while draining"
expect_eq "$(ipvs_count "$k" "$T/drain.out")" 0 "new connections to the quiesced $k"
expect_eq "$(ka_step 2)" "$k" "kept-alive connection after weight 0"

# ---- deleting K keeps its connection alive, and dpvsd too ----
"$IPVSADM" -d -t "$IPVS_VIP:80" -r "${RS_IP[$K]}:80" || fail "ipvsadm -d"
expect_eq "$(ka_step 3)" "$k" "kept-alive connection after its server was deleted"
"$DPIP" lcore show >/dev/null || fail "dpvsd does not answer after a server was deleted"
ipvs_curl_n 20 "http://$IPVS_VIP/" >"$T/del.out"
expect_eq "$(ipvs_count ERR "$T/del.out")" 0 "failed requests after the delete"
expect_eq "$(ipvs_count "$k" "$T/del.out")" 0 "requests to the deleted $k"

# ---- scale out: a 4th server gets new connections ----
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[3]}:80" -b || fail "ipvsadm -a rs3"
ipvs_curl_n 30 "http://$IPVS_VIP/" >"$T/scale.out"
expect_eq "$(ipvs_count ERR "$T/scale.out")" 0 "failed requests after adding rs3"
n3=$(ipvs_count rs3 "$T/scale.out")
echo "rs3 answered $n3 of 30"
[ "$n3" -ge 8 ] || fail "the added server got only $n3 of 30 new connections"

# ---- 2000 concurrent connections, each answered ----
cat >"$T/many.py" <<'EOF2'
import resource, socket, sys
vip, n = sys.argv[1], int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 256, n + 256))
socks = [socket.create_connection((vip, 80), timeout=10) for _ in range(n)]
for s in socks:
    s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
ok = 0
for s in socks:
    data = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
    if data.startswith(b"HTTP/1.1 200") and data.rstrip().endswith((b"rs0", b"rs1", b"rs2", b"rs3")):
        ok += 1
    s.close()
print(ok)
EOF2
ok=$(ip netns exec "$LAB_NS_CLIENT" timeout 60 /usr/bin/python3 "$T/many.py" "$IPVS_VIP" 2000) ||
	fail "concurrent client failed: $ok"
expect_eq "$ok" 2000 "answered of 2000 concurrent connections"

# ---- >= 20000 new connections within 60 s ----
total=0 start=$(date +%s)
while [ "$total" -lt 20000 ]; do
	[ $(( $(date +%s) - start )) -lt 60 ] || fail "only $total connections in 60 s"
	ipvs_wrk 5 64 "http://$IPVS_VIP/"
	expect_eq "$WRK_ERRS" 0 "wrk errors (after $total requests)"
	total=$((total + WRK_REQS))
done
echo "$total new connections without an error"
"$IPVSADM" -Ln --stats

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
