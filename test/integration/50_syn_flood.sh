#!/bin/bash
# 50_syn_flood.sh - abuse: a SYN flood with random spoofed sources (hping3,
# bounded in time and count) at an FNAT VIP whose workers have small
# connection tables (ipvs.conn_max = 256 each) and the DEFAULT timeouts
# (syn_recv 30 s).  Checks: the tables fill with half-open conns, which give
# way to new ones (early drop, `dpip ipvs stats` conn early_drop; nothing
# refused), so legitimate clients are served DURING the flood, an
# established keep-alive connection opened before it survives and still
# works after it, dpvsd answers the tools, and the half-open conns are gone
# within syn_recv (+ margin) after the flood: the server's SYN-ACK
# retransmissions do not extend them.  Then a UDP flood from random sources
# at a NAT UDP service (UDP conns are never half-open: a full table refuses
# and counts them; udp timeout set to 2 s with ipvsadm --set so they go).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_cmd hping3 timeout

ipvs_lab_up 1
ipvs_dpvsd_start "ipvs = { conn_max = 256; };"
ipvs_nginx_start 0
ipvs_udp_start 0

"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A"
"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[0]}:80" -b || fail "ipvsadm -a"
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "ipvsadm -P"
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
ipvs_curl_n 3 "http://$IPVS_VIP/" >"$T/pre.out"
expect_eq "$(ipvs_count ERR "$T/pre.out")" 0 "requests before the flood"

# Sum over the workers of counter $2 of group $1 (`dpip ipvs stats`).
stat_total() {
	"$DPIP" ipvs stats | awk -v g="$1:" -v n="$2" '
		/^[a-z]+:$/ { grp = $1; next }
		grp == g && $1 == n { print $2; exit }'
}

# An established keep-alive connection held across the flood: one request
# now, one more when $T/go appears.
cat >"$T/keep.py" <<'PYEOF'
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=5)
def get():
    s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
    data = b""
    while b"\r\n\r\nrs0" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "CLOSED"
        data += chunk
    return "OK"
print(get(), flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.1)
print(get(), flush=True)
PYEOF
CLI="ip netns exec $LAB_NS_CLIENT"
setsid $CLI timeout 120 /usr/bin/python3 "$T/keep.py" "$IPVS_VIP" "$T/go" >"$T/keep.out" 2>&1 &
KP=$!
on_exit "kill -TERM -- -$KP 2>/dev/null"
wait_for 5 "grep -q OK $T/keep.out" || fail "keep-alive client: $(cat "$T/keep.out")"

# 40000 SYNs at up to 10k/s from random sources (4 s or more), in the
# background; the 2 x 256 slots fill within a fraction of a second.
fails0=$(stat_total ipvs conn_fail)
setsid timeout 30 $CLI hping3 -q -S -p 80 --rand-source -i u100 -c 40000 "$IPVS_VIP" \
	>"$T/hping.out" 2>&1 &
HP=$!
on_exit "kill -TERM -- -$HP 2>/dev/null"
sleep 1
# During the flood: the table is full of half-open conns, they give way,
# and new legitimate clients are served.
drops0=$(stat_total conn early_drop)
ipvs_curl_n 5 "http://$IPVS_VIP/" >"$T/during.out"
drops1=$(stat_total conn early_drop)
half=$(ipvs_conns | grep -c ' SYN_RECV ' || true)
_lib_alive "$HP" || echo "warning: the flood ended before the checks" >&2
echo "during the flood: early_drop $drops0 -> $drops1, $half SYN_RECV conns listed"
expect_eq "$(ipvs_count ERR "$T/during.out")" 0 "requests during the flood"
[ "${drops1:-0}" -gt "${drops0:-0}" ] || fail "no half-open conn gave way while the curls ran"
[ "$half" -ge 256 ] || fail "only $half SYN_RECV conns: the tables were not full of half-open conns"
"$DPIP" lcore show >/dev/null || fail "dpip lcore show during the flood"
"$IPVSADM" -Ln >/dev/null || fail "ipvsadm -Ln during the flood"
wait "$HP" || true
flood_end=$(date +%s)
tail -n 3 "$T/hping.out"
_lib_alive "$DPVSD_PID" || fail "dpvsd died during the flood"

fails=$(stat_total ipvs conn_fail)
full=$(stat_total conn full)
conns=$(ipvs_conns | wc -l)
echo "after the flood: conn_fail $fails0 -> $fails, conn full $full," \
	"early_drop $(stat_total conn early_drop), $conns conns listed"
expect_eq "${full:-x}" 0 "new conns refused by a table full of half-open ones"
[ "$conns" -le 512 ] || fail "$conns conns listed, more than the 2 x 256 configured"
# The keep-alive connection opened before the flood is still there and works.
ipvs_conns | grep -q ' ESTABLISHED ' || fail "the established conn did not survive the flood"
touch "$T/go"
wait_for 5 "[ \$(grep -c OK $T/keep.out) -eq 2 ]" ||
	fail "keep-alive connection after the flood: $(cat "$T/keep.out")"

# Half-open conns expire syn_recv (30 s) after their client's last packet,
# however often the server retransmits its SYN-ACK (it would keep them
# until ~60 s after the flood if each retransmission re-armed them).
wait_for 40 "[ \$(ipvs_conns | grep -c ' SYN_RECV ') -eq 0 ]" ||
	fail "half-open conns left $(( $(date +%s) - flood_end )) s after the flood: $(ipvs_conns | grep -c ' SYN_RECV ')"
echo "half-open conns gone $(( $(date +%s) - flood_end )) s after the flood"
ipvs_curl_n 10 "http://$IPVS_VIP/" >"$T/post.out"
expect_eq "$(ipvs_count ERR "$T/post.out")" 0 "requests after the flood"

# The same with UDP from random sources at a NAT UDP service (udp 2 s, so
# the flood's conns go soon after it).
"$IPVSADM" --set 0 0 2 || fail "ipvsadm --set udp 2"
"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A udp"
"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "${RS_IP[0]}:5353" -m || fail "ipvsadm -a udp"
fails0=$(stat_total ipvs conn_fail)
timeout 15 $CLI hping3 -q --udp -p 5353 --rand-source -i u100 -c 15000 -d 32 "$IPVS_VIP" \
	>"$T/hping.udp" 2>&1 || true
_lib_alive "$DPVSD_PID" || fail "dpvsd died during the UDP flood"
fails=$(stat_total ipvs conn_fail)
echo "after the UDP flood: conn_fail $fails0 -> $fails"
[ "${fails:-0}" -gt "${fails0:-0}" ] || fail "full tables refused no UDP conn"
wait_for 20 "[ \$(ipvs_conns | wc -l) -lt 64 ]" || fail "UDP conns did not expire"
ipvs_udp_client 5 >"$T/udp.out"
expect_eq "$(ipvs_count ERR "$T/udp.out")" 0 "UDP after the flood"
"$DPIP" ipvs stats

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
