#!/bin/bash
# 10_netif_link.sh - dpvsd on an af_packet port over a veth whose peer is
# in a client namespace: `dpip link show` lists dpdk0 with the veth's MAC,
# the configured MTU and state UP; link set down/up, mtu and promisc take
# effect; rx counters grow with traffic sent from the namespace and stop
# while the port is down; a reload applies an MTU change and refuses a port
# change; bad commands fail with non-zero status.
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping python3

NS="n${TAG}c"
VD="n${TAG}a"		# dpvsd's side (default namespace)
VC="n${TAG}b"		# client side
CLI_IP=10.251.$((16#${TAG:0:2})).1
DP_IP=10.251.$((16#${TAG:0:2})).2

netns_add "$NS"
ip link add "$VD" type veth peer name "$VC" || fail "cannot create veth"
on_exit "ip link del $VD"
ip link set "$VC" netns "$NS"
ip link set "$VD" up
ip -n "$NS" link set "$VC" up
ip -n "$NS" addr add "$CLI_IP/24" dev "$VC"
ip netns exec "$NS" ethtool -K "$VC" tx off tso off gso off gro off >/dev/null 2>&1
MAC=$(cat "/sys/class/net/$VD/address")

NETIF="netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { name = \"dpdk0\"; vdev = \"net_af_packet0,iface=$VD\"; mtu = 1500; } );
};"
dpvsd_config "$T/d.conf" "$NETIF"
dpvsd_start "$T/d.conf"

# json FIELD-EXPR: evaluate a python expression on `dpip -j -s link show dpdk0`
json() {
	"$DPIP" -j -s link show dpdk0 | python3 -c "import json,sys; l=json.load(sys.stdin)[0]; print($1)"
}

out=$("$DPIP" link show)
expect_match "$out" "^0: dpdk0: <[A-Z,]*UP,LOWER_UP> mtu 1500 state UP" "link show"
expect_match "$out" "link/ether $MAC " "MAC of dpdk0 is the veth's"
expect_match "$out" "driver net_af_packet" "driver"
expect_eq "$(json 'l["address"]')" "$MAC" "JSON address"
expect_eq "$(json 'l["mtu"]')" "1500" "JSON mtu"

# Admin down / up.
"$DPIP" link set dev dpdk0 down || fail "link set down"
expect_match "$("$DPIP" link show dpdk0)" "mtu 1500 state DOWN" "state after down"
expect_eq "$(json 'l["up"]')" "False" "JSON up after down"

# Traffic is not received while the port is down.
ip -n "$NS" neigh replace "$DP_IP" lladdr "$MAC" dev "$VC"
rx0=$(json 'l["stats64"]["dpvsd"]["rx_packets"]')
ip netns exec "$NS" ping -c 3 -i 0.2 -W 1 "$DP_IP" >/dev/null 2>&1
sleep 0.3
expect_eq "$(json 'l["stats64"]["dpvsd"]["rx_packets"]')" "$rx0" "rx while down"

"$DPIP" link set dpdk0 up || fail "link set up"
expect_match "$("$DPIP" link show dpdk0)" "state UP" "state after up"

# Counters grow with traffic from the namespace (ICMP to a static neighbour).
rx1=$(json 'l["stats64"]["dpvsd"]["rx_packets"]')
ip netns exec "$NS" ping -c 5 -i 0.2 -W 1 "$DP_IP" >/dev/null 2>&1
wait_for 5 "[ \$(json 'l[\"stats64\"][\"dpvsd\"][\"rx_packets\"]') -ge $((rx1 + 5)) ]" ||
	fail "rx_packets did not grow by 5 (from $rx1 to $(json 'l["stats64"]["dpvsd"]["rx_packets"]'))"
[ "$(json 'l["stats64"]["rx"]["packets"]')" -ge 5 ] || fail "device rx packets"
st=$("$DPIP" -j stats | python3 -c "import json,sys; d=json.load(sys.stdin); \
print(sum(p['rx_packets'] for l in d['lcores'] for p in l['ports']), d['pool']['size'])")
[ "${st% *}" -ge $((rx1 + 5)) ] || fail "dpip stats rx_packets: $st"
expect_eq "${st#* }" "4095" "pool size in dpip stats"
expect_match "$("$DPIP" -s link show dpdk0)" "RX: +bytes +packets" "link show -s"
expect_match "$("$DPIP" stats)" "lcore 1 \\(fwd_worker\\)" "dpip stats per lcore"

# MTU and promiscuity at run time.
"$DPIP" link set dpdk0 mtu 1400 promisc on || fail "set mtu/promisc"
expect_match "$("$DPIP" link show dpdk0)" "PROMISC.*mtu 1400" "mtu/promisc shown"
expect_eq "$(cat /sys/class/net/$VD/mtu)" "1400" "kernel MTU of the af_packet veth"
"$DPIP" link set dpdk0 promisc off || fail "promisc off"

# Bad requests fail cleanly.
"$DPIP" link set dev nosuch0 up 2>/dev/null && fail "unknown device accepted"
"$DPIP" link set dpdk0 mtu 20 2>/dev/null; expect_eq "$?" "2" "mtu 20 is a usage error"
"$DPIP" link set dpdk0 mtu 9000 2>/dev/null && fail "mtu beyond the mbuf size accepted"
"$DPIP" link show nosuch0 2>/dev/null && fail "show of unknown device succeeded"

# Malformed control requests get an error reply; the daemon keeps answering.
python3 - "$DPVSD_SOCK" <<'PY' || fail "malformed netif requests"
import socket, struct, sys
def call(op, payload):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.sendall(struct.pack('<IHHIiI', 0x44505653, 1, op, 7, 0, len(payload)) + payload)
    hdr = b''
    while len(hdr) < 20:
        chunk = s.recv(20 - len(hdr))
        if not chunk:
            raise SystemExit('connection closed without a reply')
        hdr += chunk
    status = struct.unpack('<IHHIiI', hdr)[4]
    s.close()
    return status
assert call(0x200, b'dpdk0') < 0, 'short link show name accepted'
assert call(0x200, b'x' * 16) < 0, 'unterminated name accepted'
assert call(0x201, b'\0' * 24) < 0, 'link set of an empty name accepted'
assert call(0x201, b'dpdk0'.ljust(16, b'\0') + struct.pack('<II', 99, 1)) < 0, 'bad attribute'
assert call(0x201, b'dpdk0'.ljust(16, b'\0') + struct.pack('<II', 1, 7)) < 0, 'up = 7 accepted'
assert call(0x200, b'') == 0, 'link show after bad requests'
PY

# Reload: an MTU change applies, a port change is refused (config stays).
sed -i 's/mtu = 1500;/mtu = 1450;/' "$T/d.conf"
kill -HUP "$DPVSD_PID"
wait_for 5 "\"$DPIP\" link show dpdk0 | grep -q 'mtu 1450'" || fail "reload did not set mtu 1450"
sed -i "s/iface=$VD\"/iface=$VD,qpairs=2\"/" "$T/d.conf"
kill -HUP "$DPVSD_PID"
wait_for 5 "grep -q 'needs a restart' '$DPVSD_LOG'" || fail "port change on reload not refused"
expect_match "$("$DPIP" link show dpdk0)" "rxq 1 txq 1" "queues unchanged after refused reload"

dpvsd_stop
expect_eq "$DPVSD_RC" "0" "dpvsd exit status"
exit 0
