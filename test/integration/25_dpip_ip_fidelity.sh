#!/bin/bash
# 25_dpip_ip_fidelity.sh - dpip against a running dpvsd where it follows
# ip(8): object spellings (l, a, r, n, address, neighbor, neighbour), -br
# output of link and addr, addr flush, route get (the daemon's own lookup:
# dev, via, src, mtu), route flush (all but connected routes, or one dev),
# "Nexthop has invalid gateway", one message for a missing device, one
# message and range (0..32) for prefix lengths.
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping

P="f$TAG"
LAB="$ROOT/scripts/lab.sh"
"$LAB" up --prefix "$P" --servers 1 >"$T/lab.env" || fail "lab up"
on_exit "'$LAB' down --prefix '$P'"
source "$T/lab.env"
GW=${LAB_SERVER_IPS%% *}
IP0=$LAB_DPVS_IP0
IP1=$LAB_DPVS_IP1

dpvsd_config "$T/d.conf" "$("$LAB" config --prefix "$P")"
dpvsd_start "$T/d.conf"

# ---- object spellings, as ip(8) takes them ----
for w in l li link; do
	expect_match "$("$DPIP" $w show 2>&1)" "^0: dpdk0: <" "dpip $w show is link"
done
for w in a addr address; do
	expect_match "$("$DPIP" $w show dev dpdk0 2>&1)" "inet $IP0/24 scope global dpdk0" "dpip $w"
done
for w in r ro route; do
	expect_match "$("$DPIP" $w 2>&1)" "10.77.1.0/24 dev dpdk0 proto kernel" "dpip $w"
done
for w in n neigh neighbor neighbour; do
	"$DPIP" $w show >/dev/null || fail "dpip $w show"
done
"$DPIP" lc show >/dev/null || fail "dpip lc (lcore) show"
"$DPIP" lo show >/dev/null || fail "dpip lo (log) show"
"$DPIP" c show >/dev/null 2>&1; expect_eq $? 2 "dpip c (ctl or cfg) is unknown"

# ---- -br, in ip -br's columns ----
out=$("$DPIP" -br link)
mac0=$("$DPIP" -j link show dpdk0 | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
expect_eq "$(printf '%s\n' "$out" | head -1)" \
	"$(printf '%-16s %-14s %s <%s> ' dpdk0 UP "$mac0" BROADCAST,MULTICAST,UP,LOWER_UP)" "-br link line"
expect_eq "$(printf '%s\n' "$out" | wc -l)" 2 "-br link: one line per port"
expect_eq "$("$DPIP" -brief link show dev dpdk1 | wc -l)" 1 "-brief link show dev"
"$DPIP" addr add 10.77.1.7/24 dev dpdk0 || fail "addr add"
expect_eq "$("$DPIP" -br addr show dev dpdk0)" \
	"$(printf '%-16s %-14s %s %s ' dpdk0 UP "$IP0/24" 10.77.1.7/24)" "-br addr line"
expect_eq "$("$DPIP" --brief a | wc -l)" 2 "--brief addr: one line per port"
st=$("$DPIP" -j -br addr show dpdk0 | /usr/bin/python3 -c "
import json,sys
d = json.load(sys.stdin)[0]
print(d['ifname'], d['operstate'], ' '.join('%s/%d' % (a['local'], a['prefixlen']) for a in d['addr_info']))")
expect_eq "$st" "dpdk0 UP $IP0/24 10.77.1.7/24" "-j -br addr"
st=$("$DPIP" -j -br link show dpdk0 | /usr/bin/python3 -c "
import json,sys
d = json.load(sys.stdin)[0]
print(d['ifname'], d['operstate'], d['address'], ','.join(d['flags']))")
expect_eq "$st" "dpdk0 UP $mac0 BROADCAST,MULTICAST,UP,LOWER_UP" "-j -br link"
out=$("$DPIP" -br route show 2>&1); expect_eq $? 2 "-br route refused"
expect_match "$out" "applies to link show and addr show only" "-br route message"

# ---- route get: the daemon's lookup ----
expect_eq "$("$DPIP" route get "$LAB_CLIENT_IP")" "$LAB_CLIENT_IP dev dpdk0 src $IP0 mtu 1500" \
	"route get on a connected network"
"$DPIP" route add 10.88.0.0/16 via "$GW" dev dpdk1 mtu 1400 metric 5 || fail "route add mtu"
"$DPIP" route add 10.88.0.0/16 via 10.77.2.99 dev dpdk1 metric 9 || fail "route add metric 9"
expect_eq "$("$DPIP" route get 10.88.1.1)" "10.88.1.1 via $GW dev dpdk1 src $IP1 mtu 1400" \
	"route get via a gateway (lowest metric, route mtu)"
"$DPIP" route del 10.88.0.0/16 metric 5 || fail "route del metric 5"
expect_eq "$("$DPIP" route get to 10.88.1.1)" "10.88.1.1 via 10.77.2.99 dev dpdk1 src $IP1 mtu 1500" \
	"route get follows the table"
st=$("$DPIP" -j route get 10.88.1.1 | /usr/bin/python3 -c "
import json,sys
d = json.load(sys.stdin)[0]
print(d['dst'], d['gateway'], d['dev'], d['prefsrc'], d['mtu'])")
expect_eq "$st" "10.88.1.1 10.77.2.99 dpdk1 $IP1 1500" "route get -j"
out=$("$DPIP" route get 192.0.2.1 2>&1); expect_eq $? 1 "route get without a route"
expect_match "$out" "Network is unreachable" "route get without a route: message"

# ---- gateways must be on a connected network of the device ----
for gw in 192.168.5.1 10.88.0.5; do
	out=$("$DPIP" route add 10.66.0.0/16 via $gw dev dpdk1 2>&1); expect_eq $? 1 "route via $gw refused"
	expect_match "$out" "^dpip: Nexthop has invalid gateway" "route via $gw: message"
done
out=$("$DPIP" route add 10.66.0.0/16 via "$GW" dev dpdk0 2>&1); expect_eq $? 1 "gateway of the other port refused"
expect_match "$out" "Nexthop has invalid gateway" "gateway of the other port: message"
"$DPIP" route add 10.66.0.0/16 via "$GW" dev dpdk1 || fail "route via a connected gateway"
[[ "$("$DPIP" route show)" != *192.168.5.1* ]] || fail "a refused route was installed"

# ---- route flush: all but the connected routes, or one device's ----
"$DPIP" route add 10.55.0.0/16 via 10.77.1.9 dev dpdk0 || fail "route add on dpdk0"
"$DPIP" route flush dev dpdk1 || fail "route flush dev dpdk1"
out=$("$DPIP" route show)
[[ "$out" != *10.88.0.0* && "$out" != *10.66.0.0* ]] || fail "route flush dev left routes: $out"
expect_match "$out" "10.55.0.0/16 via 10.77.1.9 dev dpdk0" "route flush dev keeps the other port's"
expect_match "$out" "10.77.2.0/24 dev dpdk1 proto kernel" "route flush keeps connected routes"
"$DPIP" route flush || fail "route flush"
expect_eq "$("$DPIP" route show | grep -vc 'proto kernel')" 0 "route flush leaves connected routes only"
expect_eq "$("$DPIP" route show | grep -c 'proto kernel')" 2 "both connected routes kept"

# ---- addr flush ----
out=$("$DPIP" addr flush 2>&1); expect_eq $? 2 "addr flush without a device"
expect_match "$out" "Flush requires arguments" "addr flush without a device: message"
"$DPIP" addr flush dev dpdk0 || fail "addr flush dev dpdk0"
expect_eq "$("$DPIP" addr show dev dpdk0)" "" "addr flush emptied dpdk0"
expect_match "$("$DPIP" addr show)" "inet $IP1/24 scope global dpdk1" "addr flush kept dpdk1's"
[[ "$("$DPIP" route show)" != *10.77.1.0/24* ]] || fail "addr flush left the connected route"
expect_eq "$("$DPIP" -br addr show dpdk0)" "$(printf '%-16s %-14s ' dpdk0 UP)" "-br addr of a port without address"
"$DPIP" addr add "$IP0/24" dev dpdk0 || fail "addr add back"
ip netns exec "$LAB_NS_CLIENT" ping -c 1 -W 2 "$IP0" >/dev/null || fail "ping after addr add back"

# ---- one message for a missing device (ip's wording) ----
want='dpip: Cannot find device "dpdk9"'
for cmd in "link show dpdk9" "link set dpdk9 up" "addr add 10.1.1.1/24 dev dpdk9" \
	"addr show dev dpdk9" "addr flush dev dpdk9" "route add 10.1.0.0/16 dev dpdk9" \
	"route flush dev dpdk9" "neigh show dev dpdk9" "neigh add 10.1.1.2 lladdr 02:00:00:00:00:01 dev dpdk9"; do
	out=$("$DPIP" $cmd 2>&1); expect_eq $? 1 "dpip $cmd: exit code"
	expect_eq "$out" "$want" "dpip $cmd: message"
done

# ---- prefix lengths: 0..32 for addresses and routes, one message ----
for cmd in "addr add 10.77.1.9/33 dev dpdk0" "route add 10.9.0.0/33 dev dpdk0"; do
	out=$("$DPIP" $cmd 2>&1); expect_eq $? 2 "dpip $cmd: exit code"
	expect_match "$out" "any valid prefix is expected rather than \"10.77.1.9/33\"|any valid prefix is expected rather than \"10.9.0.0/33\"" "dpip $cmd: message"
	expect_match "$out" "LEN 0..32" "dpip $cmd: range"
done
"$DPIP" addr add 10.77.1.9/0 dev dpdk0 || fail "addr add /0 (ip takes it)"
expect_match "$("$DPIP" addr show dev dpdk0)" "inet 10.77.1.9/0 scope global dpdk0" "a /0 address listed"
[[ "$("$DPIP" route show)" != default* ]] || fail "a /0 address added a default route"
"$DPIP" addr del 10.77.1.9/0 dev dpdk0 || fail "addr del /0"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
