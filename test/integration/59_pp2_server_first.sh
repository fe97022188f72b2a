#!/bin/bash
# 59_pp2_server_first.sh - PROXY protocol v2 for a protocol whose server
# speaks first (SMTP-like), through FNAT on 2 FWD_WORKERs.  The server (a
# python3 thread per connection) reads the 28-byte PROXY v2 header before
# anything else, then sends its banner naming the client it was told
# about; the client sends nothing until it has read that banner.  So the
# header must come with the handshake-completing ACK.  Checks, for 10
# connections: every banner arrives, carries the client's own address and
# port; the dialogue after it (QUIT / 221) works, so the sequence shift
# holds; pp2 counted once per connection.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

cat >"$T/smtp_srv.py" <<'EOF'
import socket, struct, sys, threading
SIG = b"\r\n\r\n\x00\r\nQUIT\n"
def serve(c):
    c.settimeout(5)
    try:
        h = b""
        while len(h) < 28:
            b = c.recv(28 - len(h))
            if not b:
                return
            h += b
        if h[:12] != SIG or h[12] != 0x21 or h[13] != 0x11:
            c.sendall(b"554 no PROXY header first: %r\r\n" % h)
            return
        src, sport = socket.inet_ntoa(h[16:20]), struct.unpack("!H", h[24:26])[0]
        c.sendall(b"220 %s %s:%d ready\r\n" % (sys.argv[1].encode(), src.encode(), sport))
        line = c.recv(100)
        c.sendall(b"221 bye\r\n" if line == b"QUIT\r\n" else b"500 %r\r\n" % line)
    except OSError:
        pass
    finally:
        c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 2525))
s.listen(64)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
EOF

cat >"$T/smtp_cli.py" <<'EOF'
import socket, sys
vip, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    s = socket.create_connection((vip, 25), timeout=5)
    me = "%s:%d" % s.getsockname()
    try:
        banner = s.recv(200).decode(errors="replace").strip()
        s.sendall(b"QUIT\r\n")
        bye = s.recv(100).decode(errors="replace").strip()
        print("%s | %s | %s" % (me, banner, bye), flush=True)
    except OSError as e:
        print("%s | ERR %s" % (me, e), flush=True)
    s.close()
EOF

ipvs_lab_up 1
ipvs_dpvsd_start
setsid ip netns exec "${RS_NS[0]}" /usr/bin/python3 "$T/smtp_srv.py" rs0 </dev/null >"$T/srv.log" 2>&1 &
on_exit "kill -TERM -- -$! ; kill -TERM $!"
wait_for 10 "ip netns exec ${RS_NS[0]} ss -ltn | grep -q ':2525 '" ||
	fail "server did not start: $(cat "$T/srv.log")"

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
"$IPVSADM" -A -t "$IPVS_VIP:25" -s rr --proxy-protocol v2 || fail "ipvsadm -A"
"$IPVSADM" -a -t "$IPVS_VIP:25" -r "${RS_IP[0]}:2525" -b || fail "ipvsadm -a"
"$IPVSADM" -P -t "$IPVS_VIP:25" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"

ip netns exec "$LAB_NS_CLIENT" timeout 80 /usr/bin/python3 "$T/smtp_cli.py" "$IPVS_VIP" 10 \
	>"$T/cli.out" 2>&1
cat "$T/cli.out"
expect_eq "$(wc -l <"$T/cli.out")" 10 "dialogues"
# each line: "client:port | 220 rs0 client:port ready | 221 bye"
bad=$(awk -F' [|] ' '{split($2, w, " "); if (w[1] != "220" || w[3] != $1 || $3 != "221 bye") print}' \
	"$T/cli.out" | head -3)
[ -z "$bad" ] || fail "banner without the client's own address, or a broken dialogue: $bad"

"$DPIP" -j ipvs stats xmit >"$T/xmit.json" || fail "dpip -j ipvs stats xmit"
python3 - "$T/xmit.json" <<'PY' || fail "pp2 counters: $(cat "$T/xmit.json")"
import json, sys
d = json.load(open(sys.argv[1]))["xmit"]
assert d["pp2_added"]["total"] >= 10, d["pp2_added"]
assert d["pp2_fail"]["total"] == 0, d["pp2_fail"]
PY

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
