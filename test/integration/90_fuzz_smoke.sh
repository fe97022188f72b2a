#!/bin/bash
# 90_fuzz_smoke.sh - build the libFuzzer targets (make fuzz, clang) and run
# each one for a bounded time from its committed seed corpus
# (test/fuzz/corpus/<target>/, copied: the committed one is not changed).
# Any crash, sanitizer report, leak or timeout fails the test and leaves the
# reproducer in the log.  FUZZ_SECS sets the time per target (default 25,
# 10 under CI).  Skipped (77) when clang or its libFuzzer runtime is
# missing.  See doc/testing.md for longer runs.
source "$(dirname "$0")/lib.sh"

need_cmd clang
rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)
if [ ! -e "$rt" ]; then
	rt=$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | head -n 1)
	[ -n "$rt" ] || skip "clang's libFuzzer runtime is not installed (apt-get install libclang-rt-14-dev)"
fi

if [ "${CI:-}" = true ]; then secs=${FUZZ_SECS:-10}; else secs=${FUZZ_SECS:-25}; fi

cd "$ROOT"
make -j2 fuzz >"$T/build.log" 2>&1 || { tail -n 30 "$T/build.log"; fail "make fuzz failed"; }
on_exit "rm -rf /var/run/dpdk/dpvsd-fuzz-* 2>/dev/null"

# The fuzzers' own sanitizer settings (lib.sh's suit the daemon).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=0
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	corpus="$T/corpus-$name"
	mkdir -p "$corpus" "$T/art-$name"
	[ -d "test/fuzz/corpus/$name" ] && cp test/fuzz/corpus/"$name"/* "$corpus"/
	rc=0
	timeout $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$T/art-$name/" \
		"$corpus" >"$T/$name.log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$name.log")
	if [ "$rc" != 0 ] || [ -n "$(ls -A "$T/art-$name")" ]; then
		echo "FAIL: $name (exit $rc) after ${runs:-?} inputs" >&2
		grep -E -A30 'ERROR:|runtime error|deadly signal|Timeout' "$T/$name.log" | head -n 60 >&2
		for a in "$T/art-$name"/*; do
			[ -e "$a" ] && echo "reproducer $(basename "$a"): $(base64 -w0 "$a" | head -c 600)" >&2
		done
		failed=$((failed + 1))
	else
		echo "ok: $name: ${runs:-?} inputs in ${secs}s, no crash"
	fi
done
[ "$failed" = 0 ] || fail "$failed fuzz target(s) found a problem"
