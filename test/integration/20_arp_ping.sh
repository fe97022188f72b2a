#!/bin/bash
# 20_arp_ping.sh - dpvsd answers ARP and ping for its addresses from a client
# namespace (scripts/lab.sh), learns the client as a neighbour, and
# `dpip addr|neigh|route|ip stats` show it; `dpip lcore show` gives the
# forwarding lcore's busy % (idle vs a ping flood); addresses and static neighbours
# change at run time; bad dpip arguments and refusals exit non-zero.
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping arping

P="a$TAG"
LAB="$ROOT/scripts/lab.sh"
"$LAB" up --prefix "$P" --servers 1 >"$T/lab.env" || fail "lab up"
on_exit "'$LAB' down --prefix '$P'"
source "$T/lab.env"
CLI="ip netns exec $LAB_NS_CLIENT"

dpvsd_config "$T/d.conf" "$("$LAB" config --prefix "$P")"
dpvsd_start "$T/d.conf"

stat() {	# group name -> value from dpip -j ip stats
	"$DPIP" -j ip stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1']['$2'])"
}
rep0=$(stat icmp out_echo_replies)
arp0=$(stat arp arp_replies_out)

$CLI ping -c 3 -i 0.2 -W 2 "$LAB_DPVS_IP0" >"$T/ping" || fail "ping $LAB_DPVS_IP0: $(cat "$T/ping")"
$CLI arping -c 2 -w 4 -I "${P}c" "$LAB_DPVS_IP0" >"$T/arping" 2>&1 ||
	fail "arping $LAB_DPVS_IP0: $(cat "$T/arping")"
expect_match "$(cat "$T/arping")" "2 packets received|Received 2 response" "arping answered"

cmac=$($CLI cat "/sys/class/net/${P}c/address")
out=$("$DPIP" neigh show)
expect_match "$out" "$LAB_CLIENT_IP dev dpdk0 lladdr $cmac (REACHABLE|STALE|PROBE)" "neigh show lists the client"
out=$("$DPIP" neigh show dev dpdk1)
[[ "$out" != *"$LAB_CLIENT_IP"* ]] || fail "client listed on dpdk1: $out"
st=$("$DPIP" -j neigh show | /usr/bin/python3 -c "
import json,sys
for e in json.load(sys.stdin):
    if e['dst'] == '$LAB_CLIENT_IP': print(e['dev'], e['lladdr'])")
expect_eq "$st" "dpdk0 $cmac" "neigh show -j"

expect_match "$("$DPIP" addr show dev dpdk0)" "inet $LAB_DPVS_IP0/24 scope global dpdk0" "addr show"
expect_match "$("$DPIP" route show)" "10.77.1.0/24 dev dpdk0 proto kernel scope link src $LAB_DPVS_IP0" "connected route"

rep1=$(stat icmp out_echo_replies)
arp1=$(stat arp arp_replies_out)
[ $((rep1 - rep0)) -ge 3 ] || fail "echo replies counted: $rep0 -> $rep1"
[ $((arp1 - arp0)) -ge 2 ] || fail "ARP replies counted: $arp0 -> $arp1"

# An address added at run time answers; deleted, it does not.
"$DPIP" addr add 10.77.1.5/24 dev dpdk0 || fail "addr add"
$CLI ping -c 1 -W 2 10.77.1.5 >/dev/null || fail "ping of a run-time address"
out=$("$DPIP" addr add 10.77.1.5/24 dev dpdk0 2>&1) && fail "duplicate addr add succeeded"
expect_match "$out" "already configured" "duplicate address refused"
"$DPIP" addr del 10.77.1.5/24 dev dpdk0 || fail "addr del"
$CLI ip neigh flush dev "${P}c"
$CLI ping -c 1 -W 1 10.77.1.5 >/dev/null 2>&1 && fail "deleted address still answers"
expect_match "$("$DPIP" route show)" "10.77.1.0/24 dev dpdk0" "connected route kept (other address)"

# Static neighbours.
"$DPIP" neigh add 10.77.1.77 lladdr 02:00:00:00:77:77 dev dpdk0 || fail "neigh add"
expect_match "$("$DPIP" neigh show)" "10.77.1.77 dev dpdk0 lladdr 02:00:00:00:77:77 PERMANENT" "static neighbour"
"$DPIP" neigh flush dev dpdk0 || fail "neigh flush"
expect_match "$("$DPIP" neigh show)" "10.77.1.77 .*PERMANENT" "flush keeps static entries"
[[ "$("$DPIP" neigh show)" != *"$LAB_CLIENT_IP "* ]] || fail "flush left the client entry"
"$DPIP" neigh del 10.77.1.77 dev dpdk0 || fail "neigh del"
[[ "$("$DPIP" neigh show)" != *10.77.1.77* ]] || fail "neigh del left the entry"
# ... and the client is learned again.
$CLI ping -c 1 -W 2 "$LAB_DPVS_IP0" >/dev/null || fail "ping after flush"

# Loop busy % of the forwarding lcore (dpip lcore show [interval SECS]):
# idle it is near 0; under a ping flood it rises; -j carries busy_pct, the
# text "busy N% (last 1 s)"; imissed/ierrors are in link show -s and -j.
busy() {	# [interval args] -> busy_pct of lcore 1
	"$DPIP" -j lcore show "$@" | /usr/bin/python3 -c "
import json,sys
d = json.load(sys.stdin)
print([l for l in d['lcores'] if l['lcore'] == 1][0]['busy_pct'], d['busy_interval_s'])"
}
read -r idle iv <<<"$(busy interval 1)"
expect_eq "$iv" 1 "busy_interval_s"
$CLI ping -f -c 20000 -w 3 -q "$LAB_DPVS_IP0" >/dev/null 2>&1 &
FLOOD=$!
on_exit "kill -KILL $FLOOD"
sleep 0.3
read -r loaded _ <<<"$(busy interval 1)"
wait "$FLOOD"
echo "lcore 1 busy: idle ${idle}%, under a ping flood ${loaded}%"
/usr/bin/python3 -c "import sys; i, l = float('$idle'), float('$loaded'); \
sys.exit(0 if 0 <= i < 5 and l > 2 * i and l > 1 and l <= 100 else 1)" ||
	fail "busy % idle $idle, loaded $loaded"
since=$(busy | cut -d' ' -f1)
/usr/bin/python3 -c "import sys; sys.exit(0 if 0 < float('$since') <= 100 else 1)" ||
	fail "busy % since start: $since"
expect_match "$("$DPIP" lcore show interval 1)" "lcore 1: fwd_worker  loops [0-9]+ busy [0-9.]+% \(last 1 s\) sleeps" \
	"lcore show interval text"
expect_match "$("$DPIP" lcore show)" "lcore 1: fwd_worker  loops [0-9]+ busy [0-9.]+% sleeps" "lcore show text"
"$DPIP" lcore show interval 0 2>/dev/null; expect_eq $? 2 "interval 0 exit code"
"$DPIP" lcore show interval 61 2>/dev/null; expect_eq $? 2 "interval 61 exit code"
"$DPIP" lcore show every 1 2>/dev/null; expect_eq $? 2 "unknown word exit code"
expect_match "$("$DPIP" -s link show dpdk0)" "RX: +bytes +packets +errors +dropped +missed" "link -s header"
st=$("$DPIP" -j -s link show dpdk0 | /usr/bin/python3 -c "
import json,sys
r = json.load(sys.stdin)[0]['stats64']['rx']; print(r['errors'], r['missed'])")
expect_match "$st" "^[0-9]+ [0-9]+$" "rx errors (ierrors) and missed (imissed) in -j"

# Bad arguments: usage errors exit 2, refusals exit 1 with a message.
"$DPIP" addr add 10.77.1.300/24 dev dpdk0 2>/dev/null; expect_eq $? 2 "bad address exit code"
"$DPIP" route add 10.0.0.0/8 via nowhere dev dpdk0 2>/dev/null; expect_eq $? 2 "bad gateway exit code"
"$DPIP" neigh add 10.77.1.9 lladdr 02:00:00:00:00 dev dpdk0 2>/dev/null; expect_eq $? 2 "bad lladdr exit code"
out=$("$DPIP" addr add 10.77.9.1/24 dev nosuch 2>&1); expect_eq $? 1 "unknown device exit code"
expect_eq "$out" 'dpip: Cannot find device "nosuch"' "unknown device message"
out=$("$DPIP" link show nosuch 2>&1); expect_eq $? 1 "link show of an unknown device: exit code"
expect_eq "$out" 'dpip: Cannot find device "nosuch"' "the same message for links"
out=$("$DPIP" neigh add 10.77.1.9 lladdr 01:00:5e:00:00:01 dev dpdk0 2>&1); expect_eq $? 1 "multicast lladdr refused"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
