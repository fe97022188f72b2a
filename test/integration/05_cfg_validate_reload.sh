#!/bin/bash
# 05_cfg_validate_reload.sh - one validation for `dpvsd -t`, start-up and
# reload, and all-or-nothing reloads:
#  - a file whose inet address names a port no netif port declares (dpdk9),
#    or whose rx_lcores name a lcore that is not a fwd_worker, fails
#    `dpvsd -t` with file:line: key, and start-up refuses it with the same
#    line; more EAL arguments than fit fail -t as they fail start-up;
#  - on a running dpvsd (af_packet port over a veth), a reload that changes
#    the port's mtu (netif), adds an address (inet) and changes
#    ipvs.conn_max (the last section: needs a restart) is refused as a whole:
#    `dpip link show` keeps mtu 1500 and `dpip addr show` lacks the address;
#  - a reload whose inet section fails while being applied (the route table,
#    filled with `dpip route add`, has no room for the file's new route)
#    gives the mtu and the address back: nothing of it stays;
#  - a valid reload then applies all of it; an ipvsadm service added at run
#    time is still there after the failed reloads.
source "$(dirname "$0")/lib.sh"
need_cmd ip python3

VD="r${TAG}a"
VC="r${TAG}b"
NET=10.249.$((16#${TAG:0:2}))
ip link add "$VD" type veth peer name "$VC" || fail "cannot create veth"
on_exit "ip link del $VD"
ip link set "$VD" up
ip link set "$VC" up

# sections MTU ADDR_EXTRA ROUTE_EXTRA CONN_MAX [DEV]: the module sections
# (DEV: the port of the first address, default dpdk0).
sections() {
	cat <<EOF
netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { vdev = "net_af_packet0,iface=$VD"; mtu = $1; } );
};
inet = {
    max_routes = 16;
    addresses = ( { dev = "${5:-dpdk0}"; addr = "$NET.1/24"; }$2 );
    routes = ( { dst = "10.77.0.0/16"; via = "$NET.254"; dev = "dpdk0"; }$3 );
};
ipvs = { conn_max = $4; };
EOF
}

# ---- -t and start-up refuse the same cross-references ----
dpvsd_config "$T/bad.conf" "$(sections 1500 '' '' 4096 dpdk9)"
line=$(grep -n 'dpdk9' "$T/bad.conf" | cut -d: -f1)
rc=0
out=$("$DPVSD" -t -c "$T/bad.conf" 2>&1) || rc=$?
expect_eq "$rc" 1 "dpvsd -t on an address on dpdk9"
expect_match "$out" "bad.conf:$line: inet.addresses.\[0\].dev: no port named 'dpdk9' in netif.ports" \
	"dpvsd -t names file:line: key of the address on dpdk9"
rc=0
out=$("$DPVSD" -c "$T/bad.conf" 2>&1) || rc=$?
expect_eq "$rc" 1 "start-up with an address on dpdk9"
expect_match "$out" "bad.conf:$line: inet.addresses.\[0\].dev: no port named 'dpdk9'" \
	"start-up refuses the file with the same error"

dpvsd_config "$T/lc.conf" "netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { vdev = \"net_af_packet0,iface=$VD\";
                rx_lcores = [ 0 ]; } );
};"
line=$(grep -n 'rx_lcores' "$T/lc.conf" | cut -d: -f1)
rc=0
out=$("$DPVSD" -t -c "$T/lc.conf" 2>&1) || rc=$?
expect_eq "$rc" 1 "dpvsd -t on rx_lcores naming the master"
expect_match "$out" "lc.conf:$line: netif.ports.\[0\].rx_lcores: rx_lcores: lcore 0 is not a fwd_worker" \
	"dpvsd -t names the rx_lcores line"

# -t builds the EAL argv as start-up does: too many arguments fail both.
dpvsd_config "$T/args.conf"
rc=0
out=$("$DPVSD" -t -c "$T/args.conf" -- $(seq -f '--x%g' 1 70) 2>&1) || rc=$?
expect_eq "$rc" 1 "dpvsd -t with more EAL arguments than fit"
expect_match "$out" "cannot build EAL arguments" "dpvsd -t reports the EAL argv error"

# ---- all-or-nothing reloads on a running dpvsd ----
dpvsd_config "$T/d.conf" "$(sections 1500 '' '' 4096)"
dpvsd_start "$T/d.conf"
"$IPVSADM" -A -t 10.99.0.1:80 -s rr || fail "ipvsadm -A"

unchanged() {	# $1: what just failed
	expect_match "$("$DPIP" link show dpdk0)" "mtu 1500 " "$1: mtu of dpdk0 (netif) unchanged"
	out=$("$DPIP" addr show)
	expect_match "$out" "$NET.1/24" "$1: the running address stays"
	[[ "$out" =~ $NET.7/ ]] && fail "$1: address $NET.7 (inet) was applied: $out"
	expect_match "$("$IPVSADM" -Ln)" "TCP  10.99.0.1:80 rr" "$1: ipvs service kept"
	return 0
}

# 1. Refused at validation by the last section: nothing is applied.
dpvsd_config "$T/d.conf" "$(sections 1400 ", { dev = \"dpdk0\"; addr = \"$NET.7/32\"; }" '' 8192)"
rc=0
out=$("$DPIP" cfg reload 2>&1) || rc=$?
expect_eq "$rc" 1 "reload changing ipvs.conn_max"
expect_match "$out" "ipvs.conn_max: changing conn_max or conn_buckets needs a restart" \
	"reload names the refused key"
unchanged "reload refused by ipvs"

# 2. Fails while inet is applied: fill the route table first.
n=0
for i in $(seq 1 20); do
	"$DPIP" route add "10.78.$i.0/24" via "$NET.254" dev dpdk0 >/dev/null 2>&1 || break
	n=$i
done
[ "$n" -ge 10 ] && [ "$n" -lt 20 ] || fail "route table of 16 did not fill ($n routes added)"
dpvsd_config "$T/d.conf" "$(sections 1400 ", { dev = \"dpdk0\"; addr = \"$NET.7/32\"; }" \
	", { dst = \"10.79.0.0/16\"; via = \"$NET.254\"; dev = \"dpdk0\"; }" 4096)"
"$DPVSD" -t -c "$T/d.conf" >/dev/null || fail "the file of the failing apply must be valid"
rc=0
out=$("$DPIP" cfg reload 2>&1) || rc=$?
expect_eq "$rc" 1 "reload whose inet apply fails"
expect_match "$out" "inet.routes.\[1\]: cannot install" "reload names the route that failed"
unchanged "reload failing in inet's apply"
grep -q "previous configuration applied back" "$DPVSD_LOG" ||
	fail "no rollback logged: $(tail -n 20 "$DPVSD_LOG")"
expect_match "$("$DPIP" cfg show)" "reloads: 0 ok, 2 failed" "both reloads counted as failed"

# 3. The same file applies once there is room.
for i in $(seq 1 "$n"); do
	"$DPIP" route del "10.78.$i.0/24" via "$NET.254" dev dpdk0 >/dev/null 2>&1
done
out=$("$DPIP" cfg reload 2>&1) || fail "valid reload: $out"
expect_match "$("$DPIP" link show dpdk0)" "mtu 1400 " "valid reload sets the mtu"
expect_match "$("$DPIP" addr show)" "$NET.7/32" "valid reload adds the address"
expect_match "$("$DPIP" route show)" "10.79.0.0/16" "valid reload adds the route"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
