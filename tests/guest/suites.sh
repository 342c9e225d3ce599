# SPDX-License-Identifier: GPL-2.0
# The kernel's own test suites run twice in one boot (sourced by
# tests/guest/t-suite-*.sh, after lib.sh): once with relpoline idle
# ("off": enable 0) and once with relpoline churning ("on": enabled on
# every site, auto mode, interval_ms 10, sample_period 1, min_samples 1),
# and required to give the same result for every test.
#
#   suite_run NAME DIR FN  the whole test: "FN MODE OUT" once with relpoline
#                          off and once on (between suite_begin and
#                          suite_end), each writing its results to OUT
#                          (DIR/MODE.results), then suite_compare and
#                          suite_text_restored
#   suite_begin off|on     set relpoline up, note its counters
#   suite_end off|on       what relpoline did meanwhile: "on" must have run
#                          policy rounds and rewritten sites, "off" nothing;
#                          then relpoline is idle again
#   suite_compare NAME OFF ON
#                          OFF and ON hold "TEST<TAB>RESULT" lines (pass,
#                          fail, skip, or the suite's own words); prints
#                          both result lines and fails on any difference,
#                          and on any result that is not "pass"
#   suite_kunit_module OUT KO SUITE...
#                          load a KUnit module (its suites run at load),
#                          add "SUITE.CASE<TAB>RESULT" lines to OUT from the
#                          suites' debugfs results, unload it
#   suite_text_restored    every vmlinux site holds its boot bytes
#                          (relpoline_test.ko "verify")
SUITE_RP=/sys/kernel/tracing/relpoline
SUITE_STAT=/sys/kernel/tracing/trace_stat/relpoline
SUITE_OBJ=$RELPOLINE_TOP/build/obj-test

# suite_stat KEY: a total of trace_stat/relpoline's header lines
suite_stat() { head -n 2 $SUITE_STAT | tr ' ' '\n' | sed -n "s/^$1=//p"; }

suite_begin() { # off|on
	rp_defaults
	[ "$(cat $SUITE_RP/enable)" = 0 ] || fail "relpoline is not idle"
	if [ "$1" = on ]; then
		echo 10 > $SUITE_RP/interval_ms &&
			echo 1 > $SUITE_RP/sample_period &&
			echo 1 > $SUITE_RP/min_samples &&
			echo auto > $SUITE_RP/mode &&
			echo 1 > $SUITE_RP/enable || fail "enabling relpoline"
	fi
	SUITE_T0=$(date +%s)
	SUITE_R0=$(suite_stat retrains)
	SUITE_B0=$(suite_stat batches)
	SUITE_P0=$(suite_stat patched)
	echo "relpoline $1: enable=$(cat $SUITE_RP/enable) mode=$(cat $SUITE_RP/mode)" \
		"interval_ms=$(cat $SUITE_RP/interval_ms) sample_period=$(cat $SUITE_RP/sample_period)" \
		"min_samples=$(cat $SUITE_RP/min_samples), $(grep -vc '^#' $SUITE_RP/sites) sites managed"
}

suite_end() { # off|on
	local r b p
	r=$(( $(suite_stat retrains) - SUITE_R0 ))
	b=$(( $(suite_stat batches) - SUITE_B0 ))
	p=$(( $(suite_stat patched) - SUITE_P0 ))
	echo "relpoline $1 during the run ($(( $(date +%s) - SUITE_T0 )) s):" \
		"$r policy rounds, $b patch batches, $p site rewrites;" \
		"$(suite_stat promoted) sites promoted at the end"
	if [ "$1" = on ]; then
		[ "$(cat $SUITE_RP/enable)" = 1 ] || fail "relpoline was disabled during the run"
		[ "$r" -gt 0 ] && [ "$p" -gt 0 ] || fail "relpoline did not churn during the run"
	else
		[ "$r" = 0 ] && [ "$b" = 0 ] && [ "$p" = 0 ] || fail "idle relpoline changed something"
	fi
	rp_defaults
}

suite_compare() { # NAME OFF ON
	local name=$1 m f p n s x bad=0
	for m in off on; do
		[ $m = off ] && f=$2 || f=$3
		n=$(wc -l < "$f")
		p=$(awk -F'\t' '$2 == "pass"' "$f" | wc -l)
		s=$(awk -F'\t' '$2 == "skip"' "$f" | wc -l)
		x=$(awk -F'\t' '$2 != "pass" && $2 != "skip"' "$f" | wc -l)
		echo "$name, relpoline $m: $p passed, $x failed, $s skipped ($n tests)"
		awk -F'\t' '$2 != "pass" { print "    " $0 }' "$f"
		[ "$n" -gt 0 ] || { echo "FAIL: $name: no result with relpoline $m"; bad=1; }
		[ "$p" = "$n" ] || bad=1
	done
	if ! diff -u --label "relpoline off" --label "relpoline on" "$2" "$3"; then
		echo "FAIL: $name: the results differ"
		bad=1
	fi
	[ $bad = 0 ] || fail "$name: not every test passed both ways with the same result"
	ok "$name: identical results both ways"
}

suite_run() { # NAME DIR FN
	local m
	mkdir -p "$2"
	for m in off on; do
		suite_begin $m
		: > "$2/$m.results"
		"$3" $m "$2/$m.results"
		suite_end $m
	done
	suite_compare "$1" "$2/off.results" "$2/on.results"
	suite_text_restored
}

suite_kunit_module() { # OUT KO SUITE...
	local out=$1 ko=$2 mod s
	shift 2
	mod=$(basename "$ko" .ko)
	[ -f "$ko" ] || fail "no $ko (CONFIG_... =m in configs/qemu.config?)"
	insmod "$ko" || fail "insmod $ko"
	for s in "$@"; do
		[ -r /sys/kernel/debug/kunit/$s/results ] || { rmmod "$mod"; fail "no KUnit results for $s"; }
		cat /sys/kernel/debug/kunit/$s/results > "${out%.results}-$s.ktap"
	done
	rmmod "$mod" || fail "rmmod $mod"
	for s in "$@"; do
		python3 "$RELPOLINE_TOP/scripts/kunit-check" --cases "${out%.results}-$s.ktap" >> "$out" ||
			fail "kunit-check --cases $s"
	done
}

suite_text_restored() {
	local r
	rpt_load
	rpt_write kernel verify
	r=$(cat $RPT/kernel)
	rpt_unload
	trap - EXIT
	echo "after both runs: $r"
	[ "$(kv stubbed "$r")" = 0 ] && [ "$(kv mismatch "$r")" = 0 ] || fail "the text differs from boot: $r"
}
