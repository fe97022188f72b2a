#!/bin/bash
# test/run_all.sh - run the whole test suite (what `make check` and
# scripts/test.sh run after building).
#
#   bash test/run_all.sh [REGEX]
#
# 0. clang-tidy's bugprone checks (make tidy) count as one test (TIDY=0 or a
#    REGEX skips it).
# 1. Unit tests: build/unit_tests, then build-san/unit_tests (ASan+UBSan),
#    each with --gtest_output=json; one line per suite, every failed test
#    with its failure text.  Every gtest test counts as one test.
# 2. Integration tests: every test/integration/[0-9]*.sh in name order with
#    BUILD=build, each under `timeout`; PASS / FAIL (with its log) / SKIP
#    (exit 77, with the reason).  A test whose header has the line
#    "# run_all: san" runs a second time with BUILD=build-san.
# Ends with exactly one line "N passed, N failed" (", N skipped" when any)
# and exits non-zero if anything failed.
#
# Under CI (CI set and not "", "0" or "false") nothing may be skipped: a
# missing tool or a non-root run is a broken install, not a pass, so every
# skip (integration exit 77, a skipped gtest, clang-tidy not installed)
# counts as a failure, printed with its reason.
#
# REGEX selects integration tests by file name (extended regex) and unit
# tests by the gtest filter *REGEX* (so a plain word works for both).
# Environment: UNIT=0 / INTEGRATION=0 / SAN_TESTS=0 skip those parts;
# TEST_TIMEOUT (default 300 s per integration test), UNIT_TIMEOUT (600 s);
# KEEP_LOGS=1 keeps the log directory.  A dpvsd left running by a test
# (found by the RUN_ALL_TEST_ID it inherited) fails that test and is killed.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
FILTER=${1:-}
UNIT=${UNIT:-1}
INTEGRATION=${INTEGRATION:-1}
SAN_TESTS=${SAN_TESTS:-1}
TIDY=${TIDY:-1}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-600}
LOGDIR=$(mktemp -d /tmp/dpvsd-check.XXXXXX)
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
case "${CI:-}" in
""|0|false) CI_MODE=0 ;;
*) CI_MODE=1 ;;
esac

cleanup() {
	if [ "${KEEP_LOGS:-0}" = 1 ] || [ "$FAILED" -gt 0 ]; then
		echo "logs kept in $LOGDIR"
	else
		rm -rf "$LOGDIR"
	fi
}

note_fail() {
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$1")
}

# A skip: counted as skipped, or under CI as a failure.  $1 = name, $2 = reason.
note_skip() {
	if [ "$CI_MODE" = 1 ]; then
		echo "FAIL  $1: skipped under CI (a skip fails the run): $2"
		note_fail "$1"
	else
		echo "SKIP  $1: $2"
		SKIPPED=$((SKIPPED + 1))
	fi
}

# ---- unit tests ----

# Reads a gtest JSON report; prints "P|F|S suite test" lines and failure texts.
gtest_report() {
	python3 - "$1" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    rep = json.load(f)
for suite in rep.get("testsuites", []):
    for t in suite.get("testsuite", []):
        if t.get("status") == "NOTRUN":
            continue
        name = "%s.%s" % (suite["name"], t["name"])
        if t.get("failures"):
            print("F %s %s" % (suite["name"], name))
            for fl in t["failures"]:
                for line in fl.get("failure", "").splitlines():
                    print("    " + line)
        elif t.get("result") == "SKIPPED":
            print("S %s %s" % (suite["name"], name))
        else:
            print("P %s %s" % (suite["name"], name))
EOF
}

# The EAL leaves its runtime dir (/var/run/dpdk/<prefix>, ~2 MB of tmpfs)
# behind; remove the unit tests' new ones that no process holds open.
remove_new_runtime_dirs() {
	local d
	for d in /var/run/dpdk/dpvsd-unit-*; do
		[ -d "$d" ] || continue
		echo "$1" | grep -qxF "$d" && continue
		fuser -s "$d"/* 2>/dev/null || rm -rf "$d"
	done
}

# Fallback for a run that left no JSON: "P|F|S suite test" from the text log.
gtest_text_report() {
	sed -n -E 's/^\[ +(OK|FAILED|SKIPPED) +\] ([A-Za-z0-9_\/]+)\.([^ ]+) \([0-9]+ ms\)$/\1 \2 \2.\3/p' "$1" |
		sed -e 's/^OK /P /' -e 's/^FAILED /F /' -e 's/^SKIPPED /S /'
}

# The message a skipped gtest printed (the lines between its RUN and SKIPPED).
gtest_skip_reason() {
	awk -v t="$2" '$0 ~ "^\\[ RUN +\\] " t "$" { on = 1; next }
		on && /^\[ +SKIPPED +\]/ { exit }
		on && NF && !/^\[/ && !/^Skipped$/ { r = r (r ? " " : "") $0 }
		END { print (r ? r : "(no reason printed)") }' "$1"
}

# The last test that started and did not finish, in a gtest text log.
gtest_unfinished() {
	awk '/^\[ RUN      \]/ { t = $4 } /^\[ +(OK|FAILED|SKIPPED) +\]/ { if ($0 ~ t) t = "" }
	     END { print t }' "$1"
}

run_unit() {
	local b=$1 bin="$1/unit_tests" log="$LOGDIR/unit-$1.log" json="$LOGDIR/unit-$1.json"
	local rc filter=() start report suite_counts extra line tname before
	if [ ! -x "$bin" ]; then
		echo "FAIL  unit_tests [$b]: $bin is not built"
		note_fail "unit_tests [$b]"
		return
	fi
	[ -n "$FILTER" ] && filter=("--gtest_filter=*$FILTER*")
	start=$SECONDS
	before=$(ls -d /var/run/dpdk/dpvsd-unit-* 2>/dev/null)
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		timeout -k 10 "$UNIT_TIMEOUT" "$bin" --gtest_output="json:$json" "${filter[@]}" \
		>"$log" 2>&1
	rc=$?
	remove_new_runtime_dirs "$before"
	if [ -s "$json" ]; then
		report=$(gtest_report "$json") || report=
		if [ -z "$report" ]; then
			echo "FAIL  unit_tests [$b]: no test results in $json"
			note_fail "unit_tests [$b] report"
		fi
	else
		# No JSON: the binary crashed or timed out.  Count what the text
		# log shows, and fail the run naming the test it died in.
		report=$(gtest_text_report "$log")
		tname=$(gtest_unfinished "$log")
		echo "FAIL  unit_tests [$b]: exit status $rc without a report (crash or timeout)" \
			"${tname:+in $tname}; log tail:"
		tail -n 60 "$log" | sed 's/^/    /'
		note_fail "unit_tests [$b] ${tname:-crashed}"
	fi
	# One line per suite: PASS/FAIL with counts; failures in full.
	suite_counts=$(echo "$report" | awk '
		/^[PFS] / { n[$2]++; c[$2, $1]++; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
		END { for (i = 1; i <= k; i++) { s = order[i];
			printf "%s %d %d %d\n", s, c[s, "P"] + 0, c[s, "F"] + 0, c[s, "S"] + 0 } }')
	while read -r suite p f s; do
		[ -n "$suite" ] || continue
		PASSED=$((PASSED + p))
		[ "$CI_MODE" = 1 ] || SKIPPED=$((SKIPPED + s))
		if [ "$f" -gt 0 ]; then
			echo "FAIL  [$b] $suite ($f of $((p + f + s)) failed)"
		elif [ "$CI_MODE" = 1 ] && [ "$s" -gt 0 ]; then
			echo "FAIL  [$b] $suite ($s of $((p + s)) skipped under CI)"
		elif [ "$p" -eq 0 ] && [ "$s" -gt 0 ]; then
			echo "SKIP  [$b] $suite ($s skipped)"
		else
			extra=
			[ "$s" -gt 0 ] && extra=", $s skipped"
			echo "PASS  [$b] $suite ($p tests$extra)"
		fi
	done <<<"$suite_counts"
	while IFS= read -r line; do
		case "$line" in
		"F "*)
			tname=${line##* }
			echo "FAIL  [$b] $tname"
			note_fail "[$b] $tname"
			;;
		"S "*)
			[ "$CI_MODE" = 1 ] || continue
			tname=${line##* }
			echo "FAIL  [$b] $tname: skipped under CI (a skip fails the run):" \
				"$(gtest_skip_reason "$log" "$tname")"
			note_fail "[$b] $tname (skipped)"
			;;
		"    "*) echo "$line" ;;
		esac
	done <<<"$report"
	if [ -s "$json" ] && [ "$rc" -ne 0 ] && ! echo "$report" | grep -q '^F '; then
		# All tests passed but the process failed (sanitizer at exit, crash in teardown).
		echo "FAIL  unit_tests [$b]: exit status $rc after all tests passed; log tail:"
		tail -n 60 "$log" | sed 's/^/    /'
		note_fail "unit_tests [$b] exit"
	fi
	echo "      unit_tests [$b] took $((SECONDS - start)) s"
}

# ---- integration tests ----

# dpvsd processes started by the current test: they inherit the test's
# RUN_ALL_TEST_ID from the environment (a daemon in its own session is still
# found, and another user's dpvsd on a shared machine is not).
test_dpvsd_pids() {
	local pid
	for pid in $(pgrep -x dpvsd 2>/dev/null); do
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
			grep -qxF "RUN_ALL_TEST_ID=$1" && echo "$pid"
	done
}

# A test must not leave a dpvsd behind: fail it and kill what it left.
check_leftovers() {
	local name=$1 id=$2 leaked pid
	leaked=$(test_dpvsd_pids "$id" | tr '\n' ' ')
	[ -n "$leaked" ] || return 0
	echo "FAIL  $name left dpvsd running (pid ${leaked% }); killing it"
	for pid in $leaked; do kill -KILL "$pid" 2>/dev/null; done
	return 1
}

run_integration() {
	local t=$1 b=$2 name log rc start reason id
	name="$(basename "$t")"
	[ "$b" = build ] || name="$name [$b]"
	log="$LOGDIR/$(basename "$t" .sh)-$b.log"
	if [ ! -x "$b/dpvsd" ]; then
		echo "FAIL  $name: $b/dpvsd is not built"
		note_fail "$name"
		return
	fi
	id="$$-$RANDOM-$(basename "$t" .sh)-$b"
	start=$SECONDS
	RUN_ALL_TEST_ID=$id BUILD=$b timeout -k 10 "$TEST_TIMEOUT" bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	if ! check_leftovers "$name" "$id"; then
		note_fail "$name"
		return
	fi
	case $rc in
	0)
		echo "PASS  $name ($((SECONDS - start)) s)"
		PASSED=$((PASSED + 1))
		;;
	77)
		reason=$(grep -h '^SKIP' "$log" | tail -n 1)
		[ -n "$reason" ] || reason=$(tail -n 1 "$log")
		note_skip "$name" "${reason#SKIP: }"
		;;
	*)
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo "      ($name timed out after $TEST_TIMEOUT s)"
		echo "FAIL  $name (exit $rc, $((SECONDS - start)) s); log:"
		tail -n 150 "$log" | sed 's/^/    /'
		note_fail "$name"
		;;
	esac
}

# clang-tidy's bugprone checks over the tree count as one test (make tidy).
run_tidy() {
	local log="$LOGDIR/tidy.log"
	if ! command -v clang-tidy >/dev/null; then
		note_skip "make tidy" "clang-tidy not installed"
	elif make -s tidy >"$log" 2>&1; then
		echo "PASS  make tidy"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL  make tidy; log tail:"
		tail -n 40 "$log"
		note_fail "make-tidy"
	fi
}

main() {
	local t
	trap cleanup EXIT
	if [ "$TIDY" != 0 ] && [ -z "$FILTER" ]; then
		run_tidy
	fi
	if [ "$UNIT" != 0 ]; then
		run_unit build
		[ "$SAN_TESTS" != 0 ] && run_unit build-san
	fi
	if [ "$INTEGRATION" != 0 ]; then
		for t in test/integration/[0-9]*.sh; do
			[ -e "$t" ] || continue
			[ -z "$FILTER" ] || [[ "$(basename "$t")" =~ $FILTER ]] || continue
			run_integration "$t" build
			if [ "$SAN_TESTS" != 0 ] && grep -q '^# run_all: san' "$t"; then
				run_integration "$t" build-san
			fi
		done
	fi
	if [ "$FAILED" -gt 20 ]; then
		echo "failed: ${FAILED_NAMES[*]:0:20} ... ($((FAILED - 20)) more)"
	elif [ "$FAILED" -gt 0 ]; then
		echo "failed: ${FAILED_NAMES[*]}"
	fi
	cleanup
	trap - EXIT
	if [ "$SKIPPED" -gt 0 ]; then
		echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	else
		echo "$PASSED passed, $FAILED failed"
	fi
	[ "$FAILED" -eq 0 ]
}

main
