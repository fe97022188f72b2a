#!/bin/bash
# 89_demo.sh - the README's first command, scripts/demo.sh, on the builds
# already made (SKIP_DEPS=1), in FNAT and NAT: it exits 0, every curl got an
# answer from a real server, the answers per server it prints add up to the
# requests and are even (within one per forwarding lcore), and it leaves no
# namespace, dpvsd or nginx behind.
source "$(dirname "$0")/lib.sh"
need_cmd nginx curl ip

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$BUILD" = "$ROOT/build" ] || skip "the demo runs on build/ only"

for mode in fnat nat; do
	out=$(SKIP_DEPS=1 MODE=$mode REQUESTS=12 timeout 240 bash "$ROOT/scripts/demo.sh" 2>&1) ||
		fail "demo ($mode) failed: $out"
	expect_match "$out" "came from the config file" "$mode: service from the file"
	[ "$(grep -c '^ *[0-9]*  Hello from rs[0-2] ' <<<"$out")" = 12 ] ||
		fail "$mode: not every request was answered by a real server: $out"
	counts=$(sed -n '/^Answers per real server:/,/^The order/p' <<<"$out" | awk '/ rs[0-2]$/ {print $1}')
	expect_eq "$(wc -l <<<"$counts")" 3 "$mode: three servers answered"
	expect_eq "$(awk "{s += \$1} END {print s}" <<<"$counts")" 12 "$mode: answers per server add up"
	for c in $counts; do
		[ "$c" -ge 2 ] && [ "$c" -le 6 ] || fail "$mode: uneven rotation ($counts)"
	done
	expect_eq "$(ip netns list | grep -c '^demo')" 0 "$mode: demo namespaces removed"
	pgrep -f "dpvsd-demo" >/dev/null && fail "$mode: a demo process is left"
done
echo "89_demo: all checks passed"
