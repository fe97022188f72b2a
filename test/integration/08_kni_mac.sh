#!/bin/bash
# 08_kni_mac.sh - the KNI interface keeps its MAC across restarts.  On a
# port whose device makes a MAC up at every probe (net_tap here; memif and
# ring do the same), two starts give the kernel interface the same MAC,
# unicast and locally administered, and the port has it too (the exception
# path needs one MAC on both); `mac = "..."` on the port sets it explicitly;
# a bad mac is refused by `dpvsd -t` with file:line.
source "$(dirname "$0")/lib.sh"
need_cmd ip

TAP="m${TAG}t"		# the KNI interface
PORT_IF="m${TAG}p"	# the net_tap port's own kernel interface

conf() {	# $1: extra port keys
	dpvsd_config "$T/d.conf" "netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { vdev = \"net_tap_m$TAG,iface=$PORT_IF\"; $1
                kni = { enabled = true; ifname = \"$TAP\"; }; } );
};"
}

start_mac() {	# start, print the KNI interface's MAC, check the port has it, stop
	local mac
	dpvsd_start "$T/d.conf"
	[ -e "/sys/class/net/$TAP" ] || fail "KNI interface $TAP was not created"
	mac=$(cat "/sys/class/net/$TAP/address")
	expect_match "$("$DPIP" link show dpdk0)" "link/ether $mac " "dpdk0 has the KNI interface's MAC"
	dpvsd_stop
	expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
	echo "$mac"
}

conf ""
m1=$(start_mac) || exit 1
m2=$(start_mac) || exit 1
expect_eq "$m2" "$m1" "MAC of $TAP on the second start"
first=$((16#${m1:0:2}))
[ $((first & 1)) -eq 0 ] && [ $((first & 2)) -eq 2 ] ||
	fail "default MAC $m1 is not unicast and locally administered"

conf 'mac = "02:5a:00:12:34:56";'
expect_eq "$(start_mac)" "02:5a:00:12:34:56" "MAC of $TAP with mac = \"02:5a:00:12:34:56\""

conf 'mac = "03:00:00:00:00:01";'
rc=0
out=$("$DPVSD" -t -c "$T/d.conf" 2>&1) || rc=$?
expect_eq "$rc" 1 "dpvsd -t on a multicast mac"
expect_match "$out" "d.conf:[0-9]+: netif.ports.\[0\].mac: expected a unicast MAC" "bad mac: file:line: key"
exit 0
