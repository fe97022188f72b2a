#!/bin/bash
# 51_malformed_l4.sh - abuse: bursts of malformed TCP/UDP at a VIP from the
# client namespace (python3-scapy, raw frames to dpdk0's MAC): TCP data
# offsets below 5 and past the packet, truncated TCP/UDP headers, IPv4
# total lengths shorter than the L4 header, zero and odd ports, TCP options
# that overflow the header (length 0, 1, past the end), every flag at once,
# full-size frames with options, UDP lengths that lie, IPv4 fragments, and
# ICMP errors quoting truncated headers; every kind 40 times, interleaved
# with live connections.  Checks: dpvsd stays up, the bad headers are
# counted (`dpip ipvs stats` malformed, `dpip ip stats`), and HTTP and UDP
# through the same VIP still work afterwards.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
PY=/usr/bin/python3
need_py scapy.all

ipvs_lab_up 1
ipvs_dpvsd_start
ipvs_nginx_start 0
ipvs_udp_start 0

"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A tcp"
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[0]}:80" -b || fail "ipvsadm -a tcp"
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "ipvsadm -P"
"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A udp"
"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "${RS_IP[0]}:5353" -m || fail "ipvsadm -a udp"
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
ipvs_curl_n 2 "http://$IPVS_VIP/" >"$T/pre.out"
expect_eq "$(ipvs_count ERR "$T/pre.out")" 0 "requests before the burst"
ipvs_udp_client 2 >"$T/udp.pre"
expect_eq "$(ipvs_count ERR "$T/udp.pre")" 0 "UDP before the burst"

stat_total() {
	"$DPIP" ipvs stats | awk -v n="$1" '$1 == n { print $2; exit }'
}
mal0=$(stat_total malformed)
DMAC=$(cat "/sys/class/net/$LAB_IF0/address")

ip netns exec "$LAB_NS_CLIENT" $PY - "${LAB_P}c" "$DMAC" "$LAB_CLIENT_IP" "$IPVS_VIP" <<'PYEOF' >"$T/send.out" 2>&1 || fail "scapy sender: $(tail -n 5 "$T/send.out")"
import sys
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, sendp, conf
conf.verb = 0
iface, dmac, cli, vip = sys.argv[1:5]
E = Ether(dst=dmac)
ip = IP(src=cli, dst=vip)

def raw_ip(proto, payload, **kw):
    p = IP(src=cli, dst=vip, proto=proto, **kw) / Raw(payload)
    return E / p

tcp20 = bytes(TCP(sport=41000, dport=80, flags="S"))
udp8 = bytes(UDP(sport=41000, dport=5353, len=8))
bad = []
for off in (0, 1, 4):
    bad.append(E / ip / TCP(sport=41001, dport=80, flags="S", dataofs=off))
bad.append(E / ip / TCP(sport=41002, dport=80, flags="S", dataofs=15))          # past the packet
bad.append(raw_ip(6, tcp20[:10]))                                                # truncated TCP
bad.append(raw_ip(6, tcp20[:19]))
bad.append(raw_ip(17, udp8[:5]))                                                 # truncated UDP
bad.append(E / IP(src=cli, dst=vip, proto=6, len=30) / Raw(tcp20 + b"x" * 20))  # tot_len < L4 header
bad.append(E / ip / TCP(sport=0, dport=80, flags="S"))                           # zero ports
bad.append(E / ip / TCP(sport=41003, dport=0, flags="S"))
bad.append(E / ip / UDP(sport=0, dport=5353) / Raw(b"z"))
bad.append(E / ip / TCP(sport=65535, dport=80, flags="S"))                       # odd ports
for opts in (b"\x02\x00\x05\xb4", b"\x08\x01\x00\x00", b"\x02\x20\x05\xb4",      # len 0, 1, past the end
             b"\xfe\x08\x00\x50", b"\x05\x0a\x00\x00", b"\x01" * 3 + b"\x03",
             b"\x02\x04\x05\xb4" * 9 + b"\x08\x0a"):                          # 38 + overflowing option
    n = (len(opts) + 3) // 4
    bad.append(E / ip / TCP(sport=41004, dport=80, flags="S", dataofs=5 + n) /
               Raw(opts.ljust(4 * n, b"\x00")))
bad.append(E / ip / TCP(sport=41005, dport=80, flags="FSRPAUEC"))                 # every flag
bad.append(E / ip / TCP(sport=41006, dport=80, flags="SF"))
bad.append(E / ip / TCP(sport=41007, dport=80, flags="S",
                        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 2)),
                                 ("WScale", 14), ("NOP", None), ("NOP", None)]) /
           Raw(b"h" * 1400))                                                     # full size + options
bad.append(E / ip / TCP(sport=41008, dport=80, flags="A", seq=1, ack=1) / Raw(b"a" * 1460))
bad.append(E / ip / UDP(sport=41009, dport=5353, len=200) / Raw(b"q" * 10))      # UDP length lies
bad.append(E / ip / UDP(sport=41010, dport=5353, len=4) / Raw(b"q" * 10))
bad.append(E / ip / UDP(sport=41011, dport=5353, len=0) / Raw(b"q" * 10))
bad.append(E / IP(src=cli, dst=vip, flags="MF", frag=0) / TCP(sport=41012, dport=80, flags="S"))
bad.append(E / IP(src=cli, dst=vip, frag=100) / Raw(b"f" * 40))                  # non-first fragment
bad.append(E / IP(src=cli, dst=vip, proto=6, flags="MF", frag=3) / Raw(b"f" * 8))
bad.append(E / IP(src=cli, dst=vip) / ICMP(type=3, code=3) /
           Raw(bytes(IP(src=vip, dst=cli, proto=6))[:20] + b"\x00\x50"))        # quoted TCP cut short
bad.append(E / IP(src=cli, dst=vip) / ICMP(type=3, code=4) / Raw(b"\x45" + b"\x00" * 10))
frames = [bytes(p) for p in bad]
good = E / ip / UDP(sport=42000, dport=5353) / Raw(b"ok")
for r in range(40):
    sendp([Raw(f) for f in frames] + [good], iface=iface, verbose=False)
print("sent", 40 * len(frames), "bad frames of", len(frames), "kinds")
PYEOF
cat "$T/send.out"
# Wait for the workers to count the burst (or for dpvsd to die).
mal_counted() {
	mal=$(stat_total malformed)
	[ $(( ${mal:-0} - ${mal0:-0} )) -ge 200 ]
}
wait_for 10 "! _lib_alive $DPVSD_PID || mal_counted" || true
_lib_alive "$DPVSD_PID" || fail "dpvsd died under the malformed burst"
mal_counted || fail "malformed L4 headers not counted (${mal0:-?} -> ${mal:-?})"
echo "ipvs malformed: $mal0 -> $mal"
"$DPIP" ip stats ipv4 | head -n 30

ipvs_curl_n 5 "http://$IPVS_VIP/" >"$T/post.out"
expect_eq "$(ipvs_count ERR "$T/post.out")" 0 "HTTP after the burst"
ipvs_udp_client 5 >"$T/udp.out"
expect_eq "$(ipvs_count ERR "$T/udp.out")" 0 "UDP after the burst"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
