#!/bin/bash
# 26_tools_memcheck.sh - every read command of dpip and ipvsadm, in text
# and JSON, run under valgrind memcheck against a daemon holding a port,
# addresses, routes, neighbours, marks, services, real servers and local
# addresses: no use of uninitialised memory, no invalid read or write and
# no leak in the tools.  (`dpip lcore show` once walked an uninitialised
# count off its stack and crashed only on some hosts; the output looked
# right everywhere else.)
source "$(dirname "$0")/lib.sh"
need_cmd ip valgrind

VD="m${TAG}a"
VP="m${TAG}b"
ip link add "$VD" type veth peer name "$VP" || fail "cannot create veth"
on_exit "ip link del $VD"
ip link set "$VD" up
ip link set "$VP" up

dpvsd_config "$T/d.conf" "netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { name = \"dpdk0\"; vdev = \"net_af_packet0,iface=$VD\"; mtu = 1500; } );
};"
dpvsd_start "$T/d.conf"

"$DPIP" addr add 10.77.0.1/24 dev dpdk0 || fail "addr add"
"$DPIP" addr add 10.77.0.2/24 dev dpdk0 || fail "second addr"
"$DPIP" route add 10.78.0.0/16 via 10.77.0.9 dev dpdk0 mtu 1400 || fail "route add"
"$DPIP" neigh add 10.77.0.9 lladdr 02:00:00:00:00:09 dev dpdk0 || fail "neigh add"
"$DPIP" mark add proto tcp dst 10.77.0.100/32 dport 80-89 mark 5 || fail "mark add"
"$IPVSADM" -A -t 10.77.0.100:80 -s wrr -p 60 || fail "add service"
"$IPVSADM" -a -t 10.77.0.100:80 -r 10.78.0.5:8080 -b -w 3 || fail "add fnat server"
"$IPVSADM" -a -t 10.77.0.100:80 -r 10.78.0.6:8080 -m -w 1 -x 10 -y 2 || fail "add nat server"
"$IPVSADM" -P -t 10.77.0.100:80 -z 10.77.0.2 || fail "add laddr"
"$IPVSADM" -A -u 10.77.0.100:53 -s mh || fail "add udp service"
"$IPVSADM" -a -u 10.77.0.100:53 -r 10.78.0.7 -g || fail "add dr server"
"$IPVSADM" -A -f 5 -s rr || fail "add fwmark service"
"$IPVSADM" -a -f 5 -r 10.78.0.8 -i --tun-type gue --tun-port 6080 || fail "add tunnel server"

# memcheck TOOL ARGS...: TOOL exits 0 and valgrind finds nothing.
memcheck() {
	local log="$T/vg.$RANDOM.log" out rc=0
	out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$log" "$@" 2>&1) || rc=$?
	[ "$rc" = 0 ] || fail "under memcheck: $* (exit $rc): $out
$(cat "$log")"
	[ ! -s "$log" ] || fail "memcheck reports on: $*
$(cat "$log")"
	[ -n "$out" ] || fail "no output from: $*"
}

for j in "" -j; do
	memcheck "$DPIP" $j lcore show
	memcheck "$DPIP" $j -v lcore show
	memcheck "$DPIP" $j log show
	memcheck "$DPIP" $j -s ctl show
	memcheck "$DPIP" $j ctl ping
	memcheck "$DPIP" $j ctl stats
	memcheck "$DPIP" $j -s link show
	memcheck "$DPIP" $j link show dev dpdk0
	memcheck "$DPIP" $j stats
	memcheck "$DPIP" $j addr show
	memcheck "$DPIP" $j route show
	memcheck "$DPIP" $j route get 10.78.1.1
	memcheck "$DPIP" $j -v neigh show
	memcheck "$DPIP" $j ip stats
	memcheck "$DPIP" $j mark show
	memcheck "$DPIP" $j ipvs stats
	memcheck "$DPIP" $j cfg show
done
memcheck "$DPIP" -br link show
memcheck "$DPIP" -br addr show
memcheck "$DPIP" lcore show interval 1
memcheck "$DPIP" cfg save
memcheck "$IPVSADM" -Ln
memcheck "$IPVSADM" -L
memcheck "$IPVSADM" -Ln --stats
memcheck "$IPVSADM" -Ln --rate
memcheck "$IPVSADM" -Ln --thresholds
memcheck "$IPVSADM" -Ln --persistent-conn
memcheck "$IPVSADM" -Ln --exact -t 10.77.0.100:80
memcheck "$IPVSADM" -Lnc
memcheck "$IPVSADM" -Ln --timeout
memcheck "$IPVSADM" -S -n
memcheck "$IPVSADM" -G
echo "26_tools_memcheck: all checks passed"
