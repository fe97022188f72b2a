#!/bin/bash
# 04_dpip_cfg.sh - `dpip cfg show` and `dpip cfg reload` (CFG_OP_SHOW,
# CFG_OP_RELOAD): the running core sections in text and JSON; a reload of
# a good file succeeds and is counted; a reload of a bad file fails with
# exit 1 and the file:line error, keeps the daemon running and is counted
# as failed; extra arguments are usage errors.
source "$(dirname "$0")/lib.sh"

dpvsd_config "$T/d.conf"
dpvsd_start "$T/d.conf"

out=$("$DPIP" cfg show) || fail "dpip cfg show"
echo "$out"
expect_match "$out" "^file $T/d.conf" "file in cfg show"
expect_match "$out" "lcores: 0:master@cpu0 1:fwd_worker@cpu1" "lcores in cfg show"
expect_match "$out" "reloads: 0 ok, 0 failed" "no reload yet"
"$DPIP" -j cfg show >"$T/show.json" || fail "dpip -j cfg show"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["lcores"][1]["role"] == "fwd_worker", d; assert d["eal"]["hugepages"] in ("auto", "yes", "no"), d' \
	"$T/show.json" || fail "cfg show JSON: $(cat "$T/show.json")"

out=$("$DPIP" cfg reload) || fail "dpip cfg reload: $out"
expect_match "$out" "^reloaded $T/d.conf \(1 reloads ok, 0 failed\)" "reload message"

echo 'bogus_section = { x = 1; };' >>"$T/d.conf"
out=$("$DPIP" cfg reload 2>&1); rc=$?
expect_eq "$rc" 1 "exit status of a failed reload"
expect_match "$out" "d.conf:[0-9]+: bogus_section: unknown section" "reload error names file:line"
"$DPIP" ctl ping >/dev/null || fail "daemon gone after a failed reload"
expect_match "$("$DPIP" cfg show)" "reloads: 1 ok, 1 failed" "counters after a failed reload"
"$DPIP" cfg reload now 2>/dev/null; expect_eq $? 2 "extra argument"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
