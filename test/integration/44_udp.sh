#!/bin/bash
# 44_udp.sh - UDP through 2 FWD_WORKERs in FNAT and NAT: 3 real servers
# answering each datagram with their name and the source they saw.
# Checks: every datagram answered (one new flow per source port); rr
# distribution; FNAT servers see a local address, NAT servers the client;
# UDP conns expire after `ipvsadm --set 0 0 2`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 3
ipvs_dpvsd_start
for i in 0 1 2; do ipvs_udp_start "$i"; done
sleep 0.5

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A fnat"
"$IPVSADM" -A -u "$IPVS_VIP:5354" -s rr || fail "ipvsadm -A nat"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "$ip:5353" -b || fail "ipvsadm -a fnat $ip"
	"$IPVSADM" -a -u "$IPVS_VIP:5354" -r "$ip:5353" -m || fail "ipvsadm -a nat $ip"
done
"$IPVSADM" -P -u "$IPVS_VIP:5353" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"

check_udp() {	# port want_source what
	local port=$1 want=$2 what=$3 c0 c1 c2 max min bad
	ipvs_udp_client 30 "$port" >"$T/udp$port.out"
	expect_eq "$(grep -c '^ERR' "$T/udp$port.out")" 0 "$what: unanswered datagrams"
	c0=$(grep -c '^rs0 ' "$T/udp$port.out"); c1=$(grep -c '^rs1 ' "$T/udp$port.out")
	c2=$(grep -c '^rs2 ' "$T/udp$port.out")
	echo "$what rr distribution: rs0=$c0 rs1=$c1 rs2=$c2"
	max=$(printf '%s\n' "$c0" "$c1" "$c2" | sort -n | tail -1)
	min=$(printf '%s\n' "$c0" "$c1" "$c2" | sort -n | head -1)
	[ $((max - min)) -le 2 ] || fail "$what rr distribution off: $c0 $c1 $c2"
	bad=$(awk -v w="$want" '{split($2, a, ":"); if (a[1] != w) print}' "$T/udp$port.out" | head -3)
	[ -z "$bad" ] || fail "$what: servers saw another source than $want: $bad"
}
check_udp 5353 "$IPVS_LADDR1" "FNAT"
check_udp 5354 "$LAB_CLIENT_IP" "NAT"

n=$(ipvs_conns | grep -c '^UDP')
[ "$n" -ge 60 ] || fail "expected >= 60 UDP conns, ipvsadm -lnc shows $n"
"$IPVSADM" --set 0 0 2 || fail "ipvsadm --set 0 0 2"
# conns made before --set keep their old timer; new ones get 2 s
ipvs_udp_client 10 5354 >"$T/udp_short.out"
expect_eq "$(grep -c '^ERR' "$T/udp_short.out")" 0 "unanswered datagrams after --set"
before=$(ipvs_conns | grep -c '^UDP')
wait_for 8 "[ \$(ipvs_conns | grep -c '^UDP') -le $((before - 10)) ]" ||
	fail "UDP conns did not expire after --set udp 2 ($before before, $(ipvs_conns | grep -c '^UDP') now)"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
