#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# Random writes to every relpoline file (build/security/rpwrite, seeded:
# RPW_SEED, default 1) while dd reads /dev/zero in a loop inside a cgroup:
# RPW_WRITES writes (default 5000: about 3 min in TCG, within run-suite's
# 600 s per test) with relpoline mostly enabled on the
# sites of vfs_read and vfs_write. rpwrite checks every write's errno,
# that failed writes change nothing, the knobs' semantics and ranges, and
# every 50 writes the format of sites and the monotonicity of the counters
# (see tests/security/rpwrite.c), and on every RPW_TEXT_EVERY-th write
# (default 10; a digest costs tens of ms in TCG) that a failed write left
# the text alone (relpoline_peek); then RPW_LEAK_ROUNDS (default
# RPW_WRITES/20) rounds of the same 13 failing writes, and kernel memory
# (slab, vmalloc, per-CPU) may grow by at most half of what a leak of 1 KiB
# a round would add (rpwrite -M), and the same rounds with such a leak
# injected (rpwrite -I) must fail: the probe's positive control. Then (RPW_KPROBE=1, the default) a second pass of
# RPW_WRITES/4 writes with a kprobe going on and off the filter's sites
# every 200 writes (fewer for short runs; busy sites, EBUSY). The host
# wrapper tests/security/run-random-writes runs the long version in its
# own guest.
set -u
. "$(dirname "$0")/lib.sh"
. "$RELPOLINE_TOP/tests/security/guest-lib.sh"
sec_need rpwrite

N=${RPW_WRITES:-5000}
SEED=${RPW_SEED:-1}
FUNCS="vfs_read vfs_write"
CGW=/sys/fs/cgroup/rpw_a
wl=
cleanup() {
	[ -n "$wl" ] && kill "$wl" 2>/dev/null && wait "$wl" 2>/dev/null
	sec_reset "$FUNCS" >/dev/null 2>&1
	for d in /sys/fs/cgroup/rpw_b/c /sys/fs/cgroup/rpw_b $CGW; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
}
trap cleanup EXIT
sec_reset "$FUNCS"

# the workload: dd from /dev/zero in a loop, in cgroup rpw_a
mkdir -p $CGW
(
	echo $BASHPID > $CGW/cgroup.procs
	while :; do dd if=/dev/zero of=/dev/null bs=4k count=2000 2>/dev/null; done
) &
wl=$!

rc=0
t0=$(date +%s)
"$RPWRITE" -s "$SEED" -n "$N" -k 50 -p $((N / 10 > 0 ? N / 10 : 1)) -f vfs_read,vfs_write \
	-T "${RPW_TEXT_EVERY:-10}" -M "${RPW_LEAK_ROUNDS:-$((N / 20))}" || rc=$?
t1=$(date +%s)
echo "pass 1: $N writes in $((t1 - t0)) s (exit $rc)"
# The leak probe's positive control: the same rounds with a leak of 1 KiB
# a round added (rpwrite -I) must fail (about 40 s for 250 rounds in TCG).
lr=${RPW_LEAK_ROUNDS:-$((N / 20))}
if [ "$lr" -gt 0 ] && [ $rc -eq 0 ]; then
	"$RPWRITE" -s "$SEED" -n 0 -f vfs_read,vfs_write -M "$lr" -I > /tmp/rpw-leakctl.out 2>&1
	crc=$?
	grep 'leak probe' /tmp/rpw-leakctl.out
	if [ $crc -eq 1 ] && grep -q 'leak probe: kernel memory grew' /tmp/rpw-leakctl.out; then
		echo "ok: the leak probe finds an injected leak of 1 KiB a round"
	else
		echo "FAIL: the leak probe misses an injected leak of 1 KiB a round (exit $crc)"
		rc=1
	fi
	t1=$(date +%s)
fi
if [ "${RPW_KPROBE:-1}" = 1 ] && [ $rc -eq 0 ]; then
	n2=$((N / 4 > 0 ? N / 4 : 1))
	k=$((n2 >= 1000 ? 200 : (n2 / 5 > 0 ? n2 / 5 : 1)))
	"$RPWRITE" -s $((SEED + 1)) -n "$n2" -k 50 -p $((n2 / 5 > 0 ? n2 / 5 : 1)) -K $k \
		-T "${RPW_TEXT_EVERY:-10}" -f vfs_read,vfs_write || rc=$?
	echo "pass 2 (kprobes): $n2 writes in $(($(date +%s) - t1)) s (exit $rc)"
fi
kill "$wl" 2>/dev/null
wait "$wl" 2>/dev/null
wl=
echo "--- state after the writes"
cat $R/sites | head -n 20
head -n 2 $T/trace_stat/relpoline
[ $rc -eq 0 ] || fail "rpwrite found problems (exit $rc); rerun with RPW_SEED=$SEED RPW_WRITES=$N"
ok "$N random writes (seed $SEED) in $((t1 - t0)) s"
