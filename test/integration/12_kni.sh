#!/bin/bash
# 12_kni.sh - the KNI exception path: dpvsd owns an af_packet port on a
# veth whose peer sits in a client namespace, with kni enabled.  The
# net_tap interface dpvsd creates for the port gets the port's MAC; it is
# moved into its own namespace (so the only way from the client to it is
# through the DPDK port) and given an address.  That address must answer
# ping and an HTTP request from the client, and the KNI counters of the
# port must show traffic both ways.
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping python3 curl

NSC="k${TAG}c"		# client
NSK="k${TAG}k"		# where the KNI tap goes
VD="k${TAG}a"		# dpvsd's veth (default namespace)
VC="k${TAG}b"		# client's veth
TAP="k${TAG}t"		# KNI interface
NET=10.252.$((16#${TAG:0:2}))
CLI_IP=$NET.1
KNI_IP=$NET.2

netns_add "$NSC"
netns_add "$NSK"
ip link add "$VD" type veth peer name "$VC" || fail "cannot create veth"
on_exit "ip link del $VD"
ip link set "$VC" netns "$NSC"
ip link set "$VD" up
ip -n "$NSC" link set "$VC" up
ip -n "$NSC" addr add "$CLI_IP/24" dev "$VC"
ip netns exec "$NSC" ethtool -K "$VC" tx off tso off gso off gro off >/dev/null 2>&1
MAC=$(cat "/sys/class/net/$VD/address")

NETIF="netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { vdev = \"net_af_packet0,iface=$VD\"; kni = { enabled = true; ifname = \"$TAP\"; }; } );
};"
dpvsd_config "$T/d.conf" "$NETIF"
dpvsd_start "$T/d.conf"

[ -e "/sys/class/net/$TAP" ] || fail "KNI interface $TAP was not created"
expect_eq "$(cat /sys/class/net/$TAP/address)" "$MAC" "MAC of the KNI interface"
expect_match "$("$DPIP" link show dpdk0)" "kni $TAP" "link show names the KNI interface"

ip link set "$TAP" netns "$NSK" || fail "cannot move $TAP to $NSK"
ip -n "$NSK" link set lo up
ip -n "$NSK" addr add "$KNI_IP/24" dev "$TAP"
ip -n "$NSK" link set "$TAP" up

ip netns exec "$NSC" ping -c 3 -i 0.2 -W 2 "$KNI_IP" >"$T/ping.out" 2>&1 ||
	fail "ping to the KNI address failed: $(cat "$T/ping.out")"

mkdir "$T/www"
echo "kni-ok-$TAG" >"$T/www/probe.txt"
setsid ip netns exec "$NSK" python3 -m http.server --bind "$KNI_IP" --directory "$T/www" 8080 \
	>"$T/http.log" 2>&1 &
HTTP_PID=$!
on_exit "kill -TERM -- -$HTTP_PID; kill -TERM $HTTP_PID"
wait_for 10 "ip netns exec $NSC curl -s -m 2 http://$KNI_IP:8080/probe.txt | grep -q kni-ok-$TAG" ||
	fail "HTTP through the KNI path failed: $(ip netns exec "$NSC" curl -sS -m 2 "http://$KNI_IP:8080/probe.txt" 2>&1)"

kni=$("$DPIP" -j -s link show dpdk0 | python3 -c "import json,sys; \
c=json.load(sys.stdin)[0]['stats64']['dpvsd']; print(c['kni_in'], c['kni_out'], c['kni_dropped'])")
read -r kin kout kdrop <<<"$kni"
[ "$kin" -ge 5 ] || fail "kni_in $kin: packets did not reach the kernel through dpvsd"
[ "$kout" -ge 5 ] || fail "kni_out $kout: the kernel's replies did not leave through dpvsd"

dpvsd_stop
expect_eq "$DPVSD_RC" "0" "dpvsd exit status"
ip -n "$NSK" link show "$TAP" >/dev/null 2>&1 && fail "$TAP still exists after dpvsd stopped"
exit 0
