#!/bin/bash
# 03_install.sh - `make install` into a DESTDIR: the three binaries, the
# sample config (also as /etc/dpvsd.conf, never overwriting one that
# exists), and the systemd unit with @SBINDIR@ replaced; the installed
# dpvsd accepts the installed config (`dpvsd -t`), and the unit is a
# Type=notify service whose reload sends SIGHUP.
# Skipped when the build is not up to date (the test must not build).
source "$(dirname "$0")/lib.sh"
need_cmd make

[ "$(basename "$BUILD")" = build ] || skip "install uses the normal build"
make -C "$ROOT" -q all >/dev/null 2>&1 || skip "build/ is not up to date (run make first)"

DEST="$T/root"
out=$(make -C "$ROOT" -s install DESTDIR="$DEST" PREFIX=/usr 2>&1) || fail "make install: $out"

for f in usr/sbin/dpvsd usr/sbin/ipvsadm usr/sbin/dpip; do
	[ -x "$DEST/$f" ] || fail "$f not installed"
done
for f in etc/dpvsd.conf.sample etc/dpvsd.conf lib/systemd/system/dpvsd.service; do
	[ -f "$DEST/$f" ] || fail "$f not installed"
done
cmp -s "$ROOT/conf/dpvsd.conf.sample" "$DEST/etc/dpvsd.conf" || fail "etc/dpvsd.conf differs from the sample"

unit="$DEST/lib/systemd/system/dpvsd.service"
grep -q '@SBINDIR@' "$unit" && fail "@SBINDIR@ left in the unit"
expect_match "$(cat "$unit")" "ExecStart=/usr/sbin/dpvsd -c /etc/dpvsd.conf" "ExecStart"
expect_match "$(cat "$unit")" "Type=notify" "Type"
expect_match "$(cat "$unit")" 'ExecReload=/bin/kill -HUP \$MAINPID' "ExecReload"
expect_match "$(cat "$unit")" "Restart=on-failure" "Restart"

out=$("$DEST/usr/sbin/dpvsd" -t -c "$DEST/etc/dpvsd.conf" 2>&1) ||
	fail "installed dpvsd rejects the installed config: $out"
expect_match "$out" "test is successful" "dpvsd -t on the installed config"

# A second install keeps an edited /etc/dpvsd.conf.
echo "# edited" >>"$DEST/etc/dpvsd.conf"
make -C "$ROOT" -s install DESTDIR="$DEST" PREFIX=/usr >/dev/null 2>&1 || fail "second make install"
grep -q '^# edited$' "$DEST/etc/dpvsd.conf" || fail "make install overwrote /etc/dpvsd.conf"
echo "03_install: all checks passed"
