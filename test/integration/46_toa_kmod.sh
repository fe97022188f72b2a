#!/bin/bash
# 46_toa_kmod.sh - the real server's TOA kernel module (kmod/toa) builds
# against the installed kernel headers (Debian: linux-headers-amd64), in a
# copy of the sources so the tree stays clean; the module names its
# probes' symbols and parameters.  This machine cannot load modules, so
# loading is not tried.  Skipped when no headers are installed; the
# Makefile's own skip (no headers) must exit 0 with a message.
source "$(dirname "$0")/lib.sh"
need_cmd make

cp "$ROOT/kmod/toa/Makefile" "$ROOT/kmod/toa/toa.c" "$T/" || fail "copy kmod/toa"
out=$(make -C "$T" KDIR= 2>&1) || fail "make with no headers must not fail: $out"
expect_match "$out" "skipping the TOA module" "message when no headers are found"

kdir=$(ls -d /lib/modules/*/build 2>/dev/null | head -n 1)
[ -n "$kdir" ] || skip "no kernel headers under /lib/modules/*/build (apt-get install linux-headers-amd64)"
need_cmd gcc strings
make -C "$T" >"$T/build.log" 2>&1 || fail "kmod/toa does not build against $kdir: $(tail -n 30 "$T/build.log")"
grep -qi "warning" "$T/build.log" && fail "kmod/toa builds with warnings: $(grep -i warning "$T/build.log")"
[ -f "$T/toa.ko" ] || fail "no toa.ko after the build"
info=$(strings "$T/toa.ko")	# the .modinfo strings (modinfo may not be installed)
expect_match "$info" "license=GPL" "module license"
expect_match "$info" "parmtype=rewritten:ulong" "module parameter (counter) rewritten"
strings "$T/toa.ko" | grep -qx "tcp_v4_syn_recv_sock" || fail "toa.ko does not probe tcp_v4_syn_recv_sock"
strings "$T/toa.ko" | grep -qx "inet_getname" || fail "toa.ko does not probe inet_getname"
echo "kmod/toa builds against $kdir"
exit 0
