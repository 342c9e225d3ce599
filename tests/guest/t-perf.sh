#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off
# perf sees relpoline's stubs (Debian's linux-perf). Stubs are made while
# perf records, so that their PERF_RECORD_KSYMBOL events are in the file:
#
# 1. cpu-clock with callchains while every vmlinux site is stubbed with a
#    target no caller uses (every indirect call runs a stub's miss path)
#    and a workload runs: samples inside stubs resolve to a
#    "relpoline_stub:FUNC+0xOFF" symbol and their callchains go on into
#    the caller; no frame at a stub address is [unknown].
# 2. The relpoline_miss event with callchains, sampled from every call
#    (sample_period 1): each callchain has the stub and, above it, the
#    function the site is in.
set -u
. "$(dirname "$0")/lib.sh"

command -v perf >/dev/null || fail "perf is not installed (linux-perf)"
echo -1 > /proc/sys/kernel/perf_event_paranoid
echo 0 > /proc/sys/kernel/kptr_restrict
D=$RELPOLINE_RUN/perf
mkdir -p "$D"

chains() { python3 "$(dirname "$0")/perf-chains.py" "$@"; }
SCRIPT=(perf script -F comm,ip,sym,symoff,dso)

# --- 1. cpu-clock
rpt_load
perf record -q -g -e cpu-clock -F 4000 -o "$D/clock.data" -- \
	sh -c "echo wrong > $RPT/kernel; hackbench -g 2 -l 40 >/dev/null; for i in \$(seq 1 200); do cat /proc/self/stat >/dev/null; done" \
	> "$D/record1.log" 2>&1 || { cat "$D/record1.log"; fail "perf record (cpu-clock)"; }
cp /proc/kallsyms "$D/kallsyms"
nks=$(grep -c '\[__builtin__relpoline\]$' "$D/kallsyms")
# As a user reads it while the stubs exist (perf uses /proc/kallsyms) ...
"${SCRIPT[@]}" -i "$D/clock.data" > "$D/clock.txt" 2> "$D/script1.log" || fail "perf script (cpu-clock)"
# ... and from the PERF_RECORD_KSYMBOL events alone: kallsyms without them.
grep -v '\[__builtin__relpoline\]$' "$D/kallsyms" > "$D/kallsyms.nostubs"
"${SCRIPT[@]}" -i "$D/clock.data" --kallsyms "$D/kallsyms.nostubs" > "$D/clock-ksym.txt" 2>> "$D/script1.log" ||
	fail "perf script (cpu-clock, ksymbol events)"
echo restore > $RPT/kernel
set -- $(chains "$D/clock.txt" "$D/kallsyms")
echo "cpu-clock: $1 samples, $2 with the IP in a stub, $3 callchains through a stub ($4 with an unnamed caller), $5 [unknown] frames at stub addresses; $nks stubs in /proc/kallsyms"
grep -m 2 -A 2 '^\s*[0-9a-f]* relpoline_stub:' "$D/clock.txt" | sed 's/^/    /'
[ "$nks" -gt 1000 ] || fail "stubs are not in /proc/kallsyms"
[ "$2" -gt 0 ] || fail "no cpu-clock sample inside a stub"
[ "$4" = 0 ] || fail "$4 callchains stop at a stub"
[ "$5" = 0 ] || fail "$5 frames at stub addresses are [unknown]"
set -- $(chains "$D/clock-ksym.txt" "$D/kallsyms")
echo "the same from the ksymbol events only: $2 samples in a stub, $3 through one, $5 [unknown] at stub addresses"
[ "$2" -gt 0 ] && [ "$5" = 0 ] || fail "the PERF_RECORD_KSYMBOL events do not name the stubs"
ok "cpu-clock samples in stubs are named and their callchains continue"
rpt_unload

# --- 2. the relpoline_miss event, from the stubs' sampling calls
R=/sys/kernel/tracing/relpoline
echo 'vfs_read' > $R/set_relpoline_filter
echo 1 > $R/sample_period
echo manual > $R/mode
# Every call must miss: vfs_read's sites learning, whatever an earlier test
# promoted there (promotions outlive enable 0 and reset; demote needs
# relpoline enabled and lists only the sites it manages).
echo 1 > $R/enable || fail "enable"
awk '$2 ~ /^vfs_read\+/ { print "demote " $1 }' $R/sites > "$D/demote"
[ -s "$D/demote" ] && { cat "$D/demote" >> $R/control || fail "demote vfs_read's sites"; }
awk '$2 ~ /^vfs_read\+/ && ($6 == "promoted" || $6 == "pinned")' $R/sites | grep -q . &&
	fail "vfs_read's sites are still promoted: $(grep vfs_read $R/sites)"
perf record -q -g -e relpoline:relpoline_miss -o "$D/miss.data" -- \
	sh -c "dd if=/dev/zero of=/dev/null bs=64 count=300 2>/dev/null" \
	> "$D/record2.log" 2>&1 || { cat "$D/record2.log"; fail "perf record (relpoline_miss)"; }
"${SCRIPT[@]}" -i "$D/miss.data" > "$D/miss.txt" 2> "$D/script2.log"
rc=$?
cp /proc/kallsyms "$D/kallsyms2"
echo 0 > $R/enable
echo 16 > $R/sample_period
echo auto > $R/mode
echo > $R/set_relpoline_filter
[ $rc = 0 ] || fail "perf script (relpoline_miss)"
set -- $(chains "$D/miss.txt" "$D/kallsyms2")
vr=$(grep -A 1 '^\s*[0-9a-f]* relpoline_stub:vfs_read' "$D/miss.txt" | grep -c '^\s*[0-9a-f]* vfs_read+')
echo "relpoline_miss: $1 events, $3 callchains through a stub, $4 with an unnamed caller, $vr from vfs_read's stub into vfs_read"
grep -m 1 -B 4 -A 3 'relpoline_stub:vfs_read' "$D/miss.txt" | sed 's/^/    /'
[ "$3" -ge 100 ] || fail "too few relpoline_miss callchains through a stub ($3)"
[ "$4" = 0 ] || fail "$4 callchains stop at a stub"
[ "$vr" -ge 100 ] || fail "vfs_read's stub is not followed by vfs_read"
ok "every sampled miss unwinds from its stub into the site's function"
