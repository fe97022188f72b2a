#!/bin/bash
# 04_dpip_cfg.sh - `dpip cfg show` and `dpip cfg reload` (CFG_OP_SHOW,
# CFG_OP_RELOAD): the running core sections in text and JSON; a reload of
# a good file succeeds and is counted; a reload of a bad file fails with
# exit 1 and the file:line error, keeps the daemon running and is counted
# as failed; extra arguments are usage errors.  What cfg show reports is
# compared with the values read back from the config file itself (the idle
# numbers are set to values no default has).
source "$(dirname "$0")/lib.sh"

dpvsd_config "$T/d.conf"
sed -i -e 's/pause_loops = [0-9]*/pause_loops = 23/' -e 's/sleep_min_us = [0-9]*/sleep_min_us = 57/' \
	-e 's/sleep_max_us = [0-9]*/sleep_max_us = 1999/' -e 's/log_level = "[a-z]*"/log_level = "notice"/' \
	"$T/d.conf"
grep -q 'pause_loops = 23; sleep_min_us = 57; sleep_max_us = 1999;' "$T/d.conf" ||
	fail "could not set the idle values in $T/d.conf"
dpvsd_start "$T/d.conf"

out=$("$DPIP" cfg show) || fail "dpip cfg show"
echo "$out"
expect_match "$out" "^file $T/d.conf" "file in cfg show"
expect_match "$out" "lcores: 0:master@cpu0 1:fwd_worker@cpu1" "lcores in cfg show"
expect_match "$out" "reloads: 0 ok, 0 failed" "no reload yet"
"$DPIP" -j cfg show >"$T/show.json" || fail "dpip -j cfg show"
python3 - "$T/show.json" "$T/d.conf" <<'PY' || fail "cfg show JSON differs from the file: $(cat "$T/show.json")"
import json, re, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
def val(key):
    m = re.search(r"\b%s\s*=\s*(\"([^\"]*)\"|(\d+))\s*;" % key, text)
    assert m, "no %s in the file" % key
    return m.group(2) if m.group(2) is not None else int(m.group(3))
shown = {
    "log_level": d["global"]["log_level"], "pid_file": d["global"]["pid_file"],
    "ctl_socket": d["global"]["ctl_socket"], "mode": d["global"]["idle"]["mode"],
    "pause_loops": d["global"]["idle"]["pause_loops"],
    "sleep_min_us": d["global"]["idle"]["sleep_min_us"],
    "sleep_max_us": d["global"]["idle"]["sleep_max_us"],
    "file_prefix": d["eal"]["file_prefix"], "hugepages": d["eal"]["hugepages"],
}
bad = ["%s: shown %r, file %r" % (k, v, val(k)) for k, v in shown.items() if v != val(k)]
lcores = [(int(i), r, int(c) if c else int(i)) for i, r, c in
          re.findall(r"\{\s*id = (\d+); role = \"(\w+)\";(?: cpu = (\d+);)?\s*\}", text)]
got = [(l["id"], l["role"], l["cpu"]) for l in d["lcores"]]
if got != lcores:
    bad.append("lcores: shown %r, file %r" % (got, lcores))
if d["eal"]["secondary_processes"] is not False:
    bad.append("secondary_processes: shown %r, default false" % d["eal"]["secondary_processes"])
if d["file"] != sys.argv[2]:
    bad.append("file: shown %r" % d["file"])
print("\n".join(bad) or "cfg show matches the file: %s" % sorted(shown.items()))
sys.exit(1 if bad else 0)
PY

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
