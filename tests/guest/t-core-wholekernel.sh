#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence stuff clang
# Every vmlinux site gets a stub whose only target no caller uses, so
# every indirect call in the kernel takes the stub's slow path; a real
# workload runs; then everything is restored and the text compared with
# boot byte for byte.
set -u
. "$(dirname "$0")/lib.sh"

rpt_load
rpt_write kernel verify
echo "before: $(cat $RPT/kernel)"
rpt_write kernel wrong
r=$(cat $RPT/kernel); echo "promote all: $r"
[ "$(kv failed "$r")" = 0 ] || fail "some sites failed: $r"
[ "$(kv stubbed "$r")" = "$(kv requested "$r")" ] || fail "not all requested sites stubbed: $r"

hackbench -g 4 -l 100 > /tmp/hb.out 2>&1 || { cat /tmp/hb.out; fail "hackbench"; }
tail -n 1 /tmp/hb.out
for i in $(seq 1 100); do
	cat /proc/self/status > /dev/null
	ls / > /dev/null
	dd if=/dev/zero bs=4k count=16 2>/dev/null | sha1sum > /dev/null
	echo $i | grep -q "$i" || fail "shell pipeline"
done
sum=$(seq 1 2000 | sort -rn | awk '{s += $1} END {print s}')
[ "$sum" = 2001000 ] || fail "workload result $sum"
ok "workload ran with every call on the slow path"

rpt_write kernel restore
r=$(cat $RPT/kernel); echo "restore all: $r"
[ "$(kv busy "$r")" = 0 ] || fail "busy sites: $r"
rpt_write kernel verify
r=$(cat $RPT/kernel); echo "after: $r"
[ "$(kv stubbed "$r")" = 0 ] && [ "$(kv mismatch "$r")" = 0 ] || fail "text differs from boot: $r"
rpt_unload
ok "text byte-identical to boot"
