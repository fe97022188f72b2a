#!/bin/bash
# 40_fnat.sh - FNAT through 2 FWD_WORKERs: a TCP service with the PROXY
# protocol v2 (nginx `listen 80 proxy_protocol` logs $proxy_protocol_addr)
# and a TCP service with TOA only, 3 real servers, rr, 2 local addresses.
# Checks: every request answered; rr distribution; the servers see a local
# address as source and the client in the PROXY header; the TOA option
# (kind 254 carrying the client address and port) is in the SYNs the
# servers receive (tcpdump; a missing tcpdump skips the test, which fails
# under CI); wrk with a new connection per
# request has no errors; --stats counts; a conn idle past `--set tcp`
# expires.
# run_all: san
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_cmd tcpdump

ipvs_lab_up 3
ipvs_dpvsd_start
for i in 0 1 2; do ipvs_nginx_start "$i" pp; done

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr1"
"$DPIP" addr add "$IPVS_LADDR2/24" dev dpdk1 || fail "dpip addr add laddr2"
"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr --proxy-protocol v2 || fail "ipvsadm -A (pp)"
"$IPVSADM" -A -t "$IPVS_VIP:81" -s rr || fail "ipvsadm -A (toa)"
for port in 80 81; do
	for ip in "${RS_IP[@]}"; do
		"$IPVSADM" -a -t "$IPVS_VIP:$port" -r "$ip:$port" -b || fail "ipvsadm -a $ip:$port"
	done
	"$IPVSADM" -P -t "$IPVS_VIP:$port" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr 1"
	"$IPVSADM" -P -t "$IPVS_VIP:$port" -z "$IPVS_LADDR2" -F dpdk1 || fail "add-laddr 2"
done
"$IPVSADM" -Ln >"$T/ln.out"
expect_match "$(cat "$T/ln.out")" "FullNat" "ipvsadm -Ln shows FNAT real servers"

# ---- rr over 3 servers, every request answered ----
ipvs_curl_n 30 "http://$IPVS_VIP/" >"$T/curl.out"
expect_eq "$(ipvs_count ERR "$T/curl.out")" 0 "failed requests (PROXY v2 service)"
c0=$(ipvs_count rs0 "$T/curl.out"); c1=$(ipvs_count rs1 "$T/curl.out"); c2=$(ipvs_count rs2 "$T/curl.out")
ipvs_expect_even rr "$c0" "$c1" "$c2"

# ---- what the real servers saw ----
cat "$T"/ngx*/access.log >"$T/access.all"
expect_eq "$(wc -l <"$T/access.all")" 30 "requests logged by the servers"
bad=$(awk -v c="$LAB_CLIENT_IP" '$2 != c' "$T/access.all" | head -3)
[ -z "$bad" ] || fail "PROXY header did not carry the client $LAB_CLIENT_IP: $bad"
bad=$(awk -v a="$IPVS_LADDR1" -v b="$IPVS_LADDR2" '$1 != a && $1 != b' "$T/access.all" | head -3)
[ -z "$bad" ] || fail "servers saw a source that is not a local address: $bad"
for la in "$IPVS_LADDR1" "$IPVS_LADDR2"; do
	grep -q "^$la " "$T/access.all" || fail "local address $la never used"
done

# ---- TOA in the SYN the server receives ----
ipvs_curl_n 3 "http://$IPVS_VIP:81/" >"$T/curl81.out"
expect_eq "$(ipvs_count ERR "$T/curl81.out")" 0 "failed requests (TOA service)"
# tcpdump says "listening on" once its socket is bound and filtered; the
# curls start only then, until it has its SYN (6 reach rs0 under rr on 2
# workers).
ip netns exec "${RS_NS[0]}" timeout 15 tcpdump -i "${LAB_PREFIX}r0" -nn -v -c 1 -x \
	'tcp dst port 81 and tcp[tcpflags] & tcp-syn != 0' >"$T/syn.txt" 2>"$T/tcpdump.err" &
TD=$!
wait_for 10 "grep -q 'listening on' '$T/tcpdump.err'" ||
	fail "tcpdump did not start: $(cat "$T/tcpdump.err")"
for i in 1 2 3 4 5 6; do
	_lib_alive "$TD" || break
	ipvs_curl_n 1 "http://$IPVS_VIP:81/" >/dev/null
done
wait "$TD" || fail "tcpdump saw no SYN to port 81: $(cat "$T/tcpdump.err")"
# kind 254 len 8, then the port and 10.77.1.2 (0a4d 0102) in the dump
grep -qi "fe08" "$T/syn.txt" || fail "no TOA option (fe08) in the SYN: $(cat "$T/syn.txt")"
tr -d ' \n\t' <"$T/syn.txt" | grep -qi "0a4d0102" ||
	fail "TOA option without the client address: $(cat "$T/syn.txt")"

# ---- many short connections ----
ipvs_wrk 5 32 "http://$IPVS_VIP/"
echo "wrk: $WRK_REQS requests, $WRK_ERRS errors"
[ "${WRK_REQS:-0}" -gt 500 ] || fail "wrk made only ${WRK_REQS:-0} requests: $(cat "$T/wrk.out")"
expect_eq "$WRK_ERRS" 0 "wrk errors"

# ---- counters ----
stats=$("$IPVSADM" -Ln --stats -t "$IPVS_VIP:80")
echo "$stats"
conns=$(echo "$stats" | awk '$1 == "TCP" {print $3}')
[ "${conns:-0}" -ge 30 ] || fail "service Conns counter ${conns:-?} < 30"

# ---- an idle established conn expires after --set tcp ----
"$IPVSADM" --set 3 2 2 || fail "ipvsadm --set"
ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 -c "
import socket, time
s = socket.create_connection(('$IPVS_VIP', 81), timeout=3)
time.sleep(12)" &
IDLE=$!
on_exit "kill $IDLE"
wait_for 5 "ipvs_conns | grep -q ESTABLISHED" || fail "no ESTABLISHED conn for the idle client"
sleep 5
ipvs_conns | grep -q ESTABLISHED && fail "idle conn did not expire after --set tcp 3: $(ipvs_conns)"

# Stop with conns (and their timers on the worker's wheel) still in the
# table: teardown must unlink them from the master and free the pool, without
# the old "pool left mapped" fallback (with SAN=1, LeakSanitizer checks the rest).
ipvs_curl_n 3 "http://$IPVS_VIP:81/" >"$T/curl3.out"
[ "$(ipvs_conns | wc -l)" -gt 0 ] || fail "no conn left in the table before the stop"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
if grep -E "another lcore|pool left mapped|LeakSanitizer" "$DPVSD_LOG"; then
	fail "unclean stop (see the lines above)"
fi
exit 0
