#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence stuff clang
# The test module's sites (call, CS-prefixed call, tail jmp; rbx rbp r12
# r15 rcx r10 r11 and compiler-chosen registers): promote, call, count
# exactly, slow path, unload while promoted, reload. Then a vmlinux site
# (sort_r's compare call) promoted to a module target, and the module
# unloaded: the promotion to freed text must be gone.
set -u
. "$(dirname "$0")/lib.sh"

rpt_load
cat $RPT/sites
n=$(wc -l < $RPT/sites)
[ "$n" -ge 9 ] || fail "expected at least 9 module sites, found $n"
grep -q ' call ' $RPT/sites || fail "no call-form site"
grep -q ' jmp ' $RPT/sites || fail "no tail-jmp-form site"
grep -q 'len=6' $RPT/sites || fail "no CS-prefixed (6-byte) site"
regs=$(awk '{print $4}' $RPT/sites | sort -u | wc -l)
[ "$regs" -ge 7 ] || fail "expected at least 7 distinct registers, found $regs"
ok "$n sites, $regs registers"

rpt_write run "200 abcdefgh"; ok "calls through boot-time sites"

rpt_write promote ab
awk '$5 != 1 {exit 1}' $RPT/sites || fail "not every site stubbed after promote"
rpt_write run "500 ab"
c=$(cat $RPT/counts); echo "after 500 ab: $c"
[ "$(kv hits "$c")" = $((500 * n)) ] || fail "hits: want $((500 * n)), $c"
[ "$(kv misses "$c")" = 0 ] || fail "misses: want 0, $c"
rpt_write run "300 cdh"
c=$(cat $RPT/counts); echo "after 300 cdh: $c"
[ "$(kv hits "$c")" = $((500 * n)) ] || fail "hits changed on the slow path: $c"
[ "$(kv misses "$c")" = $((300 * n)) ] || fail "misses: want $((300 * n)), $c"
ok "exact hit and miss counts, slow path correct"

rpt_write promote abcd
rpt_write run "400 dcbae"
ok "4 targets, every slot and a miss"

rpt_write promote c
rpt_unload
ok "unloaded while promoted"
rpt_load
awk '$5 != 0 {exit 1}' $RPT/sites || fail "a reloaded module's sites are stubbed"
rpt_write run "100 ab"
rpt_write promote b
rpt_write run "100 ba"
rpt_write promote off
rpt_write run "10 a"
ok "reload, promote, restore"

rpt_write sort promote
cat $RPT/kernel
rpt_write sort 50
r=$(cat $RPT/kernel); echo "$r"
[ "$(kv hits "$r")" -gt 0 ] || fail "no hits on sort_r's sites promoted to the module's compare"
rpt_unload
rpt_load
rpt_write kernel foreign
r=$(cat $RPT/kernel); echo "$r"
[ "$(kv foreign "$r")" = 0 ] || fail "a stub still targets the unloaded module: $r"
rpt_write kernel restore
rpt_write kernel verify
r=$(cat $RPT/kernel); echo "$r"
[ "$(kv stubbed "$r")" = 0 ] && [ "$(kv mismatch "$r")" = 0 ] || fail "not restored: $r"
rpt_unload
ok "vmlinux site promoted to a module target, module unloaded, text restored"
