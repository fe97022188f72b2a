#!/bin/bash
# 53_arp_flood.sh - abuse: an ARP flood from the client's link (scapy, 5000
# requests for dpvsd's address from random sender addresses of the link
# (.3-.199; the real clients are .2 and .250, poisoning them is not the point)
# and from outside it, random MACs, plus gratuitous replies) against
# 1024-entry neighbour tables.  Checks: dpvsd stays up, `dpip neigh show`
# stays bounded, and afterwards a client that dpvsd never saw before and
# the real client still reach the VIP (FNAT) and ping dpvsd.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
PY=/usr/bin/python3
need_py scapy.all

ipvs_lab_up 1
ipvs_dpvsd_start
ipvs_nginx_start 0
"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A"
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[0]}:80" -b || fail "ipvsadm -a"
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "ipvsadm -P"
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add"
ipvs_curl_n 2 "http://$IPVS_VIP/" >"$T/pre.out"
expect_eq "$(ipvs_count ERR "$T/pre.out")" 0 "requests before the flood"

# Frames of the flood that dpvsd has seen: ARP frames counted in, plus
# what the port dropped before rx (missed, no mbuf).
flood_seen() {
	local arp port
	arp=$("$DPIP" -j ip stats | $PY -c 'import json, sys; print(json.load(sys.stdin)["arp"]["arp_in"])')
	port=$("$DPIP" -j link show dpdk0 -s | $PY -c '
import json, sys
print(sum(l["stats64"]["rx"]["missed"] + l["stats64"]["rx"]["nombuf"] for l in json.load(sys.stdin)))')
	echo $((arp + port))
}
seen0=$(flood_seen)
DMAC=$(cat "/sys/class/net/$LAB_IF0/address")
ip netns exec "$LAB_NS_CLIENT" $PY - "${LAB_P}c" "$DMAC" "$LAB_DPVS_IP0" <<'PYEOF' >"$T/send.out" 2>&1 || fail "scapy: $(tail -n 5 "$T/send.out")"
import random, sys
from scapy.all import Ether, ARP, sendp, conf
conf.verb = 0
iface, dmac, dpvs = sys.argv[1:4]
net = dpvs.rsplit(".", 1)[0]
rnd = random.Random(53)
def mac():
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(rnd.randrange(256) for _ in range(5))
frames = []
for i in range(5000):
    m = mac()
    if i % 3 == 0:
        src = "%d.%d.%d.%d" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
    else:
        src = "%s.%d" % (net, rnd.randrange(3, 200))   # .2 and .200+ stay real
    op = 2 if i % 5 == 0 else 1
    dst = "ff:ff:ff:ff:ff:ff" if op == 1 else dmac
    frames.append(Ether(src=m, dst=dst) / ARP(op=op, hwsrc=m, psrc=src, pdst=dpvs))
sendp(frames, iface=iface, verbose=False)
print("sent", len(frames))
PYEOF
cat "$T/send.out"
wait_for 15 "! _lib_alive $DPVSD_PID || [ \$(( \$(flood_seen) - seen0 )) -ge 5000 ]" ||
	fail "dpvsd saw only $(( $(flood_seen) - seen0 )) of the 5000 flood frames"
_lib_alive "$DPVSD_PID" || fail "dpvsd died under the ARP flood"
n=$("$DPIP" neigh show | wc -l)
echo "neighbours after the flood: $n"
[ "$n" -le 2048 ] || fail "$n neighbours listed, more than the tables hold"

# A new client address on the client's link (never seen by dpvsd).
ip -n "$LAB_NS_CLIENT" addr add "${LAB_CLIENT_IP%.*}.250/24" dev "${LAB_P}c" ||
	fail "second client address"
out=$(ip netns exec "$LAB_NS_CLIENT" curl -s -m 5 --interface "${LAB_CLIENT_IP%.*}.250" "http://$IPVS_VIP/") ||
	fail "a new client cannot reach the VIP after the ARP flood"
expect_eq "$out" "rs0" "answer to the new client"
ip netns exec "$LAB_NS_CLIENT" ping -c 2 -W 2 "$LAB_DPVS_IP0" >/dev/null || fail "ping after the flood"
ipvs_curl_n 5 "http://$IPVS_VIP/" >"$T/post.out"
expect_eq "$(ipvs_count ERR "$T/post.out")" 0 "requests after the flood"
"$DPIP" ip stats arp

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
