#!/bin/bash
# 48_fnat_lport.sh - the FNAT local port range from the "ipvs" config
# section (fnat_lport_min/fnat_lport_max), through 2 FWD_WORKERs: a UDP
# FNAT service whose server answers with the source it saw; every source
# port is inside the configured range (and both workers' halves of it are
# used).  `dpvsd -t` refuses a range with min above max, naming file:line
# and the key, and a reload that changes the range is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

LO=20000
HI=20099

dpvsd_config "$T/bad.conf" "ipvs = { fnat_lport_min = 30000; fnat_lport_max = 20000; };"
out=$("$DPVSD" -t -c "$T/bad.conf" 2>&1) && fail "dpvsd -t accepted min > max"
expect_match "$out" "bad.conf:[0-9]+: ipvs.fnat_lport_min: 30000 is above fnat_lport_max" \
	"dpvsd -t error for min > max"

ipvs_udp_fnat_one "ipvs = { fnat_lport_min = $LO; fnat_lport_max = $HI; };"

ipvs_udp_client 30 5353 >"$T/udp.out"
expect_eq "$(grep -c '^ERR' "$T/udp.out")" 0 "unanswered datagrams"
bad=$(awk -v lo=$LO -v hi=$HI '{split($2, a, ":"); if (a[2] < lo || a[2] > hi) print}' \
	"$T/udp.out" | head -3)
[ -z "$bad" ] || fail "local ports outside $LO..$HI: $bad"
parity=$(awk '{split($2, a, ":"); print a[2] % 2}' "$T/udp.out" | sort -u | wc -l)
expect_eq "$parity" 2 "both workers' port sets used (even and odd ports)"

sed -i "s/fnat_lport_max = $HI;/fnat_lport_max = 20199;/" "$T/d.conf"
grep -q "fnat_lport_max = 20199" "$T/d.conf" || fail "could not edit the config"
kill -HUP "$DPVSD_PID"
wait_for 10 "grep -q 'needs a restart' '$DPVSD_LOG'" || fail "reload did not refuse the range change"
ipvs_udp_client 5 5353 >"$T/udp2.out"
expect_eq "$(grep -c '^ERR' "$T/udp2.out")" 0 "unanswered datagrams after the refused reload"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
