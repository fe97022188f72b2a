#!/bin/bash
# 56_persist_drain.sh - persistence on a drained real server (IPVS
# semantics), FNAT through 2 FWD_WORKERs, -p 120 over 2 servers:
#   - a client's connections all reach one server K (its template);
#   - K gets weight 0: the client still reaches K (the template is used
#     while K exists, as IPVS with expire_quiescent_template off, the
#     default);
#   - ipvs.expire_quiescent_template = true, applied by SIGHUP: the client's
#     next connection drops the template and goes to the other server, and
#     stays there when K gets its weight back (a new template).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 2
ipvs_dpvsd_start "ipvs = { expire_quiescent_template = false; };"
for i in 0 1; do ipvs_nginx_start "$i"; done
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr1"
"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr -p 120 || fail "ipvsadm -A -p"
for i in 0 1; do
	"$IPVSADM" -a -t "$IPVS_VIP:80" -r "${RS_IP[$i]}:80" -b || fail "ipvsadm -a rs$i"
done
"$IPVSADM" -P -t "$IPVS_VIP:80" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"

ipvs_curl_n 4 "http://$IPVS_VIP/" >"$T/a.out"
k=$(head -n 1 "$T/a.out")
[[ "$k" =~ ^rs[01]$ ]] || fail "first request: '$k'"
K=${k#rs}
O=$(( 1 - K ))
expect_eq "$(ipvs_count "$k" "$T/a.out")" 4 "persistent requests on $k"

"$IPVSADM" -e -t "$IPVS_VIP:80" -r "${RS_IP[$K]}:80" -b -w 0 || fail "ipvsadm -e -w 0"
ipvs_curl_n 4 "http://$IPVS_VIP/" >"$T/b.out"
expect_eq "$(ipvs_count "$k" "$T/b.out")" 4 \
	"requests of the persistent client to its drained $k (expire_quiescent_template off)"

n=$(grep -c 'configuration reloaded from' "$DPVSD_LOG" || true)
sed -i 's/expire_quiescent_template = false;/expire_quiescent_template = true;/' "$T/d.conf"
grep -q 'expire_quiescent_template = true;' "$T/d.conf" || fail "could not edit the config"
kill -HUP "$DPVSD_PID"
wait_for 10 "[ \$(grep -c 'configuration reloaded from' '$DPVSD_LOG') -gt $n ]" ||
	fail "SIGHUP with expire_quiescent_template = true was not applied"
ipvs_curl_n 4 "http://$IPVS_VIP/" >"$T/c.out"
expect_eq "$(ipvs_count "rs$O" "$T/c.out")" 4 \
	"requests after the template of the drained $k expired (expire_quiescent_template on)"

"$IPVSADM" -e -t "$IPVS_VIP:80" -r "${RS_IP[$K]}:80" -b -w 1 || fail "ipvsadm -e -w 1"
ipvs_curl_n 4 "http://$IPVS_VIP/" >"$T/d.out"
expect_eq "$(ipvs_count "rs$O" "$T/d.out")" 4 "requests on the new template's rs$O"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
