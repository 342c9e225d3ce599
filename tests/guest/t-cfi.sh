#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: clang clang-fineibt
# The clang kernel (KVARIANT=clang: kCFI, IBT and FineIBT built in) in the
# CFI mode its boot asks for (cfi=kcfi or cfi=fineibt; TCG has no IBT, so
# FineIBT runs without the CPU enforcing ENDBR):
# 1. the census of vmlinux sites by form (call, jmp, jcc);
# 2. auto mode on every site with a workload: sites get promoted, and every
#    promoted target is one an indirect call may reach in this mode --
#    kCFI: a function entry, never a __cfi_ hash or __pfx_ padding;
#    FineIBT: the __cfi_ preamble the callers' registers hold whenever the
#    function has one (a learned func+0 of such a function would be a
#    target IBT forbids);
# 3. promoted hits while the workload runs again, then everything back to
#    idle and the text byte for byte as at boot (relpoline_test's verify);
# 4. FineIBT: a target named by its function means its preamble, and the
#    function's own first byte is refused (EINVAL, error_log).
set -u
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
R=$T/relpoline
[ -d $R ] || fail "no $R"

case "$RELPOLINE_PROFILE" in
clang) mode=kcfi; banner='Using kCFI' ;;
clang-fineibt) mode=fineibt; banner='Using FineIBT CFI' ;;
*) fail "unknown profile $RELPOLINE_PROFILE" ;;
esac
zcat /proc/config.gz | grep -qx CONFIG_CFI_CLANG=y || fail "not a kCFI kernel"
zcat /proc/config.gz | grep -qx CONFIG_X86_KERNEL_IBT=y || fail "not an IBT kernel"
dmesg | grep -q "$banner" || fail "the kernel did not say '$banner'"
ok "clang kernel in $mode mode ($(dmesg | grep -o 'relpoline: [0-9]* vmlinux sites, [0-9]* refused'))"

cleanup() {
	echo 0 > $R/profile
	rp_defaults
	echo reset > $R/control
	rpt_cleanup
}
trap cleanup EXIT

# --- 1. census
awk '!/^#/ && $3 == "-" { n[$4]++; t++ } END {
	printf "vmlinux sites: %d (call %d, jmp %d, jcc %d)\n", t, n["call"], n["jmp"], n["jcc"] }' \
	$R/available_sites
ok "site census"

# --- 2. auto mode, every site
insmod "$RPT_KO" || fail "insmod relpoline_test"
rpt_write kernel verify
echo "before: $(cat $RPT/kernel)"
rmmod relpoline_test || fail "rmmod relpoline_test"
workload() {
	hackbench -g 2 -l 50 > /tmp/hb.out 2>&1 || { cat /tmp/hb.out; fail "hackbench"; }
	for i in $(seq 1 50); do
		cat /proc/self/status > /dev/null
		ls / > /dev/null
		echo $i | grep -q "$i" || fail "shell pipeline"
	done
	sum=$(seq 1 2000 | sort -rn | awk '{s += $1} END {print s}')
	[ "$sum" = 2001000 ] || fail "workload result $sum"
}
echo > $R/set_relpoline_filter
echo auto > $R/mode
echo 1 > $R/sample_period
echo 1 > $R/profile
echo 1 > $R/enable || fail "enable"
managed=$(grep -vc '^#' $R/sites)
echo "managed sites: $managed"
[ "$managed" -gt 1000 ] || fail "only $managed sites managed"
for r in 1 2 3; do
	workload
	echo retrain > $R/control || fail "retrain"
done
grep -v '^#' $R/sites > /tmp/cfi-sites
promoted=$(awk '$6 == "promoted"' /tmp/cfi-sites | wc -l)
echo "promoted sites: $promoted; by form: $(awk '$6 == "promoted" { n[$4]++ } END { for (f in n) printf "%s %d ", f, n[f] }' /tmp/cfi-sites)"
[ "$promoted" -ge 50 ] || fail "only $promoted sites promoted"
# every target name (symbol or symbol[module], then :HITS)
awk '$6 == "promoted" { for (i = 9; i <= NF; i++) { t = $i; sub(/:[0-9]+$/, "", t); sub(/\[.*$/, "", t); print t } }' \
	/tmp/cfi-sites | sort | uniq -c | sort -rn > /tmp/cfi-targets
echo "targets (distinct: $(wc -l < /tmp/cfi-targets)), the busiest:"
head -n 8 /tmp/cfi-targets
awk '{ print $3 }' /proc/kallsyms | grep '^__cfi_' | sort -u > /tmp/cfi-preambles
bad=0
while read -r n t; do
	case "$t" in
	__pfx_*) echo "FAIL: target $t is padding"; bad=1 ;;
	__cfi_*)
		[ $mode = fineibt ] || { echo "FAIL: target $t is a kCFI hash"; bad=1; } ;;
	*)
		if [ $mode = fineibt ] && grep -qx "__cfi_$t" /tmp/cfi-preambles; then
			echo "FAIL: target $t has a FineIBT preamble: callers enter at __cfi_$t"
			bad=1
		fi ;;
	esac
done < /tmp/cfi-targets
[ $bad = 0 ] || fail "targets an indirect call could not reach"
ncfi=$(awk '$2 ~ /^__cfi_/ { s += $1 } END { print s + 0 }' /tmp/cfi-targets)
ntot=$(awk '{ s += $1 } END { print s + 0 }' /tmp/cfi-targets)
echo "promoted targets that are __cfi_ preambles: $ncfi of $ntot"
if [ $mode = fineibt ]; then
	[ "$ncfi" -gt 0 ] || fail "FineIBT: no target is a __cfi_ preamble"
else
	[ "$ncfi" = 0 ] || fail "kCFI: $ncfi targets are __cfi_ hashes"
fi
ok "auto mode on every site: $promoted sites promoted, targets as $mode callers reach them"

# --- 3. hits, then idle and the boot's text
h0=$(awk '{ s += $7 } END { print s + 0 }' <(grep -v '^#' $R/sites))
workload
h1=$(awk '{ s += $7 } END { print s + 0 }' <(grep -v '^#' $R/sites))
echo "hits while the workload ran again: $((h1 - h0))"
[ $((h1 - h0)) -gt 1000 ] || fail "promoted sites took $((h1 - h0)) hits"
ok "promoted calls hit"
echo 0 > $R/enable
insmod "$RPT_KO" || fail "insmod relpoline_test"
rpt_write kernel verify
r=$(cat $RPT/kernel); echo "after: $r"
[ "$(kv stubbed "$r")" = 0 ] && [ "$(kv mismatch "$r")" = 0 ] || fail "text differs from boot: $r"
rmmod relpoline_test || fail "rmmod relpoline_test"
ok "disabled: every site's text as at boot"

# --- 4. FineIBT: targets by name
if [ $mode = fineibt ]; then
	echo 1 > $R/enable
	echo manual > $R/mode
	echo 'vfs_read' > $R/set_relpoline_filter
	S=$(awk '!/^#/ && $2 ~ /^vfs_read\+/ { print $1; exit }' $R/sites)
	[ -n "$S" ] || fail "no vfs_read site"
	echo "promote $S read_zero" >> $R/control || fail "promote $S read_zero"
	line=$(awk -v s="$S" '$1 == s' $R/sites)
	echo "$line"
	case "$line" in
	*" __cfi_read_zero:"*) ;;
	*) fail "promote by name: want __cfi_read_zero, got: $line" ;;
	esac
	rz=$(awk '$3 == "read_zero" { print $1; exit }' /proc/kallsyms)
	echo > $T/error_log
	if echo "promote $S 0x$rz" >> $R/control 2> /tmp/cfi-err; then
		fail "promote $S 0x$rz (read_zero's first byte) succeeded"
	fi
	grep -q 'Invalid argument' /tmp/cfi-err || fail "want EINVAL: $(cat /tmp/cfi-err)"
	grep -q 'relpoline/control: error: target has no ENDBR (IBT): under FineIBT' $T/error_log ||
		fail "error_log: $(cat $T/error_log)"
	cat $T/error_log
	ok "FineIBT: a function named is its preamble; its first byte is refused"
fi
exit 0
