#!/bin/bash
# 47_fwmark.sh - fwmark services: `dpip mark` rules give packets to two
# ports of the VIP (80 and 81) mark 1, and one fwmark service (ipvsadm -f 1,
# NAT, rr, real servers without a port: each keeps the packet's port)
# balances both over its real servers, through 2 FWD_WORKERs.  Checks: the
# rule is listed (text and JSON) and refused when malformed or duplicated;
# every request to both ports answered by the fwmark service's servers;
# an unmarked port is not balanced; after `dpip mark del` the ports are no
# longer balanced; flush empties the list.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 2
ipvs_dpvsd_start
for i in 0 1; do ipvs_nginx_start "$i"; done

rule="proto tcp dst $IPVS_VIP/32 dport 80-81 mark 1"
# shellcheck disable=SC2086
"$DPIP" mark add $rule || fail "dpip mark add"
# shellcheck disable=SC2086
out=$("$DPIP" mark add $rule 2>&1) && fail "duplicate rule accepted"
expect_match "$out" "already exists" "duplicate rule message"
out=$("$DPIP" mark add dst 10.77.0.1/16 mark 2 2>&1) && fail "prefix with host bits accepted"
expect_match "$out" "host bits" "host bits message"
out=$("$DPIP" mark add dport 90-80 mark 2 2>&1) && fail "empty port range accepted"
out=$("$DPIP" mark add proto tcp 2>&1) && fail "rule without a mark accepted"
expect_eq "$("$DPIP" mark show)" "$rule" "dpip mark show"
expect_match "$("$DPIP" -j mark show)" '"mark":1' "dpip -j mark show"

"$IPVSADM" -A -f 1 -s rr || fail "ipvsadm -A -f"
for i in 0 1; do
	"$IPVSADM" -a -f 1 -r "${RS_IP[$i]}" -m || fail "ipvsadm -a -f"
done
expect_match "$("$IPVSADM" -Ln)" "FWM  1 rr" "ipvsadm -Ln shows the fwmark service"

for port in 80 81; do
	ipvs_curl_n 10 "http://$IPVS_VIP:$port/" >"$T/curl$port.out"
	expect_eq "$(ipvs_count ERR "$T/curl$port.out")" 0 "failed requests to port $port"
	for i in 0 1; do
		[ "$(ipvs_count "rs$i" "$T/curl$port.out")" -gt 0 ] ||
			fail "port $port never reached rs$i: $(tr '\n' ' ' <"$T/curl$port.out")"
	done
done
stats=$("$IPVSADM" -Ln --stats)
echo "$stats"
conns=$(echo "$stats" | awk '$1 == "FWM" {print $3}')
expect_eq "$conns" 20 "connections of the fwmark service"

# Port 82 has no rule: not balanced (nothing listens there for the client).
out=$(ipvs_curl_n 1 "http://$IPVS_VIP:82/")
expect_eq "$out" ERR "unmarked port"

# shellcheck disable=SC2086
"$DPIP" mark del $rule || fail "dpip mark del"
expect_eq "$("$DPIP" mark show)" "" "rules after del"
out=$(ipvs_curl_n 1 "http://$IPVS_VIP:81/")
expect_eq "$out" ERR "port 81 after the rule was deleted"
"$DPIP" mark add dport 5000 mark 9 || fail "dpip mark add (2)"
"$DPIP" mark flush || fail "dpip mark flush"
expect_eq "$("$DPIP" mark show)" "" "rules after flush"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
