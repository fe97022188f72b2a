#!/bin/bash
# 58_pmtu.sh - path MTU discovery through FNAT and NAT (issue 8).  One real
# server running a small python3 HTTP server (GET /N answers N bytes, POST
# answers "got N" for an N-byte body).  dpvsd's route toward the server
# has MTU 1400 and its route toward the client MTU 1300, while both
# endpoints keep 1500 on their own links: neither side's MSS knows, so only
# PMTU discovery through dpvsd can make big transfers work.  TOA is off on
# the FNAT service (its MSS clamp would hide the client -> server case).
# Checks, for FNAT (VIP 10.77.100.1) and NAT (VIP 10.77.100.2):
#   - an upload (client -> server, DF, 1500-byte packets) completes; the
#     client received ICMP fragmentation needed (mtu 1400) quoting its own
#     packet client -> VIP:port (tcpdump), and its kernel's route to the VIP
#     shows mtu 1400;
#   - a download (server -> client) completes; the server received the
#     error (mtu 1300) about its own packet (RS -> local address for FNAT,
#     RS -> client for NAT), and its route there shows mtu 1300;
#   - a UDP datagram without DF larger than the server-side MTU is
#     fragmented by dpvsd and answered (ipv4 counter "fragmented");
#   - xmit counter frag_needed counts the errors.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_cmd tcpdump

VIP_F=10.77.100.1
VIP_N=10.77.100.2

cat >"$T/http_srv.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.reply(b"d" * int(self.path.strip("/") or "100"))
    def do_POST(self):
        n, got = int(self.headers.get("Content-Length", "0")), 0
        while got < n:
            b = self.rfile.read(min(65536, n - got))
            if not b:
                break
            got += len(b)
        self.reply(b"got %d\n" % got)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()
EOF

cat >"$T/udp_nodf.py" <<'EOF'
import socket, sys
vip, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)	# IP_MTU_DISCOVER = IP_PMTUDISC_DONT: no DF
s.settimeout(1.0)
for t in range(3):
    s.sendto(b"u" * size, (vip, port))
    try:
        print(s.recv(2048).decode())
        sys.exit(0)
    except socket.timeout:
        pass
print("ERR")
EOF

ipvs_lab_up 1
ipvs_dpvsd_start
RS=${RS_IP[0]}
setsid ip netns exec "${RS_NS[0]}" /usr/bin/python3 "$T/http_srv.py" </dev/null >"$T/http.log" 2>&1 &
on_exit "kill -TERM -- -$! ; kill -TERM $!"
ipvs_udp_start 0
wait_for 10 "ip netns exec ${RS_NS[0]} ss -ltn | grep -q ':8080 '" ||
	fail "HTTP server did not start: $(cat "$T/http.log")"

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
"$DPIP" route add "$RS/32" dev dpdk1 mtu 1400 || fail "route to the server with mtu 1400"
"$DPIP" route add "$LAB_CLIENT_IP/32" dev dpdk0 mtu 1300 || fail "route to the client with mtu 1300"
"$IPVSADM" -A -t "$VIP_F:80" -s rr --no-toa || fail "ipvsadm -A fnat"
"$IPVSADM" -a -t "$VIP_F:80" -r "$RS:8080" -b || fail "ipvsadm -a fnat"
"$IPVSADM" -P -t "$VIP_F:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"
"$IPVSADM" -A -t "$VIP_N:80" -s rr || fail "ipvsadm -A nat"
"$IPVSADM" -a -t "$VIP_N:80" -r "$RS:8080" -m || fail "ipvsadm -a nat"
"$IPVSADM" -A -u "$VIP_N:5353" -s rr || fail "ipvsadm -A udp nat"
"$IPVSADM" -a -u "$VIP_N:5353" -r "$RS:5353" -m || fail "ipvsadm -a udp nat"
head -c 300000 /dev/urandom >"$T/up.bin"

# tcpdump NS IFACE FILTER OUT: one matching packet, in the background (TD).
capture() {
	ip netns exec "$1" timeout 30 tcpdump -l -i "$2" -nn -v -c 1 "$3" >"$4" 2>&1 &
	TD=$!
	wait_for 10 "grep -q 'listening on' '$4'" || fail "tcpdump did not start: $(cat "$4")"
}
FRAG='icmp[icmptype] == 3 and icmp[icmpcode] == 4'

# ---- UDP without DF, larger than the server side's MTU: fragmented ----
# (first, before the client learns a smaller MTU toward VIP_N)
frag0=$("$DPIP" ip stats ipv4 2>/dev/null | awk '$1 == "fragmented" {print $2}')
ans=$(ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/udp_nodf.py" "$VIP_N" 5353 1450)
expect_match "$ans" "^rs0 $LAB_CLIENT_IP:" "answer to a 1478-byte datagram without DF"
frag1=$("$DPIP" ip stats ipv4 2>/dev/null | awk '$1 == "fragmented" {print $2}')
[ "${frag1:-0}" -gt "${frag0:-0}" ] || fail "ipv4 'fragmented' did not grow (${frag0:-?} -> ${frag1:-?})"

# upload_check VIP WHAT: a 300000-byte POST completes and the client got
# the error about its own packet to VIP:80.
upload_check() {
	local vip=$1 what=$2 out
	capture "$LAB_NS_CLIENT" "${LAB_PREFIX}c" "$FRAG" "$T/up_icmp.txt"
	out=$(ip netns exec "$LAB_NS_CLIENT" curl -s -m 20 -H 'Expect:' --data-binary @"$T/up.bin" \
		"http://$vip/") || out="curl failed ($?)"
	wait "$TD"
	echo "$what upload: $out"
	expect_eq "$out" "got 300000" "$what upload through a 1400-byte server side"
	expect_match "$(cat "$T/up_icmp.txt")" "need to frag \\(mtu 1400\\)" \
		"$what: fragmentation needed with the server side's MTU at the client"
	expect_match "$(cat "$T/up_icmp.txt")" "$LAB_CLIENT_IP\\.[0-9]+ > ${vip//./\\.}\\.80:" \
		"$what: the error quotes the client's own packet to the VIP"
	expect_match "$(ip netns exec "$LAB_NS_CLIENT" ip route get "$vip")" "mtu 1400" \
		"$what: the client's kernel learned the path MTU"
}

# download_check VIP DST WHAT: a 400000-byte GET completes and the server
# got the error about its own packet to DST.
download_check() {
	local vip=$1 dst=$2 what=$3 n
	capture "${RS_NS[0]}" "${LAB_PREFIX}r0" "$FRAG" "$T/down_icmp.txt"
	n=$(ip netns exec "$LAB_NS_CLIENT" curl -s -m 20 -o "$T/down.bin" -w '%{size_download}' \
		"http://$vip/400000") || n="curl failed ($?)"
	wait "$TD"
	echo "$what download: $n bytes"
	expect_eq "$n" 400000 "$what download through a 1300-byte client side"
	expect_match "$(cat "$T/down_icmp.txt")" "need to frag \\(mtu 1300\\)" \
		"$what: fragmentation needed with the client side's MTU at the server"
	expect_match "$(cat "$T/down_icmp.txt")" "${RS//./\\.}\\.8080 > ${dst//./\\.}\\.[0-9]+:" \
		"$what: the error quotes the server's own packet"
	expect_match "$(ip netns exec "${RS_NS[0]}" ip route get "$dst")" "mtu 1300" \
		"$what: the server's kernel learned the path MTU"
}

upload_check "$VIP_F" FNAT
download_check "$VIP_F" "$IPVS_LADDR1" FNAT
upload_check "$VIP_N" NAT
download_check "$VIP_N" "$LAB_CLIENT_IP" NAT

"$DPIP" -j ipvs stats xmit >"$T/xmit.json" || fail "dpip -j ipvs stats xmit"
python3 - "$T/xmit.json" <<'PY' || fail "frag_needed not counted: $(cat "$T/xmit.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["xmit"]["frag_needed"]["total"] >= 4, d["xmit"]["frag_needed"]
assert d["xmit"]["no_headroom"]["total"] == 0, d["xmit"]["no_headroom"]
PY

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
