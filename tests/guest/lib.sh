# SPDX-License-Identifier: GPL-2.0
# Helpers for in-guest tests (sourced).
RPT=/sys/kernel/debug/relpoline_test
# the kernel variant the guest runs (tests/vm/run): its build and modules
RPT_VARIANT=${RELPOLINE_KVARIANT:-test}
RPT_OBJ=${RELPOLINE_TOP:?}/build/obj-$RPT_VARIANT
RPT_KO=$RELPOLINE_TOP/build/module-$RPT_VARIANT/relpoline_test.ko

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

# rp_defaults: relpoline back to its boot state -- disabled, no filter,
# default cgroup weight, auto mode, and every knob at the default of the
# tools' knob table ('relpoline help' prints it).
rp_defaults() {
	local t=/sys/kernel/tracing/relpoline k v
	echo 0 > $t/enable
	echo > $t/set_relpoline_filter
	echo '* 1' > $t/cgroup_weights
	echo auto > $t/mode
	"$RELPOLINE_TOP/build/tools/relpoline" help |
		awk '/^  knobs/ { s = 1; next } /^$/ { s = 0 } s { sub(/:$/, "", $4); print $1, $4 }' |
		while read -r k v; do echo "$v" > $t/$k; done
}
