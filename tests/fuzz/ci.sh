#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fuzz targets' part of tests/run.sh all: build them (clang), replay
# every kept regression input, run each target 20 s, two at a time
# (about 80 s on 2 cores).  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

targets=$(make -s -f - fuzz-targets-list <<'MK' 2>/dev/null
include Makefile
fuzz-targets-list:
	@echo $(FUZZ_TARGETS)
MK
)
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	echo "fuzz: no clang here: the fuzz targets need clang and libFuzzer (libclang-rt-14-dev)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! make -s -j2 fuzz-build >build/fuzz-build.log 2>&1; then
	echo "fuzz: building the targets failed:"
	tail -20 build/fuzz-build.log
	echo "0 passed, 1 failed"
	exit 1
fi
# shellcheck disable=SC2086
exec tests/fuzz/run.sh --ci -t "${FUZZ_CI_SECONDS:-20}" -j 2 $targets
