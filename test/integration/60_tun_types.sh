#!/bin/bash
# 60_tun_types.sh - TUNNEL with --tun-type gue and gre (ipvsadm 1.31's
# options), through 2 FWD_WORKERs.  This kernel can decapsulate neither
# (no FOU, no GRE modules), so each real server decapsulates in user space:
# rs0 reads GUE from a UDP socket on the tunnel port (the kernel checks the
# UDP checksum first), rs1 reads GRE from a raw protocol-47 socket and
# checks the GRE checksum itself; both write the inner packet into a tun
# device that holds the VIP, and the server answers the client directly.
# Checks: every curl answered through both tunnel types, with and without
# checksums (VIP:80 uses --tun-csum, VIP:81 --tun-nocsum); ipvsadm -Ln
# --tun-info and -S show the tunnel options; and the encapsulated packets,
# captured with tcpdump at each server, checked with scapy field by field
# (outer addresses, TTL, protocol, UDP ports, GUE header, GRE flags and
# protocol type, inner packet) with every checksum recomputed from scratch.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing (no tun devices for the decapsulator)"
need_cmd tcpdump
PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy missing"
GUE_PORT=6080

cat >"$T/decap.py" <<'EOF2'
# user-space GUE / GRE decapsulator -> tun device; counts in the log
import fcntl, os, socket, struct, sys
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
mode, tun, log = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tun.encode(), IFF_TUN | IFF_NO_PI))

def csum_ok(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff

n = {True: 0, False: 0}
def count(good=None):
    if good is not None:
        n[good] += 1
    with open(log, "w") as f:
        f.write("ok %d bad %d\n" % (n[True], n[False]))

if mode == "gue":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[4])))
    count()
    while True:
        d = s.recv(65535)
        good = len(d) > 4 and d[0] == 0 and d[1] == 4 and d[2:4] == b"\0\0"
        count(good)
        if good:
            os.write(fd, d[4:])
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    count()
    while True:
        p = s.recv(65535)
        g = p[(p[0] & 0x0F) * 4:]
        flags, proto = struct.unpack("!HH", g[:4])
        hlen = 8 if flags & 0x8000 else 4
        good = proto == 0x0800 and (flags & 0x7fff) == 0 and (hlen == 4 or csum_ok(g))
        count(good)
        if good:
            os.write(fd, g[hlen:])
EOF2

cat >"$T/verify.py" <<'EOF2'
# check captured GUE / GRE packets with scapy; checksums from scratch
import struct, sys
from scapy.all import rdpcap, Ether, IP, UDP, TCP
kind, pcap, src, dst, client, vip, gport = sys.argv[1:8]
gport = int(gport)

def fold(b, s=0):
    if len(b) % 2:
        b += b"\0"
    s += sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

seen = {80: 0, 81: 0}
for pkt in rdpcap(pcap):
    raw = bytes(pkt[Ether].payload)
    ip = IP(raw)
    assert ip.src == src and ip.dst == dst, (ip.src, ip.dst)
    assert ip.ttl == 64 and ip.ihl == 5, (ip.ttl, ip.ihl)
    assert fold(raw[:20]) == 0xffff, "outer IPv4 checksum"
    assert ip.len == len(raw), (ip.len, len(raw))
    body = raw[20:]
    if kind == "gue":
        assert ip.proto == 17, ip.proto
        u = UDP(body)
        assert u.dport == gport and 49152 <= u.sport <= 65535, (u.sport, u.dport)
        assert u.len == len(body), (u.len, len(body))
        assert body[8:12] == b"\x00\x04\x00\x00", body[8:12].hex()
        inner = body[12:]
        csum = struct.unpack("!H", body[6:8])[0]
    else:
        assert ip.proto == 47, ip.proto
        flags, proto = struct.unpack("!HH", body[:4])
        assert proto == 0x0800 and flags in (0, 0x8000), (hex(flags), hex(proto))
        inner = body[8:] if flags else body[4:]
        csum = flags
    i = IP(inner)
    assert i.src == client and i.dst == vip and i[TCP].dport in (80, 81), i.summary()
    with_csum = i[TCP].dport == 80
    if kind == "gue":
        if with_csum:
            pseudo = bytes(raw[12:20]) + struct.pack("!BBH", 0, 17, len(body))
            assert csum != 0 and fold(body, fold(pseudo)) == 0xffff, "UDP checksum"
        else:
            assert csum == 0, "--tun-nocsum: UDP checksum 0"
    else:
        assert (csum == 0x8000) == with_csum, "GRE C bit"
        if with_csum:
            assert fold(body) == 0xffff and body[6:8] == b"\0\0", "GRE checksum"
    seen[i[TCP].dport] += 1
assert seen[80] > 0 and seen[81] > 0, seen
print("%s ok: %d with checksum, %d without" % (kind, seen[80], seen[81]))
EOF2

ipvs_lab_up 2 --direct
for i in 0 1; do
	ns=${RS_NS[$i]}
	ip -n "$ns" tuntap add dev tv0 mode tun || fail "tun device in $ns"
	ip -n "$ns" addr add "$IPVS_VIP/32" dev tv0
	ip -n "$ns" link set tv0 up
	for k in all default tv0; do
		ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$k.rp_filter=0"
	done
	ipvs_nginx_start "$i"
done
mode=(gue gre)
# --immediate-mode: without it libpcap hands packets over a block at a time
# and the last second of them is lost when tcpdump is stopped
filter=("udp port $GUE_PORT" "ip proto 47")
for i in 0 1; do
	ns=${RS_NS[$i]}
	setsid ip netns exec "$ns" "$PY" "$T/decap.py" "${mode[$i]}" tv0 "$T/decap$i.log" \
		$GUE_PORT </dev/null >"$T/decap$i.out" 2>&1 &
	on_exit "kill -TERM -- -$! ; kill -TERM $!"
	setsid ip netns exec "$ns" tcpdump --immediate-mode -U -n -i "${LAB_PREFIX}r$i" -w "$T/rs$i.pcap" \
		"${filter[$i]}" </dev/null >"$T/tcpdump$i.out" 2>&1 &
	TCPDUMP_PID[i]=$!
	on_exit "kill -TERM -- -$! 2>/dev/null; kill -TERM $! 2>/dev/null"
done
for i in 0 1; do
	wait_for 10 "[ -s $T/decap$i.log ]" || fail "decapsulator $i did not start: $(cat "$T/decap$i.out")"
	wait_for 10 "grep -q listening $T/tcpdump$i.out" || fail "tcpdump $i: $(cat "$T/tcpdump$i.out")"
done
ipvs_dpvsd_start

for port in 80 81; do
	"$IPVSADM" -A -t "$IPVS_VIP:$port" -s rr || fail "ipvsadm -A $port"
done
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[0]}" -i --tun-type gue --tun-port $GUE_PORT \
	--tun-csum || fail "add gue server"
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[1]}" -i --tun-type gre --tun-csum ||
	fail "add gre server"
"$IPVSADM" -a -t "$IPVS_VIP:81" -r "${RS_IP[0]}" -i --tun-type gue --tun-port $GUE_PORT ||
	fail "add gue server (nocsum)"
"$IPVSADM" -a -t "$IPVS_VIP:81" -r "${RS_IP[1]}" -i --tun-type gre --tun-nocsum ||
	fail "add gre server (nocsum)"
out=$("$IPVSADM" -Ln --tun-info)
expect_match "$out" "Forward TunnelInfo    Weight" "--tun-info title"
expect_match "$out" "${RS_IP[0]}:80 +Tunnel  gue:$GUE_PORT:\+c   1 " "gue with checksum"
expect_match "$out" "${RS_IP[1]}:80 +Tunnel  gre:\+c        1 " "gre with checksum"
expect_match "$out" "${RS_IP[0]}:81 +Tunnel  gue:$GUE_PORT:-c   1 " "gue without checksum"
expect_match "$out" "${RS_IP[1]}:81 +Tunnel  gre:-c        1 " "gre without checksum"
out=$("$IPVSADM" -Sn)
expect_match "$out" "-a -t $IPVS_VIP:80 -r ${RS_IP[0]}:80 -i -w 1 --tun-type gue --tun-port $GUE_PORT --tun-csum" "-S gue"
expect_match "$out" "-a -t $IPVS_VIP:81 -r ${RS_IP[1]}:81 -i -w 1 --tun-type gre --tun-nocsum" "-S gre"
"$IPVSADM" -a -t "$IPVS_VIP:81" -r 10.77.2.99 -i --tun-type gre --tun-port 1 2>"$T/err" &&
	fail "--tun-port with gre accepted"
expect_match "$(cat "$T/err")" "Illegal 'tun-port' option with the 'gre' tunnel type" "gre port error"

for port in 80 81; do
	ipvs_curl_n 20 "http://$IPVS_VIP:$port/" >"$T/curl$port.out"
	expect_eq "$(ipvs_count ERR "$T/curl$port.out")" 0 "failed requests to port $port"
	c0=$(ipvs_count rs0 "$T/curl$port.out"); c1=$(ipvs_count rs1 "$T/curl$port.out")
	echo "port $port: gue (rs0) $c0, gre (rs1) $c1"
	[ "$c0" -ge 8 ] && [ "$c1" -ge 8 ] || fail "port $port: rr over gue and gre: $c0 / $c1"
done
for i in 0 1; do
	expect_match "$(cat "$T/decap$i.log")" "bad 0" "${mode[$i]} decapsulator saw only good packets"
done

for i in 0 1; do
	kill -TERM "${TCPDUMP_PID[$i]}" 2>/dev/null
	wait "${TCPDUMP_PID[$i]}"
	"$PY" "$T/verify.py" "${mode[$i]}" "$T/rs$i.pcap" "$LAB_DPVS_IP1" "${RS_IP[$i]}" \
		"$LAB_CLIENT_IP" "$IPVS_VIP" $GUE_PORT || fail "captured ${mode[$i]} packets at rs$i"
done

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
