#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence stuff clang
# A live Jcc site: relpoline_jcc's "jnz __x86_indirect_thunk_r11", a
# conditional tail call (no compiler makes one in these kernels: see the
# module). In every mode: the boot form calls right; promoted, its counts
# are exact (hits per target, misses, nothing for the calls that do not
# take the branch); auto mode learns its target; disabled, every site's
# text is as before (relpoline_peek's digest).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/text-state.sh"
R=/sys/kernel/tracing/relpoline
KO=$(dirname "$RPT_KO")/relpoline_jcc.ko
J=/sys/kernel/debug/relpoline_jcc/run
cleanup() {
	echo 0 > $R/profile
	rp_defaults
	echo reset > $R/control
	rmmod relpoline_jcc 2>/dev/null
	rmmod relpoline_peek 2>/dev/null
}
trap cleanup EXIT

jrun() { # "N PATTERN" expected-result-line
	echo "$1" > $J || fail "relpoline_jcc run '$1': wrong call result"
	[ "$(cat $J)" = "$2" ] || fail "run '$1': $(cat $J), want $2"
}
site() { awk -v s="$S" '$1 == s' $R/sites; }
expect() { # state hits misses [targets...]
	local l
	l=$(site)
	set -- $l
	echo "$l"
	[ "$6 $7 $8 ${*:9}" = "$EXPECT" ] || fail "site $S: '$6 $7 $8 ${*:9}', want '$EXPECT'"
}

insmod "$KO" || fail "insmod $KO"
S=$(awk '!/^#/ && $2 ~ /^rpj_jcc\+/ && $3 == "relpoline_jcc" { print $1 }' $R/available_sites)
line=$(awk -v s="$S" '$1 == s' $R/available_sites)
echo "site: $line"
[ -n "$S" ] || fail "no relpoline_jcc site in available_sites"
set -- $line
[ "$4 $5" = "jcc r11" ] || fail "the site is '$4 $5', want 'jcc r11'"
before=$(rp_text_state) || fail "relpoline_peek"

# boot form: 1000 calls, 750 take the branch
jrun "1000 ab-c" "calls=1000 taken=750 a=250 b=250 c=250"
ok "boot form: every result right"

echo manual > $R/mode
echo rpj_jcc > $R/set_relpoline_filter
echo 1 > $R/profile
echo 1 > $R/enable || fail "enable"
echo "promote $S rpj_a[relpoline_jcc]" >> $R/control || fail "promote"
echo reset > $R/control
jrun "1000 ab-c" "calls=1000 taken=750 a=250 b=250 c=250"
EXPECT="promoted 250 500 rpj_a[relpoline_jcc]:250" expect
echo "promote $S rpj_a[relpoline_jcc],rpj_b[relpoline_jcc]" >> $R/control || fail "promote a,b"
echo reset > $R/control
jrun "600 ab-" "calls=600 taken=400 a=200 b=200 c=0"
EXPECT="promoted 400 0 rpj_a[relpoline_jcc]:200 rpj_b[relpoline_jcc]:200" expect
ok "promoted: exact hits and misses; untaken calls count nothing"

# auto mode learns c
echo "demote $S" >> $R/control || fail "demote"
echo 1 > $R/sample_period
echo 8 > $R/min_samples
echo auto > $R/mode
jrun "400 c-" "calls=400 taken=200 a=0 b=0 c=200"
echo retrain > $R/control || fail "retrain"
echo reset > $R/control
jrun "100 c" "calls=100 taken=100 a=0 b=0 c=100"
EXPECT="promoted 100 0 rpj_c[relpoline_jcc]:100" expect
ok "auto mode promoted the Jcc site to rpj_c"

echo 0 > $R/enable
after=$(rp_text_state) || fail "relpoline_peek"
printf '%s\n' "$before" "$after"
digest() { echo "$1" | head -n 1 | tr ' ' '\n' | grep -E '^(sites|stubbed|busy|crc)='; }
[ "$(digest "$before")" = "$(digest "$after")" ] || fail "text differs after disable"
jrun "1000 ab-c" "calls=1000 taken=750 a=250 b=250 c=250"
ok "disabled: every site's text as before, calls right"
exit 0
