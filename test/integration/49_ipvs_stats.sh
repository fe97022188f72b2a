#!/bin/bash
# 49_ipvs_stats.sh - the IPVS datapath counters for operators, through 2
# FWD_WORKERs: a UDP FNAT service with a 4-port local port range (2 ports
# per worker) and one real server, 12 flows from distinct source ports, so
# most flows find no local port.  Checks: `dpip ipvs stats` shows the
# groups (ipvs, xmit, conn) with per-lcore columns.  The counters are checked against what the
# client sent and received and what the server received (independent of
# dpvsd): the server got exactly the answered flows' datagrams; `ipvsadm
# -Ln --stats --exact` of the service and of its one real server count
# exactly those conns, packets and bytes (IPv4 total lengths: 28 + payload);
# in `dpip -j ipvs stats` conn_new is the number of answered flows, no
# worker made more conns than its 2 local ports allow, and no_lport and
# conn_fail count at least the refused flows; ipvsadm -G shows the refusals
# as Conflicts of the local address; a bad group word is a usage error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_udp_fnat_one "ipvs = { fnat_lport_min = 20000; fnat_lport_max = 20003; };"

ipvs_udp_client 12 5353 1 >"$T/udp.out"
answered=$(grep -vc '^ERR' "$T/udp.out")
echo "answered flows: $answered of 12"
[ "$answered" -ge 1 ] && [ "$answered" -le 4 ] || fail "expected 1..4 answered flows, got $answered"
# The server's own count: one datagram per answered flow, none of the others.
expect_eq "$(ipvs_udp_rx_count 0)" "$answered" "datagrams the server received"

# What the client sent ("hello I", flow I = line I of udp.out) and got back,
# as IPv4 total lengths (20 + 8 + payload), for the answered flows.
read -r c_in c_inb c_outb <<<"$(awk '!/^ERR$/ { n++; ib += 28 + length("hello " (NR - 1)); ob += 28 + length($0) }
	END { print n + 0, ib + 0, ob + 0 }' "$T/udp.out")"
expect_eq "$(ipvs_udp_rx_count 0 bytes)" "$((c_inb - 28 * c_in))" "payload bytes the server received"
st=$("$IPVSADM" -Ln --stats --exact -u "$IPVS_VIP:5353") || fail "ipvsadm --stats --exact"
echo "$st"
svc=$(echo "$st" | awk '$1 == "UDP" {print $3, $4, $5, $6, $7}')
rs=$(echo "$st" | awk '$1 == "->" && $2 ~ /:5353$/ {print $3, $4, $5, $6, $7}')
want="$c_in $c_in $c_in $c_inb $c_outb"
expect_eq "$svc" "$want" "service Conns InPkts OutPkts InBytes OutBytes (client's count)"
expect_eq "$rs" "$want" "real server Conns InPkts OutPkts InBytes OutBytes (client's count)"

text=$("$DPIP" ipvs stats) || fail "dpip ipvs stats"
echo "$text"
expect_match "$text" "^ipvs:" "ipvs group"
expect_match "$text" "xmit:" "xmit group"
expect_match "$text" "conn:" "conn group (the connection tables)"
expect_match "$text" "lcore 1 .*lcore 2" "per-lcore columns"
"$DPIP" ipvs stats bogus 2>/dev/null; expect_eq $? 2 "exit status of a bad group"
expect_eq "$("$DPIP" ipvs stats xmit | grep -c '^ipvs:')" 0 "dpip ipvs stats xmit shows only xmit"

"$DPIP" -j ipvs stats >"$T/stats.json" || fail "dpip -j ipvs stats"
python3 - "$T/stats.json" "$answered" <<'PY' || fail "JSON counters do not match the client's: $(cat "$T/stats.json")"
import json, sys
d = json.load(open(sys.argv[1]))
answered = int(sys.argv[2])
assert d["lcores"] == [1, 2], d["lcores"]
for g in ("ipvs", "xmit", "conn"):
    for name, c in d[g].items():
        assert len(c["per_lcore"]) == 2, name
assert d["ipvs"]["conn_new"]["total"] == answered, d["ipvs"]["conn_new"]
# fnat_lport_min..max = 4 ports, 2 per worker: at most 2 conns on each
assert all(n <= 2 for n in d["ipvs"]["conn_new"]["per_lcore"]), d["ipvs"]["conn_new"]
assert d["xmit"]["no_lport"]["total"] >= 12 - answered, d["xmit"]["no_lport"]
assert d["ipvs"]["conn_fail"]["total"] >= 12 - answered, d["ipvs"]["conn_fail"]
assert d["ipvs"]["pkts"]["total"] >= 12
assert d["conn"]["created"]["total"] == answered, d["conn"]["created"]
for name in ("expired", "deleted", "full", "early_drop", "timer_err", "cancel_err"):
    assert name in d["conn"], name
PY

g=$("$IPVSADM" -G -u "$IPVS_VIP:5353") || fail "ipvsadm -G"
echo "$g"
conflicts=$(echo "$g" | awk -v a="$IPVS_LADDR1" '$3 == a {print $6}')
[ "${conflicts:-0}" -ge $((12 - answered)) ] ||
	fail "Conflicts ${conflicts:-?} < refused flows $((12 - answered))"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
