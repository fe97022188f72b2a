#!/bin/bash
# 21_route.sh - routes via a gateway: with inet.ipv4_forward on, the client
# reaches networks behind a gateway namespace (a lab server) through dpvsd,
# by a route from the config and by routes added at run time (metric, a
# default route); a deleted route gives ICMP net unreachable, TTL 1 gives
# time exceeded and a small route MTU gives fragmentation needed, each
# counted; dpvsd resolves the gateway (dpip neigh show).
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping

P="r$TAG"
LAB="$ROOT/scripts/lab.sh"
"$LAB" up --prefix "$P" --servers 1 >"$T/lab.env" || fail "lab up"
on_exit "'$LAB' down --prefix '$P'"
source "$T/lab.env"
CLI="ip netns exec $LAB_NS_CLIENT"
GW=${LAB_SERVER_IPS%% *}
GWNS=${LAB_NS_SERVERS%% *}
# Networks behind the gateway: addresses on its loopback.
for a in 10.77.3.1 10.77.4.1 10.77.5.1 10.77.6.1; do
	ip netns exec "$GWNS" ip addr add "$a/32" dev lo || fail "addr $a"
done

dpvsd_config "$T/d.conf" "$("$LAB" config --prefix "$P" | sed '/^inet = {/a\
    ipv4_forward = true;\
    routes = ( { dst = "10.77.3.0/24"; via = "'"$GW"'"; dev = "dpdk1"; } );')"
dpvsd_start "$T/d.conf"

stat() {
	"$DPIP" -j ip stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1']['$2'])"
}

expect_match "$("$DPIP" route show)" "10.77.3.0/24 via $GW dev dpdk1 proto static" "config route listed"
$CLI ping -c 2 -i 0.3 -W 2 10.77.3.1 >"$T/p" || fail "ping via the config route: $(cat "$T/p")"
expect_match "$("$DPIP" neigh show dev dpdk1)" "$GW dev dpdk1 lladdr [0-9a-f:]{17} " "gateway resolved"
[ "$(stat ipv4 forwarded)" -ge 4 ] || fail "forwarded counter"

# Run-time routes: two gateways' worth of metrics, the lowest wins.
"$DPIP" route add 10.77.4.0/24 via "$GW" dev dpdk1 metric 5 || fail "route add"
"$DPIP" route add 10.77.4.0/24 via 10.77.2.99 dev dpdk1 metric 9 || fail "route add metric 9"
$CLI ping -c 1 -W 2 10.77.4.1 >/dev/null || fail "ping via the metric 5 route"
out=$("$DPIP" route add 10.77.4.0/24 via "$GW" dev dpdk1 metric 5 2>&1); expect_eq $? 1 "duplicate route exit code"
expect_match "$out" "exists" "duplicate route message"
"$DPIP" route del 10.77.4.0/24 metric 5 || fail "route del metric 5"
"$DPIP" route del 10.77.4.0/24 || fail "route del"
nr0=$(stat ipv4 drop_no_route)
out=$($CLI ping -c 1 -W 2 10.77.4.1 2>&1) && fail "ping without a route answered"
expect_match "$out" "Unreachable" "ICMP net unreachable"
[ "$(stat ipv4 drop_no_route)" -gt "$nr0" ] || fail "no_route counter"

# A default route covers it.
"$DPIP" route add default via "$GW" dev dpdk1 || fail "default route add"
expect_match "$("$DPIP" route show)" "default via $GW dev dpdk1" "default route listed"
$CLI ping -c 1 -W 2 10.77.6.1 >/dev/null || fail "ping via the default route"

# TTL 1: time exceeded from dpvsd.
te0=$(stat ipv4 drop_ttl_exceeded)
out=$($CLI ping -c 1 -t 1 -W 2 10.77.3.1 2>&1)
expect_match "$out" "Time to live exceeded" "ICMP time exceeded"
[ "$(stat ipv4 drop_ttl_exceeded)" -gt "$te0" ] || fail "ttl_exceeded counter"

# Route MTU: DF packets larger than it get fragmentation needed (mtu 600).
"$DPIP" route add 10.77.5.0/24 via "$GW" dev dpdk1 mtu 600 || fail "route add mtu"
$CLI ping -c 1 -W 2 -s 500 -M do 10.77.5.1 >/dev/null || fail "small ping under the route mtu"
out=$($CLI ping -c 1 -W 2 -s 1000 -M do 10.77.5.1 2>&1)
expect_match "$out" "[Ff]rag needed.*mtu = 600|mtu = 600|Message too long" "fragmentation needed"
[ "$(stat ipv4 drop_too_big)" -ge 1 ] || fail "too_big counter"

# Refusals.
out=$("$DPIP" route add 10.77.3.1/24 via "$GW" dev dpdk1 2>&1); expect_eq $? 1 "host bits exit code"
expect_match "$out" "host bits" "host bits message"
"$DPIP" route del 10.99.0.0/16 2>/dev/null; expect_eq $? 1 "del of a missing route"
"$DPIP" route add 10.99.0.0/16 via "$GW" 2>/dev/null; expect_eq $? 2 "route add without dev"

# Reload (SIGHUP): the config's routes change; only the difference is
# applied (the run-time routes stay).
dpvsd_config "$T/d.conf" "$("$LAB" config --prefix "$P" | sed '/^inet = {/a\
    ipv4_forward = true;\
    routes = ( { dst = "10.77.7.0/24"; via = "'"$GW"'"; dev = "dpdk1"; metric = 3; } );')"
kill -HUP "$DPVSD_PID"
wait_for 5 "\"$DPIP\" route show | grep -q '^10.77.7.0/24 via $GW dev dpdk1 proto static metric 3'" ||
	fail "reload did not add the new route: $("$DPIP" route show)"
out=$("$DPIP" route show)
[[ "$out" != *"10.77.3.0/24"* ]] || fail "reload kept the removed route: $out"
expect_match "$out" "10.77.5.0/24 via $GW dev dpdk1 mtu 600" "run-time route kept over reload"
$CLI ping -c 1 -W 2 10.77.3.1 >/dev/null || fail "ping via the default route after reload"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
