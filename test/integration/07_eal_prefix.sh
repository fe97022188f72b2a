#!/bin/bash
# 07_eal_prefix.sh - a second dpvsd with its own pid file and socket but the
# EAL file prefix of a running one is refused before the EAL starts, with a
# message that names the prefix and the pid that owns it (the EAL itself
# only said "Cannot init config" and dpvsd "cannot start the DPDK EAL:
# Success"); the running dpvsd is untouched and its runtime dir stays.
source "$(dirname "$0")/lib.sh"

dpvsd_config "$T/a.conf"
dpvsd_start "$T/a.conf"
PREFIX="dpvsd-it-$TAG"
[ -e "/var/run/dpdk/$PREFIX/config" ] || fail "no EAL runtime config for prefix $PREFIX"

sed -e "s|$T/dpvsd.pid|$T/b.pid|" -e "s|$T/dpvsd.sock|$T/b.sock|" "$T/a.conf" >"$T/b.conf"
grep -q "$T/b.pid" "$T/b.conf" && grep -q "$T/b.sock" "$T/b.conf" || fail "b.conf not derived"
rc=0
out=$(timeout 30 "$DPVSD" -c "$T/b.conf" 2>&1) || rc=$?
expect_eq "$rc" 1 "exit status of a second primary on the same EAL file prefix"
expect_match "$out" "another primary process \(pid $DPVSD_PID\) owns EAL file prefix $PREFIX" \
	"the refusal names the prefix and its owner"
[[ "$out" =~ "cannot start the DPDK EAL: Success" ]] && fail "still the old message: $out"
[ ! -e "$T/b.pid" ] && [ ! -e "$T/b.sock" ] || fail "the refused dpvsd left its pid file or socket"

"$DPIP" lcore show >/dev/null || fail "the running dpvsd stopped answering"
[ -e "/var/run/dpdk/$PREFIX/config" ] || fail "the running dpvsd's EAL runtime dir was removed"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
# Once the owner is gone the prefix is free again.
dpvsd_start "$T/b.conf"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status on the freed prefix"
exit 0
