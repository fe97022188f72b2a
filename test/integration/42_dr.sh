#!/bin/bash
# 42_dr.sh - direct routing through 2 FWD_WORKERs: dpvsd rewrites only the
# MAC; each real server holds the VIP on lo (arp_ignore=1, arp_announce=2)
# and answers the client directly over the switch (lab --direct).
# Checks, for TCP (curl, wrk) and UDP: every request answered; rr
# distribution; the servers see the client's address; wrk without errors;
# replies bypass dpvsd (OutPkts 0).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 3 --direct
for i in 0 1 2; do
	ns=${RS_NS[$i]}
	ip -n "$ns" addr add "$IPVS_VIP/32" dev lo || fail "VIP on lo of $ns"
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 ||
		fail "arp sysctls in $ns"
	ipvs_nginx_start "$i"
done
ipvs_dpvsd_start

"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a -t "$IPVS_VIP:80" -r "$ip" -g || fail "ipvsadm -a $ip"
done
expect_match "$("$IPVSADM" -Ln)" "Route" "ipvsadm -Ln shows DR real servers"

ipvs_curl_n 30 "http://$IPVS_VIP/" >"$T/curl.out"
expect_eq "$(ipvs_count ERR "$T/curl.out")" 0 "failed requests"
c0=$(ipvs_count rs0 "$T/curl.out"); c1=$(ipvs_count rs1 "$T/curl.out"); c2=$(ipvs_count rs2 "$T/curl.out")
ipvs_expect_even rr "$c0" "$c1" "$c2"

cat "$T"/ngx*/access.log >"$T/access.all"
bad=$(awk -v c="$LAB_CLIENT_IP" '$1 != c' "$T/access.all" | head -3)
[ -z "$bad" ] || fail "servers did not see the client address: $bad"

ipvs_wrk 5 32 "http://$IPVS_VIP/"
echo "wrk: $WRK_REQS requests, $WRK_ERRS errors"
[ "${WRK_REQS:-0}" -gt 500 ] || fail "wrk made only ${WRK_REQS:-0} requests: $(cat "$T/wrk.out")"
expect_eq "$WRK_ERRS" 0 "wrk errors"

# ---- UDP, and no reply through dpvsd ----
ipvs_udp_direct_check -g DR

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
