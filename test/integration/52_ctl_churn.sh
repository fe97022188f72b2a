#!/bin/bash
# 52_ctl_churn.sh - abuse: the control plane churns while traffic flows.
# wrk (a new connection per request) runs through an FNAT VIP for 8 s while
# a loop, as fast as the tools go, edits the live service (scheduler,
# flags, weights incl. 0 and back), adds and deletes a second service with
# its servers and local address, changes timeouts (--set), zeroes and lists
# counters and connections, queries dpip, sends junk on the control socket,
# and sends dpvsd SIGHUP every 0.2 s (a reload storm, alternating between
# the file and one with an extra static neighbour, route and ipvs timeouts).  Checks: no request
# fails, every tool call that should succeed does, the reloads are counted
# and dpvsd stays up, answers, and stops cleanly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_cmd wrk

ipvs_lab_up 2
ipvs_dpvsd_start
ipvs_nginx_start 0
ipvs_nginx_start 1
V="$IPVS_VIP:80"
V2="$IPVS_VIP:81"
"$IPVSADM" -A -t "$V" -s rr || fail "ipvsadm -A"
for i in 0 1; do "$IPVSADM" -a -t "$V" -r "${RS_IP[$i]}:80" -b || fail "ipvsadm -a $i"; done
"$IPVSADM" -P -t "$V" -z "$IPVS_LADDR1" -F dpdk1 || fail "ipvsadm -P"
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add"
ipvs_curl_n 2 "http://$IPVS_VIP/" >"$T/pre.out"
expect_eq "$(ipvs_count ERR "$T/pre.out")" 0 "requests before the churn"

( ipvs_wrk 8 16 "http://$IPVS_VIP/"; echo "$WRK_REQS $WRK_ERRS" >"$T/wrk.res" ) &
WRKP=$!

# SIGHUP storm in the background for the same time; every other reload
# applies a changed file (a static neighbour, a route and ipvs timeouts
# come and go), the others an unchanged one.
cp "$T/d.conf" "$T/conf.a"
sed '/^inet = {/a\
    neighbours = ( { dev = "dpdk0"; addr = "10.77.1.77"; lladdr = "02:00:00:00:00:77"; } );\
    routes = ( { dst = "10.77.9.0/24"; via = "10.77.1.2"; dev = "dpdk0"; } );' "$T/conf.a" >"$T/conf.b"
printf 'ipvs = { timeouts = { udp = 30; close = 5; }; };\n' >>"$T/conf.b"
( end=$((SECONDS + 8)); n=0
  while [ $SECONDS -lt $end ]; do
	case $((n % 4)) in 0|1) cp "$T/conf.a" "$T/d.conf" ;; *) cp "$T/conf.b" "$T/d.conf" ;; esac
	kill -HUP "$DPVSD_PID" 2>/dev/null; n=$((n + 1)); sleep 0.2
  done
  cp "$T/conf.a" "$T/d.conf"
  echo "$n" >"$T/hups" ) &
HUPP=$!

run() {	# a tool call that must succeed
	"$@" >/dev/null 2>"$T/err" || fail "during the churn: $* failed: $(cat "$T/err")"
}
end=$((SECONDS + 7))
rounds=0
scheds=(wrr wlc lc rr)
while [ $SECONDS -lt $end ]; do
	s=${scheds[$((rounds % 4))]}
	run "$IPVSADM" -E -t "$V" -s "$s"
	run "$IPVSADM" -e -t "$V" -r "${RS_IP[0]}:80" -b -w $((rounds % 3 + 1))
	run "$IPVSADM" -e -t "$V" -r "${RS_IP[1]}:80" -b -w 0
	run "$IPVSADM" -e -t "$V" -r "${RS_IP[1]}:80" -b -w 1
	run "$IPVSADM" -A -t "$V2" -s mh -p 30
	run "$IPVSADM" -a -t "$V2" -r "${RS_IP[0]}:81" -b
	run "$IPVSADM" -a -t "$V2" -r "${RS_IP[1]}:81" -b
	run "$IPVSADM" -P -t "$V2" -z "$IPVS_LADDR1" -F dpdk1
	run "$IPVSADM" -Ln --stats
	run "$IPVSADM" -lnc
	run "$IPVSADM" -d -t "$V2" -r "${RS_IP[0]}:81"
	run "$IPVSADM" -D -t "$V2"
	run "$IPVSADM" --set 900 120 300
	run "$IPVSADM" -Z
	run "$DPIP" ipvs stats
	run "$DPIP" link show
	# refused requests must be refused, not break anything
	"$IPVSADM" -a -t "$V" -r "${RS_IP[0]}:80" -b 2>/dev/null && fail "a duplicate dest was accepted"
	"$IPVSADM" -D -t "$V2" 2>/dev/null && fail "deleting a deleted service succeeded"
	# junk framing on the control socket (bad magic, then a lying length)
	/usr/bin/python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(2)
s.sendall(b"JUNK"*5); s.recv(4096); s.close()
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"DPVS\x01\x00"); s.close()' \
		"$DPVSD_SOCK" 2>/dev/null || true
	rounds=$((rounds + 1))
done
wait "$HUPP"
wait "$WRKP" || fail "wrk"
read -r reqs errs <"$T/wrk.res"
echo "churn: $rounds rounds of changes, $(cat "$T/hups") SIGHUPs; wrk: $reqs requests, $errs errors"
[ "$rounds" -ge 3 ] || fail "only $rounds rounds of changes"
[ "${reqs:-0}" -gt 200 ] || fail "wrk made only ${reqs:-0} requests: $(cat "$T/wrk.out")"
expect_eq "$errs" 0 "wrk errors during the churn"
_lib_alive "$DPVSD_PID" || fail "dpvsd died"
grep -qi "reload failed" "$DPVSD_LOG" && fail "a reload failed: $(grep -i -B3 'reload failed' "$DPVSD_LOG" | head -8)"
# One last reload of the original file: the extra items are gone again.
r0=$(grep -c 'configuration reloaded' "$DPVSD_LOG")
kill -HUP "$DPVSD_PID"
wait_for 10 "[ \$(grep -c 'configuration reloaded' '$DPVSD_LOG') -gt $r0 ]" || fail "the last reload did not happen"
"$DPIP" neigh show | grep -q '10\.77\.1\.77 ' && fail "the static neighbour of the other file is still there"
"$DPIP" route show | grep -q '10\.77\.9\.0/24' && fail "the route of the other file is still there"
# A reload of a half-written file fails, keeps the running configuration,
# and the datapath does not notice.
head -c 300 "$T/conf.b" >"$T/d.conf"
kill -HUP "$DPVSD_PID"
wait_for 10 "grep -q 'reload failed' '$DPVSD_LOG'" || fail "a truncated file was not refused"
cp "$T/conf.a" "$T/d.conf"
last=${scheds[$(( (rounds - 1) % 4 ))]}
out=$("$IPVSADM" -Ln)
expect_match "$out" "TCP  $V $last" "the service after the churn (last scheduler set: $last)"
expect_eq "$(echo "$out" | grep -c FullNat)" 2 "real servers after the churn"
echo "$out" | grep -q ":81" && fail "the deleted service is still listed: $out"
ipvs_curl_n 4 "http://$IPVS_VIP/" >"$T/post.out"
expect_eq "$(ipvs_count ERR "$T/post.out")" 0 "requests after the churn"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
