#!/bin/bash
# 41_nat.sh - NAT (masquerading) through 2 FWD_WORKERs: 3 real servers
# whose default route is dpvsd, wrr with weights 1:2:3.  Checks: every
# request answered; the distribution follows the weights; the servers see
# the client's own address; a persistent service (-p) sends all of one
# client's connections to one server; wrk with a new connection per request
# has no errors; the reply direction is counted (OutPkts).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 3
ipvs_dpvsd_start
for i in 0 1 2; do ipvs_nginx_start "$i"; done

"$IPVSADM" -A -t "$IPVS_VIP:80" -s wrr || fail "ipvsadm -A"
for i in 0 1 2; do
	"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[$i]}:80" -m -w $((i + 1)) || fail "ipvsadm -a"
done
expect_match "$("$IPVSADM" -Ln)" "Masq" "ipvsadm -Ln shows NAT real servers"

ipvs_curl_n 60 "http://$IPVS_VIP/" >"$T/curl.out"
expect_eq "$(ipvs_count ERR "$T/curl.out")" 0 "failed requests"
c0=$(ipvs_count rs0 "$T/curl.out"); c1=$(ipvs_count rs1 "$T/curl.out"); c2=$(ipvs_count rs2 "$T/curl.out")
echo "wrr 1:2:3 distribution of 60: rs0=$c0 rs1=$c1 rs2=$c2"
# Each worker runs its own wrr over its share of the flows: within 3 of 10/20/30.
for pair in "$c0 10" "$c1 20" "$c2 30"; do
	set -- $pair
	d=$(( $1 - $2 )); d=${d#-}
	[ "$d" -le 3 ] || fail "wrr distribution off: $c0 $c1 $c2 (want about 10 20 30)"
done

cat "$T"/ngx*/access.log >"$T/access.all"
bad=$(awk -v c="$LAB_CLIENT_IP" '$1 != c' "$T/access.all" | head -3)
[ -z "$bad" ] || fail "servers did not see the client address $LAB_CLIENT_IP: $bad"

# ---- persistence: one client, many connections, one server ----
# Persistent services place all of a client's conns on one worker (its
# template is there); the servers' replies reach it in at most two hops.
"$IPVSADM" -A -t "$IPVS_VIP:81" -s rr -p 60 || fail "ipvsadm -A -p"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a -t "$IPVS_VIP:81" -r "$ip:81" -m || fail "ipvsadm -a persistent"
done
ipvs_curl_n 20 "http://$IPVS_VIP:81/" >"$T/persist.out"
expect_eq "$(ipvs_count ERR "$T/persist.out")" 0 "failed requests (persistent service)"
expect_eq "$(sort -u "$T/persist.out" | wc -l)" 1 "servers seen by one client of a persistent service"
expect_match "$("$IPVSADM" -Ln --persistent-conn -t "$IPVS_VIP:81" 2>&1)" "persistent 60" \
	"ipvsadm -Ln shows the persistence"

ipvs_wrk 5 32 "http://$IPVS_VIP/"
echo "wrk: $WRK_REQS requests, $WRK_ERRS errors"
[ "${WRK_REQS:-0}" -gt 500 ] || fail "wrk made only ${WRK_REQS:-0} requests: $(cat "$T/wrk.out")"
expect_eq "$WRK_ERRS" 0 "wrk errors"

stats=$("$IPVSADM" -Ln --stats -t "$IPVS_VIP:80")
echo "$stats"
read -r conns inpkts outpkts <<<"$(echo "$stats" | awk '$1 == "TCP" {print $3, $4, $5}')"
[ "${conns:-0}" -ge "$WRK_REQS" ] || fail "Conns ${conns:-?} < wrk requests $WRK_REQS"
[ "${outpkts:-0}" -gt 0 ] || fail "no reply packets counted"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
