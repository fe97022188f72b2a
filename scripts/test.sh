#!/bin/bash
# scripts/test.sh - the one command that runs every test (README, .ci/run):
# install the dependencies, build dpvsd, ipvsadm, dpip and the unit tests
# (normal and ASan/UBSan builds), then run test/run_all.sh (clang-tidy's
# bugprone checks as one test, unit and integration tests), whose last line
# is "N passed, N failed", also when the tidy check fails.  Run as root
# (integration tests need it).  With CI=true (as .ci/run runs it) every
# skipped test counts as a failure.
#
# Same as `make deps && make -j2 check`, except that the summary line stays
# the last line of the output even when a test fails.
# JOBS (default 2) sets make's parallelism; extra arguments go to run_all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}

bash scripts/deps.sh
make -j"$JOBS" all build/unit_tests
make -j"$JOBS" SAN=1 all build-san/unit_tests
exec bash test/run_all.sh "$@"
