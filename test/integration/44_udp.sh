#!/bin/bash
# 44_udp.sh - UDP through 2 FWD_WORKERs in FNAT and NAT: 3 real servers
# answering each datagram with their name and the source they saw.
# Checks: every datagram answered (one new flow per source port); rr
# distribution; FNAT servers see a local address, NAT servers the client;
# ICMP port unreachable from a server reaches the client translated (the
# client's connected socket gets ECONNREFUSED); UDP conns expire after
# `ipvsadm --set 0 0 2`; one-packet scheduling (-o) in NAT and FNAT: a
# one-socket client gets every answer and its datagrams spread over servers.
# run_all: san
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 3
ipvs_dpvsd_start
for i in 0 1 2; do ipvs_udp_start "$i"; done

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A fnat"
"$IPVSADM" -A -u "$IPVS_VIP:5354" -s rr || fail "ipvsadm -A nat"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "$ip:5353" -b || fail "ipvsadm -a fnat $ip"
	"$IPVSADM" -a -u "$IPVS_VIP:5354" -r "$ip:5353" -m || fail "ipvsadm -a nat $ip"
done
"$IPVSADM" -P -u "$IPVS_VIP:5353" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"

check_udp() {	# port want_source what
	local port=$1 want=$2 what=$3 c0 c1 c2 bad
	ipvs_udp_client 30 "$port" >"$T/udp$port.out"
	expect_eq "$(grep -c '^ERR' "$T/udp$port.out")" 0 "$what: unanswered datagrams"
	c0=$(grep -c '^rs0 ' "$T/udp$port.out"); c1=$(grep -c '^rs1 ' "$T/udp$port.out")
	c2=$(grep -c '^rs2 ' "$T/udp$port.out")
	ipvs_expect_even "$what rr" "$c0" "$c1" "$c2"
	bad=$(awk -v w="$want" '{split($2, a, ":"); if (a[1] != w) print}' "$T/udp$port.out" | head -3)
	[ -z "$bad" ] || fail "$what: servers saw another source than $want: $bad"
}
check_udp 5353 "$IPVS_LADDR1" "FNAT"
check_udp 5354 "$LAB_CLIENT_IP" "NAT"

# ---- ICMP errors about a conn reach the client, translated ----
# Services whose real port is closed: each server's kernel answers port
# unreachable (to the client for NAT, to the local address for FNAT); dpvsd
# must hand it to the client as if the VIP had sent it.
"$IPVSADM" -A -u "$IPVS_VIP:5355" -s rr || fail "ipvsadm -A nat-closed"
"$IPVSADM" -a -u "$IPVS_VIP:5355" -r "${RS_IP[0]}:5999" -m || fail "ipvsadm -a nat-closed"
"$IPVSADM" -A -u "$IPVS_VIP:5356" -s rr || fail "ipvsadm -A fnat-closed"
"$IPVSADM" -a -u "$IPVS_VIP:5356" -r "${RS_IP[1]}:5999" -b || fail "ipvsadm -a fnat-closed"
"$IPVSADM" -P -u "$IPVS_VIP:5356" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr closed"
cat >"$T/refused.py" <<'EOF2'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
s.connect((sys.argv[1], int(sys.argv[2])))
s.send(b"anyone?")
try:
    s.recv(100)
    print("ANSWER")
except ConnectionRefusedError:
    print("REFUSED")
except socket.timeout:
    print("TIMEOUT")
EOF2
for port in 5355 5356; do
	r=$(ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/refused.py" "$IPVS_VIP" "$port")
	expect_eq "$r" REFUSED "ICMP port unreachable through dpvsd for VIP:$port"
done

# ---- one-packet scheduling (-o) in NAT and FNAT ----
# A DNS-like client sends every query from ONE socket (one source port):
# each datagram must be scheduled afresh (spread over the servers) and each
# answer must come back translated (the OPS conn lives until its reply).
"$IPVSADM" -A -u "$IPVS_VIP:5357" -s rr -o || fail "ipvsadm -A nat -o"
"$IPVSADM" -A -u "$IPVS_VIP:5358" -s rr -o || fail "ipvsadm -A fnat -o"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a -u "$IPVS_VIP:5357" -r "$ip:5353" -m || fail "ipvsadm -a nat -o $ip"
	"$IPVSADM" -a -u "$IPVS_VIP:5358" -r "$ip:5353" -b || fail "ipvsadm -a fnat -o $ip"
done
"$IPVSADM" -P -u "$IPVS_VIP:5358" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr -o"
cat >"$T/ops_cli.py" <<'EOF2'
import socket, sys
vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
s.connect((vip, port))
for i in range(n):
    s.send(b"q %d" % i)
    try:
        print(s.recv(2048).decode(), flush=True)
    except socket.timeout:
        print("ERR", flush=True)
EOF2
for port in 5357 5358; do
	ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/ops_cli.py" "$IPVS_VIP" "$port" 30 \
		>"$T/ops$port.out"
	expect_eq "$(grep -c '^ERR' "$T/ops$port.out")" 0 "OPS VIP:$port: unanswered datagrams"
	for i in 0 1 2; do
		c=$(grep -c "^rs$i " "$T/ops$port.out")
		echo "OPS VIP:$port rs$i=$c"
		[ "$c" -ge 8 ] || fail "OPS VIP:$port: one socket's datagrams not spread (rs$i=$c)"
	done
	# every conn was answered, so none is left waiting for a reply
	left=$(ipvs_conns | grep -cF "$IPVS_VIP:$port " || true)
	expect_eq "$left" 0 "OPS VIP:$port conns left after all replies"
done

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
