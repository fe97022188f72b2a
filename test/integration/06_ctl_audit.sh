#!/bin/bash
# 06_ctl_audit.sh - the audit trail of the control socket, at the default
# log level (info): every request that changes state (`ipvsadm -A`,
# `dpip addr add`, `dpip cfg reload`) leaves one line naming the op, its key
# arguments, the peer's uid and pid and the outcome (a refused one too);
# read-only requests (`ipvsadm -Ln`, `dpip addr show`, `dpip link show`,
# `dpip cfg show`) leave none.
source "$(dirname "$0")/lib.sh"

audit_lines() {
	grep -c "dpvsd.ctl: audit: " "$DPVSD_LOG" 2>/dev/null || true
}

dpvsd_config "$T/d.conf" "netif = {
    pool = { mbufs = 4095; cache = 64; };
    ports = ( { vdev = \"net_ring_au$TAG\"; } );
};"
grep -q 'log_level = "info"' "$T/d.conf" || fail "the test config must keep the default level"
dpvsd_start "$T/d.conf"
expect_eq "$(audit_lines)" 0 "audit lines after start-up (only read-only requests so far)"

"$IPVSADM" -A -t 10.66.0.1:80 -s rr || fail "ipvsadm -A"
"$DPIP" addr add 10.66.1.1/24 dev dpdk0 || fail "dpip addr add"
"$DPIP" addr add 10.66.1.1/24 dev dpdk0 >/dev/null 2>&1 && fail "duplicate addr add succeeded"
"$DPIP" cfg reload >/dev/null || fail "dpip cfg reload"

log=$(cat "$DPVSD_LOG")
expect_match "$log" "audit: uid 0 pid [0-9]+: ipvs service add tcp 10.66.0.1:80 scheduler rr: ok" \
	"audit line of ipvsadm -A"
expect_match "$log" "audit: uid 0 pid [0-9]+: addr_add dpdk0 10.66.1.1/24: ok" \
	"audit line of dpip addr add"
expect_match "$log" "audit: uid 0 pid [0-9]+: addr_add dpdk0 10.66.1.1/24: failed: address 10.66.1.1 is already configured" \
	"audit line of a failed dpip addr add"
expect_match "$log" "audit: uid 0 pid [0-9]+: cfg.reload: ok" "audit line of dpip cfg reload"
expect_eq "$(audit_lines)" 4 "one audit line per state change"

"$IPVSADM" -Ln >/dev/null || fail "ipvsadm -Ln"
"$DPIP" addr show >/dev/null || fail "dpip addr show"
"$DPIP" link show >/dev/null || fail "dpip link show"
"$DPIP" cfg show >/dev/null || fail "dpip cfg show"
expect_eq "$(audit_lines)" 4 "read-only requests leave no audit line"
grep -E "addr_list|ipvs service list|link_show|cfg.show" "$DPVSD_LOG" &&
	fail "a read-only request was logged at the default level"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
