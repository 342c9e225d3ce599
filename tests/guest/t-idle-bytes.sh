#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence its stuff retpoline-norp off-norp disabled its-norp stuff-norp clang clang-norp
# Idle relpoline is byte-identical to upstream: every retpoline site of
# vmlinux and of the test module, read from the live text through
# /proc/kcore at the addresses objtool listed (tests/guest/site-bytes.py,
# which does not ask relpoline anything), holds the same bytes as in a
# boot of the same kernel and spectre_v2 mode with relpoline=off.
#
# A boot with relpoline writes its dump to its run directory; the
# relpoline=off boot paired with it (PROFILE-norp, or "disabled" for
# "lfence") compares its own dump with that one. Both boot with nokaslr,
# so that module text lands at the same address and rel32 branches from
# module sites to the thunks are the same bytes. The dump is taken after
# the other tests of the boot ran: what they changed must be back.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/plan.sh"

pair=$(plan_pair "$RELPOLINE_PROFILE")
grep -qw nokaslr /proc/cmdline || fail "boot with nokaslr: module addresses must not move between the paired boots"
[ -r /proc/kcore ] || fail "/proc/kcore is missing (CONFIG_PROC_KCORE)"
echo 0 > /proc/sys/kernel/kptr_restrict

T=/sys/kernel/tracing/relpoline
if [ -d $T ]; then
	[ "$(cat $T/enable)" = 0 ] || fail "relpoline is enabled: not idle"
	st=$(cat /sys/kernel/tracing/trace_stat/relpoline)
	echo "$st" | grep '^# ' | head -n 2
	echo "$st" | grep -q ' stub_bytes=0 ' || fail "stubs still allocated: not idle"
fi
insmod "$RPT_KO" || fail "insmod relpoline_test"
trap 'rmmod relpoline_test 2>/dev/null' EXIT
out=$RELPOLINE_RUN/idle-bytes.txt
python3 "$(dirname "$0")/site-bytes.py" "$RPT_OBJ/vmlinux" "$RPT_KO" > "$out" ||
	fail "site-bytes.py failed"
n=$(wc -l < "$out")
nm=$(grep -c '^relpoline_test:' "$out")
echo "dumped $n sites ($nm of the test module) to $out"
[ "$n" -gt 1000 ] && [ "$nm" -ge 9 ] || fail "too few sites dumped"
# How the sites look in this mode: the first bytes, by count.
cut -d' ' -f2 "$out" | cut -c1-4 | sort | uniq -c | sort -rn | head -n 6

[ -n "$pair" ] || { ok "$n sites dumped for the relpoline=off boot to compare"; exit 0; }
ref=${RELPOLINE_PAIR_DIR:-$(dirname "$RELPOLINE_RUN")/vm-$pair}/idle-bytes.txt
[ -f "$ref" ] || fail "no dump from the paired boot '$pair' at $ref"
dmesg | grep -q 'relpoline: disabled: disabled on the command line' ||
	fail "this boot must have relpoline=off"
if ! diff -u "$ref" "$out" > "$RELPOLINE_RUN/idle-bytes.diff"; then
	d=$(grep -c '^+[^+]' "$RELPOLINE_RUN/idle-bytes.diff")
	head -n 20 "$RELPOLINE_RUN/idle-bytes.diff"
	fail "$d of $n sites differ from the '$pair' boot with relpoline"
fi
ok "all $n sites ($nm of the test module) byte-identical to the '$pair' boot with relpoline idle"
