#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline clang
# Bad input table: one row per documented error of the relpoline tracefs
# files (Documentation/trace/relpoline.rst, "A failed write returns ..."):
# the errno of the write(), the error_log entry it adds (file, message,
# caret) and that it changed nothing (sites' states and targets, knobs,
# filter, cgroup_weights, and the text: site bytes, stubs and trace_stat's
# patch counters, tests/guest/text-state.sh). Prints the table; a row fails
# on a wrong errno, a missing error_log entry, a wrong caret where the
# offending token is clear, or a change. There is no expected-failure
# mark: a row that fails, fails the test.
#
# One row is a blank write to control while a site is busy: it once oopsed
# the kernel (NULL pointer dereference in rp_log_err()).
set -u
. "$(dirname "$0")/lib.sh"
. "$RELPOLINE_TOP/tests/security/guest-lib.sh"
. "$(dirname "$0")/kernel-facts.sh"
sec_need

FUNCS="vfs_read vfs_write"
W=$(mktemp -d)
CG=/sys/fs/cgroup
cleanup() {
	sec_reset "$FUNCS" "${REFUSED:-}" >/dev/null 2>&1
	[ -d /sys/kernel/debug/relpoline_test ] && rmmod relpoline_test 2>/dev/null
	for d in $CG/rpbad $CG/rpbad_many/*; do [ -d "$d" ] && rmdir "$d"; done
	[ -d $CG/rpbad_many ] && rmdir $CG/rpbad_many
	rm -rf "$W"
}
trap cleanup EXIT

# ---- the sites, targets and cgroups the rows use ----
sec_reset "$FUNCS"
V=$(sec_sites_of vfs_read | sed -n 1p)
V2=$(sec_sites_of vfs_read | sed -n 2p)
VN=$(sec_site_name "$V")
V2N=$(sec_site_name "$V2")
[ -n "$V" ] && [ -n "$V2" ] || fail "vfs_read has fewer than 2 sites"
OUT=$(awk '!/^#/ && $2 !~ /^vfs_(read|write)\+/ && $3 == "-" && $1 > 0 { print $1; exit }' $R/available_sites)
# a refused site: an id missing from available_sites
REFUSED=$(awk '!/^#/ { if (p != "" && $1 != p + 1) { print p + 1; exit } p = $1 }' $R/available_sites)
RZ=$(sec_ksym read_zero)
JF=$(awk '$3 == "jiffies" { print $1; exit }' /proc/kallsyms)
[ -n "$RZ" ] && [ "$RZ" != 0000000000000000 ] || fail "no read_zero address in /proc/kallsyms"
RZ1=$(printf '%x' $((0x$RZ + 1)))
echo "sites: V=$V ($VN) V2=$V2 ($V2N) outside the filter: $OUT refused: ${REFUSED:-none}"
echo "read_zero=0x$RZ jiffies=0x$JF"

# the address of a function of a module that is gone
if [ -f "$RPT_KO" ] && insmod "$RPT_KO"; then
	FREED=$(awk '$3 == "rpt_t_a" { print $1; exit }' /proc/kallsyms)
	rmmod relpoline_test
	echo "rpt_t_a was at 0x$FREED (relpoline_test unloaded)"
else
	FREED=
	echo "no test module: the freed-module row is skipped"
fi

mkdir -p $CG/rpbad
printf '%s\n' $FUNCS > $R/set_relpoline_filter
echo manual > $R/mode
echo 1 > $R/enable || fail "enable"
echo "promote $V read_zero" >> $R/control || fail "promote $V read_zero"
echo "/rpbad 5" > $R/cgroup_weights || fail "cgroup_weights /rpbad 5"
echo "--- state before the rows"
cat $R/sites $R/cgroup_weights

# ---- one row ----
# row EXPECTED FILE OPEN TEXT [CARET]
#   OPEN: rpw options (-a for >>, -t for >, -L N to pad)
#   TEXT: C escapes allowed (\n, \0, \t)
#   CARET: the token the caret must point at, or @N for a column; "" = any
# IGNORE_SITE=ID row ...: that site's line (and so the text digest) may
#   change (EBUSY)
# NOSAME=1 row ...: the write may change things (EBUSY on a repatch)
# MSG=TEXT row ...: the error_log message must contain TEXT
# Sets $got.
nrow=0 nfail=0
TABLE=$W/table
printf '%-3s %-20s %-44s %-6s %-6s %-62s %-24s %-4s %s\n' "#" file input want got \
	"error_log message" "caret at" same verdict > $TABLE
short() { # text max
	local s=$1
	s=${s//\\n/⏎}
	s=${s//\\0/␀}
	s=${s//\\t/⇥}
	[ ${#s} -gt "$2" ] && s="${s:0:$(($2 - 3))}..."
	printf '%s' "$s"
}
row() {
	local want=$1 file=$2 open=$3 text=$4 caret=${5:-}
	local msg="-" at="-" same=yes ok=1 why="" cmd="" pos=0 tok="" loc="" before after
	local -a el
	nrow=$((nrow + 1))
	echo > $T/error_log
	before=$(sec_snap)
	# shellcheck disable=SC2086
	got=$($RPW $open -e -- "$R/$file" "$text")
	after=$(sec_snap)
	case $got in OK*) got=OK ;; esac
	# the last error_log entry: "[ts] relpoline/FILE: error: MSG", "  Command: CMD", caret line
	mapfile -t el < $T/error_log
	if [ ${#el[@]} -ge 3 ]; then
		local n=${#el[@]} l1 l3
		l1=${el[n - 3]}
		cmd=${el[n - 2]#  Command: }
		l3=${el[n - 1]%%^*}
		l1=${l1#*] }
		loc=${l1%%: error: *}
		msg=${l1#*: error: }
		pos=$((${#l3} - 11))
		tok=${cmd:$pos}
		tok=${tok%%[ ,]*}
		at="$pos:${tok:-<end>}"
		[ "$loc" = "relpoline/$file" ] || { ok=0; why="$why error_log names '$loc';"; }
	elif [ "$want" != OK ]; then
		ok=0
		why="$why no error_log entry;"
	fi
	[ "$got" = "$want" ] || { ok=0; why="$why errno $got;"; }
	case "$msg" in
	*"${MSG:-}"*) ;;
	*) ok=0; why="$why message lacks '$MSG';" ;;
	esac
	if [ -n "$caret" ] && [ ${#el[@]} -ge 3 ]; then
		case $caret in
		@*) [ "$pos" = "${caret#@}" ] || { ok=0; why="$why caret at $pos, want ${caret#@};"; } ;;
		*) [ "$tok" = "$caret" ] || { ok=0; why="$why caret under '$tok', want '$caret';"; } ;;
		esac
	fi
	if [ "$want" != OK ] && [ "${NOSAME:-0}" = 1 ]; then
		same=-		# EBUSY: "the other changes of the write are made"
	elif [ "$want" != OK ]; then
		if [ -n "${IGNORE_SITE:-}" ]; then
			# that site may become busy: its line and the text digest
			# (which holds its busy mark) may change; the patch
			# counters may not
			before=$(printf '%s\n' "$before" | grep -v -e "^$IGNORE_SITE " -e '^text: ')
			after=$(printf '%s\n' "$after" | grep -v -e "^$IGNORE_SITE " -e '^text: ')
		fi
		if [ "$before" != "$after" ]; then
			same=NO
			ok=0
			why="$why state changed;"
			diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed "s/^/#$nrow changed: /"
		fi
	else
		same=-
	fi
	local verdict=PASS
	if [ $ok = 0 ]; then
		verdict="FAIL ($why)"
		nfail=$((nfail + 1))
	fi
	printf '%-3s %-20s %-44s %-6s %-6s %-62s %-24s %-4s %s\n' "$nrow" "$file" \
		"$(short "$text" 44)" "$want" "$got" "$(short "$msg" 62)" "$(short "$at" 24)" \
		"$same" "$verdict" >> $TABLE
	echo "#$nrow $file '$(short "$text" 200)': want $want, got $got, error_log '$msg' at $at, unchanged $same: $verdict"
}

# ---- control: syntax ----
row EINVAL control -a "frobnicate $V" frobnicate
row EINVAL control -a "promote vfs_read+zz read_zero"
row EINVAL control -a "promote 12ab read_zero"
row EINVAL control -a "promote $V"
row EINVAL control -a "promote $V read_zero,write_null,read_iter_zero,write_iter_null,vfs_read"
row EINVAL control -a "promote $V read_zero,read_zero" @$((${#V} + 19))
row EINVAL control -a "promote $V\0 read_zero"
row EINVAL control -a "demote $V\nfrobnicate"
row EINVAL control -a "$(for i in $(seq 129); do printf 'retrain\\n'; done)"
row EINVAL control "-a -L 65537" "reset"
# an empty write changes nothing and succeeds (like set_ftrace_filter)
row OK control "-a -L 0" "reset"
# ---- control: sites ----
row ENOENT control -a "promote 99999999 read_zero" 99999999
row ENOENT control -a "promote vfs_read+0x1 read_zero" vfs_read+0x1
if [ -n "$REFUSED" ]; then
	row EINVAL control -a "promote $REFUSED read_zero" "$REFUSED"
fi
row EINVAL control -a "promote $OUT read_zero" "$OUT"
row EINVAL control -a "pin $OUT read_zero" "$OUT"
row EINVAL control -a "demote $OUT" "$OUT"
row EINVAL control -a "retrain $OUT" "$OUT"
row ENOENT control -a "demote $V\npromote 99999999 read_zero" 99999999
# ---- control: targets ----
row ENOENT control -a "promote $V no_such_function_rpbad" no_such_function_rpbad
row ENOENT control -a "promote $V read_zero[nosuchmod]" "read_zero[nosuchmod]"
row ENOENT control -a "promote $VN vfs" vfs
row EINVAL control -a "promote $V 0x$RZ1" "0x$RZ1"
row EINVAL control -a "promote $V read_zero,0x$RZ" "0x$RZ"
row EINVAL control -a "promote $V jiffies" jiffies
row EINVAL control -a "promote $V 0x$JF" "0x$JF"
row EINVAL control -a "promote $V 0x7f0000001000" 0x7f0000001000
if [ -n "$FREED" ]; then
	row EINVAL control -a "promote $V 0x$FREED" "0x$FREED"
fi
# targets an indirect call could not reach (relpoline_target.c)
[ -r /proc/config.gz ] || fail "no /proc/config.gz (CONFIG_IKCONFIG_PROC)"
CFIMODE=$(rp_cfi_mode)
echo "cfi mode: $CFIMODE"
if rp_config_y PREFIX_SYMBOLS; then
	MSG="(__pfx_)" row EINVAL control -a "promote $V __pfx_read_zero" __pfx_read_zero
fi
if [ $CFIMODE = kcfi ]; then
	MSG="kCFI hash" row EINVAL control -a "promote $V __cfi_read_zero" __cfi_read_zero
fi
if [ $CFIMODE = fineibt ]; then
	MSG="FineIBT" row EINVAL control -a "promote $V 0x$RZ" "0x$RZ"
fi
# ---- control: disabled ----
echo 0 > $R/enable
row ENODEV control -a "promote $V read_zero"
row ENODEV control -a "demote $V"
row ENODEV control -a "retrain"
row ENODEV control -a "retrain $V"
echo 1 > $R/enable
# ---- knobs ----
for k in enable:0:1 max_targets:1:4 interval_ms:10:60000 min_samples:1:1000000 \
	 threshold_pct:1:100 sample_period:1:1000000 profile:0:1; do
	IFS=: read -r name lo hi <<< "$k"
	below=$((lo - 1))
	row EINVAL "$name" -t "$below" "$below"
	row EINVAL "$name" -t "$((hi + 1))" "$((hi + 1))"
	row EINVAL "$name" -t "abc" abc
	row EINVAL "$name" -t "4294967296" 4294967296
done
row EINVAL mode -t "fast" fast
row EINVAL mode -t "Auto" Auto
row EINVAL mode -t "auto manual" auto
# ---- set_relpoline_filter ----
row EINVAL set_relpoline_filter -a "vfs_[read"
row EINVAL set_relpoline_filter -a "vfs_read:mod:"
row EINVAL set_relpoline_filter -t "vfs_read\nvfs write"
# ---- cgroup_weights ----
row ENOENT cgroup_weights -a "/rpbad_nonexistent 5"
row EINVAL cgroup_weights -a "/rpbad 1001"
row EINVAL cgroup_weights -a "/rpbad -1"
row EINVAL cgroup_weights -a "/rpbad abc"
row EINVAL cgroup_weights -a "rpbad 5"
row ENOENT cgroup_weights -a "!/rpbad_other"
# /rpbad is in the table: 64 more make 65
mkdir -p $CG/rpbad_many
many=
for i in $(seq 64); do
	mkdir -p $CG/rpbad_many/c$i
	many="$many/rpbad_many/c$i 1\\n"
done
row EINVAL cgroup_weights -a "$many" /rpbad_many/c64

# ---- a site under a kprobe (EBUSY) ----
off=${V2N#vfs_read+}
if echo "p:rpsecbad vfs_read+$off" >> $T/kprobe_events && echo 1 > $T/events/kprobes/rpsecbad/enable; then
	echo "kprobe on $V2N: $(cat $T/kprobe_events)"
	dd if=/dev/zero of=/dev/null bs=1 count=10 2>/dev/null
	IGNORE_SITE=$V2 row EBUSY control -a "promote $V2 read_zero" "$V2"
	st=$(awk -v id="$V2" '$1 == id { print $6 }' $R/sites)
	echo "site $V2 is now: $(grep "^$V2 " $R/sites)"
	[ "$st" = busy ] || { echo "FAIL: site $V2 is '$st', not busy"; nfail=$((nfail + 1)); }
	grep -q 'busy=1' $T/trace_stat/relpoline || { echo "FAIL: trace_stat has no busy=1"; nfail=$((nfail + 1)); }
	row EBUSY control -a "promote $V2 read_zero" "$V2"
	row EBUSY control -a "demote $V2" "$V2"
	# a write that does not name the busy site
	row OK control -a "demote $V"
	echo "promote $V read_zero" >> $R/control 2>/dev/null
	NOSAME=1 row EBUSY profile -t 1 "1"
	echo 0 > $R/profile 2>/dev/null
	# a write that does not concern the busy site: it stays busy, quietly
	row OK set_relpoline_filter -a "vfs_write"
	printf '%s\n' $FUNCS > $R/set_relpoline_filter 2>/dev/null
	# a blank write while a site is busy (once an oops)
	sync
	row OK control -a "\n"
	echo 0 > $T/events/kprobes/rpsecbad/enable
	echo '-:rpsecbad' >> $T/kprobe_events
	# the kprobe is gone: the site is usable again, and the last command it
	# was given while busy (demote, row above) is made
	# (Documentation/trace/relpoline.rst, EBUSY)
	echo reset >> $R/control
	st=$(grep "^$V2 " $R/sites)
	echo "after the kprobe is removed: $st"
	nrow=$((nrow + 1))
	case $st in
	*" learning "*) v=PASS ;;
	*) v="FAIL (want learning: the demote given while busy)"
	   nfail=$((nfail + 1)) ;;
	esac
	printf '%-3s %-20s %-44s %-6s %-6s %-62s %-24s %-4s %s\n' "$nrow" control \
		"(kprobe removed, any write)" "-" "-" "$V2 is $(echo "$st" | awk '{print $6, $9}')" \
		"-" "-" "$v" >> $TABLE
	echo 0 > $R/enable
else
	echo "no kprobe on $V2N: EBUSY rows skipped"
fi

# ---- not errors: ">" replaces (the rows above compare against it) ----
okrow() { # description result-ok(0/1) detail file
	nrow=$((nrow + 1))
	local v=PASS
	if [ "$2" != 1 ]; then
		v="FAIL (> does not replace)"
		nfail=$((nfail + 1))
	fi
	printf '%-3s %-20s %-44s %-6s %-6s %-62s %-24s %-4s %s\n' "$nrow" "$4" "$1" OK OK \
		"$(short "$3" 62)" - - "$v" >> $TABLE
	echo "#$nrow $1: $3: $v"
}
echo vfs_write > $R/set_relpoline_filter
f=$(tr '\n' ' ' < $R/set_relpoline_filter)
okrow "> vfs_write (replace)" "$([ "$f" = "vfs_write " ] && echo 1)" "filter now: $f" set_relpoline_filter
echo > $R/set_relpoline_filter
f=$(tr '\n' ' ' < $R/set_relpoline_filter)
okrow "> (empty: clear)" "$([ "$f" = "#### all sites enabled #### " ] && echo 1)" "filter now: $f" \
	set_relpoline_filter
echo "/rpbad 7" > $R/cgroup_weights
f=$(grep -v '^#' $R/cgroup_weights | awk '{printf "%s %s; ", $1, $2}')
okrow "> /rpbad 7 (replace)" "$([ "$f" = "/rpbad 7; * 1; " ] && echo 1)" "table now: $f" cgroup_weights

echo
echo "=== relpoline bad input table ($nrow rows: $nfail FAIL) ==="
cat $TABLE
echo
[ $nfail -eq 0 ] || fail "$nfail rows failed"
ok "$nrow rows passed"
