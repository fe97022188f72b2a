#!/bin/bash
# 50_syn_flood.sh - abuse: a SYN flood with random spoofed sources (hping3,
# bounded in time and count) at an FNAT VIP whose workers have small
# connection tables (ipvs.conn_max = 256 each) and short SYN timeouts.
# Checks: the tables fill and further new connections are refused and
# counted (`dpip ipvs stats` conn_fail), dpvsd stays up and answers the
# tools during the flood, and once the flood stops and the half-open
# connections expire, real HTTP through dpvsd works again.  Then the same
# with a UDP flood from random sources at a NAT UDP service.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_cmd hping3 timeout

ipvs_lab_up 1
ipvs_dpvsd_start "ipvs = { conn_max = 256;
    timeouts = { none = 1; syn_recv = 3; synack = 3; syn_sent = 3; established = 20; close = 1; time_wait = 1; fin_wait = 2; udp = 2; }; };"
ipvs_nginx_start 0
ipvs_udp_start 0

"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A"
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[0]}:80" -b || fail "ipvsadm -a"
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "ipvsadm -P"
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
ipvs_curl_n 3 "http://$IPVS_VIP/" >"$T/pre.out"
expect_eq "$(ipvs_count ERR "$T/pre.out")" 0 "requests before the flood"

stat_total() {
	"$DPIP" ipvs stats | awk -v n="$1" '$1 == n { print $2; exit }'
}

# 20000 SYNs at 10k/s from random sources (about 2 s), in the background.
CLI="ip netns exec $LAB_NS_CLIENT"
fails0=$(stat_total conn_fail)
setsid timeout 15 $CLI hping3 -q -S -p 80 --rand-source -i u100 -c 20000 "$IPVS_VIP" \
	>"$T/hping.out" 2>&1 &
HP=$!
on_exit "kill -TERM -- -$HP 2>/dev/null"
# The daemon answers the tools while the flood runs.
for i in 1 2 3; do
	sleep 0.5
	"$DPIP" lcore show >/dev/null || fail "dpip lcore show during the flood"
	"$IPVSADM" -Ln >/dev/null || fail "ipvsadm -Ln during the flood"
done
wait "$HP" || true
tail -n 3 "$T/hping.out"
_lib_alive "$DPVSD_PID" || fail "dpvsd died during the flood"

fails=$(stat_total conn_fail)
conns=$(ipvs_conns | wc -l)
echo "after the flood: conn_fail $fails0 -> $fails, $conns conns listed"
[ "${fails:-0}" -gt "${fails0:-0}" ] || fail "a full table refused nothing (conn_fail ${fails:-?})"
[ "$conns" -le 512 ] || fail "$conns conns listed, more than the 2 x 256 configured"

# Half-open conns expire (syn_recv/synack 3 s; the server's SYN-ACK
# retransmissions re-arm them for a while), then new clients get through.
wait_for 45 "[ \$(ipvs_conns | wc -l) -lt 64 ]" ||
	fail "half-open conns did not expire: $(ipvs_conns | wc -l) left"
ipvs_curl_n 10 "http://$IPVS_VIP/" >"$T/post.out"
expect_eq "$(ipvs_count ERR "$T/post.out")" 0 "requests after the flood"

# The same with UDP from random sources at a NAT UDP service (udp 2 s).
"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A udp"
"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "${RS_IP[0]}:5353" -m || fail "ipvsadm -a udp"
fails0=$(stat_total conn_fail)
timeout 15 $CLI hping3 -q --udp -p 5353 --rand-source -i u100 -c 15000 -d 32 "$IPVS_VIP" \
	>"$T/hping.udp" 2>&1 || true
_lib_alive "$DPVSD_PID" || fail "dpvsd died during the UDP flood"
fails=$(stat_total conn_fail)
echo "after the UDP flood: conn_fail $fails0 -> $fails"
[ "${fails:-0}" -gt "${fails0:-0}" ] || fail "full tables refused no UDP conn"
wait_for 20 "[ \$(ipvs_conns | wc -l) -lt 64 ]" || fail "UDP conns did not expire"
ipvs_udp_client 5 >"$T/udp.out"
expect_eq "$(ipvs_count ERR "$T/udp.out")" 0 "UDP after the flood"
"$DPIP" ipvs stats

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
