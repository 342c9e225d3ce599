# SPDX-License-Identifier: GPL-2.0
# Helpers for the in-guest security tests (t-bad-input.sh, t-security.sh,
# t-random-writes.sh), sourced after tests/guest/lib.sh.
R=/sys/kernel/tracing/relpoline
T=/sys/kernel/tracing
SEC_BIN=${RELPOLINE_TOP:?}/build/security
RPW=$SEC_BIN/rpw
RPWRITE=$SEC_BIN/rpwrite
KNOBS="enable mode max_targets interval_ms min_samples threshold_pct sample_period profile"
KNOB_DEFAULTS="mode=auto max_targets=2 interval_ms=1000 min_samples=32 threshold_pct=10 sample_period=16 profile=0"

sec_need() { # need the helpers built on the host and relpoline in the kernel
	[ -d "$R" ] || skip "no $R"
	[ -x "$RPW" ] || skip "$RPW not built (make -C tests/security)"
	[ "$#" -eq 0 ] || [ -x "$RPWRITE" ] || skip "$RPWRITE not built (make -C tests/security)"
	rp_text_load || fail "cannot load relpoline_peek (scripts/build-module)"
}

# Site ids of a function (vmlinux), from available_sites.
sec_sites_of() { awk -v f="$1" '$2 ~ ("^" f "\\+") && $3 == "-" { print $1 }' $R/available_sites; }
# "func+0xOFF" of a site id
sec_site_name() { awk -v id="$1" '$1 == id { sub(/\/.*/, "", $2); print $2 }' $R/available_sites; }
# a function's address in /proc/kallsyms (first match), without 0x
sec_ksym() { awk -v s="$1" '$3 == s && $4 == "" { print $1; exit }' /proc/kallsyms; }

. "$RELPOLINE_TOP/tests/guest/text-state.sh"

# What a failed write must not change: every site's state and targets
# (not the counters), every knob, the filter, cgroup_weights (not the
# sample counts), and the text (rp_text_state: site bytes, stubs, patch
# counters).
sec_snap() {
	local k files=
	for k in $KNOBS; do files="$files $R/$k"; done
	# shellcheck disable=SC2086
	awk 'FILENAME ~ /\/sites$/ {
		if (/^#/) next
		l = $1 " " $2 " " $3 " " $4 " " $5 " " $6
		for (i = 9; i <= NF; i++) { t = $i; sub(/:[0-9]+$/, "", t); l = l " " t }
		print l; next }
	     FILENAME ~ /set_relpoline_filter$/ { print "filter: " $0; next }
	     FILENAME ~ /cgroup_weights$/ {
		if (!/^#/) print "weight:", $1, $2, ($4 == "(deleted)" ? "(deleted)" : ""); next }
	     { n = FILENAME; sub(/.*\//, "", n); print n "=" $0 }' \
		$R/sites $files $R/set_relpoline_filter $R/cgroup_weights
	rp_text_state
}

# Back to the boot state for the sites in FUNCS: no promotion, pin or
# block kept, counters reset, disabled, knobs at their defaults, no
# filter, no cgroup weights, kprobes named rpsec* removed.
sec_reset() { # FUNCS (space separated) [extra site ids to unblock]
	local funcs=$1 extra=${2:-} f id
	for f in $T/events/kprobes/rpsec*/enable; do
		[ -f "$f" ] && echo 0 > "$f"
	done
	for f in $(awk -F'[:/ ]' '/^p:kprobes\/rpsec/ { print $3 }' $T/kprobe_events 2>/dev/null); do
		echo "-:$f" >> $T/kprobe_events
	done
	echo manual > $R/mode
	printf '%s\n' $funcs > $R/set_relpoline_filter
	echo 1 > $R/enable 2>/dev/null
	for f in $funcs; do
		for id in $(sec_sites_of "$f"); do
			echo "unblock $id" >> $R/control 2>/dev/null
			echo "demote $id" >> $R/control 2>/dev/null
		done
	done
	for id in $extra; do
		echo "unblock $id" >> $R/control 2>/dev/null
	done
	echo reset >> $R/control 2>/dev/null
	echo 0 > $R/enable
	echo > $R/set_relpoline_filter
	echo > $R/cgroup_weights
	for f in $KNOB_DEFAULTS; do
		echo "${f#*=}" > "$R/${f%%=*}"
	done
	echo > $T/error_log
}

# Check the state against the defaults; prints what differs.
sec_check_defaults() {
	local f v bad=0
	[ "$(cat $R/enable)" = 0 ] || { echo "enable is $(cat $R/enable)"; bad=1; }
	for f in $KNOB_DEFAULTS; do
		v=$(cat "$R/${f%%=*}")
		[ "$v" = "${f#*=}" ] || { echo "${f%%=*} is $v"; bad=1; }
	done
	grep -q 'all sites enabled' $R/set_relpoline_filter || { echo "filter left"; bad=1; }
	return $bad
}
