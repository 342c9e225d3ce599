# SPDX-License-Identifier: GPL-2.0
# Helpers for in-guest tests (sourced).
RPT=/sys/kernel/debug/relpoline_test
RPT_KO=${RELPOLINE_TOP:?}/build/module-test/relpoline_test.ko

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
skip() { echo "SKIP: $*"; exit 4; }

# kv KEY "key=value ..." -> value
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

rpt_cleanup() {
	if [ -d "$RPT" ]; then
		echo restore > "$RPT/kernel" 2>/dev/null
		rmmod relpoline_test 2>/dev/null
	fi
}
rpt_load() {
	trap rpt_cleanup EXIT
	insmod "$RPT_KO" || fail "insmod relpoline_test"
}
rpt_unload() { rmmod relpoline_test || fail "rmmod relpoline_test"; }
# rpt_write FILE TEXT: write, failing the test on error
rpt_write() { echo "$2" > "$RPT/$1" || fail "write '$2' to $1"; }
