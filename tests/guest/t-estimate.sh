#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence stuff
# The kernel's estimate of what promotion saves (trace_stat/relpoline's
# "# estimate:" line, Documentation/trace/relpoline.rst "What it saves"):
# calibrated once (relpoline_calibrate(); a KUnit case runs it at boot),
# saved_cycles = hits * max(0, slow - hit) / 100 exactly, in the same read;
# with hits counted (profile 1) a rate over a window of a second or more,
# its share of one CPU = rate * 1000 / cycle_khz ppm; no rate once hits
# are no longer counted; relpoline status (text and JSON) carries it.
# TCG's cycles mean nothing: only the arithmetic and the presence are
# checked, in every mode whose slow path differs.
set -u
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
R=$T/relpoline
S=$T/trace_stat/relpoline
RP=$RELPOLINE_TOP/build/tools/relpoline
[ -d $R ] || fail "no $R in a boot with relpoline"

wl=
# vfs_read's sites back to learning: promotions outlive enable and reset,
# and later tests (t-perf) count misses on those sites
demote_vfs_read() {
	awk '$2 ~ /^vfs_read\+/ { print "demote " $1 }' $R/sites > /tmp/rp-est-demote
	[ -s /tmp/rp-est-demote ] && cat /tmp/rp-est-demote >> $R/control
	rm -f /tmp/rp-est-demote
}
cleanup() {
	[ -n "$wl" ] && kill "$wl" 2>/dev/null && wait "$wl" 2>/dev/null
	echo 0 > $R/profile
	demote_vfs_read
	rp_defaults
	echo reset > $R/control
}
trap cleanup EXIT

# one read of the header: "hits" from "# hits=", the rest from "# estimate:"
read_stat() {
	local all h e
	all=$(head -4 $S)
	h=$(grep '^# hits=' <<<"$all") || fail "no '# hits=' line in $S"
	e=$(grep '^# estimate:' <<<"$all") || fail "no '# estimate:' line in $S: $all"
	hits=$(kv hits "$h")
	est=$e
	for k in slow_cycles_x100 hit_cycles_x100 saved_cycles saved_cycles_per_sec \
		 cpu_share_ppm saved_window_ms cycle_khz; do
		printf -v "$k" '%s' "$(kv $k "$e")"
	done
}

# saved_cycles is hits * max(0, slow - hit) / 100, from the same read
check_saved() {
	local per=$((slow_cycles_x100 - hit_cycles_x100)) want
	[ $per -lt 0 ] && per=0
	want=$((hits / 100 * per + hits % 100 * per / 100))
	[ "$saved_cycles" = "$want" ] ||
		fail "saved_cycles=$saved_cycles, want hits $hits * $per / 100 = $want: $est"
}

rp_defaults
echo reset > $R/control
echo vfs_read > $R/set_relpoline_filter
echo 1 > $R/profile
echo 1 > $R/enable || fail "enable"
(while :; do dd if=/dev/zero of=/dev/null bs=4k count=2000 2>/dev/null; done) &
wl=$!
sleep 2
read_stat
[ "$slow_cycles_x100" -gt 0 ] && [ "$hit_cycles_x100" -gt 0 ] && [ "$cycle_khz" -gt 0 ] ||
	fail "no calibration: $est"
check_saved
ok "calibrated: slow path $slow_cycles_x100, hit $hit_cycles_x100 (x100 cycles), ${cycle_khz} kHz; saved_cycles = hits * (slow - hit) / 100 ($hits hits)"

# a window of a second or more between two reads gives a rate
sleep 1.2
read_stat
check_saved
[ -n "$saved_cycles_per_sec" ] || fail "no rate after a window of 1.2 s: $est"
[ "$saved_window_ms" -ge 1000 ] || fail "a window under a second: $est"
[ "$cpu_share_ppm" = $((saved_cycles_per_sec * 1000 / cycle_khz)) ] ||
	fail "cpu_share_ppm=$cpu_share_ppm, want $saved_cycles_per_sec * 1000 / $cycle_khz: $est"
[ "$hits" -gt 0 ] || fail "no hits counted on vfs_read's sites under dd: $(head -3 $S)"
ok "rate: $saved_cycles_per_sec cycles/s over ${saved_window_ms} ms = $cpu_share_ppm ppm of one CPU"

out=$("$RP" status) || fail "relpoline status: $out"
grep -q '^estimate: *a hit saves [0-9.]* cycles (slow path [0-9.]*, hit [0-9.]*); ' <<<"$out" ||
	fail "relpoline status has no estimate: $out"
json=$("$RP" status --json) || fail "relpoline status --json"
python3 - "$json" <<'EOF' || fail "status --json: no estimate in totals: $json"
import json, sys
t = json.loads(sys.argv[1])["totals"]
sys.exit(0 if all(k in t for k in ("saved_cycles", "slow_cycles_x100", "hit_cycles_x100")) else 1)
EOF
ok "relpoline status and status --json carry the estimate"

# hits no longer counted: the rate goes (a window without counts would lie)
echo 0 > $R/profile
sleep 1.1
read_stat
[ -z "$saved_cycles_per_sec" ] || fail "a rate while hits are not counted: $est"
echo 1 > $R/profile
read_stat
[ -z "$saved_cycles_per_sec" ] || fail "a rate right after counting restarted: $est"
ok "no rate while hits are not counted, nor from a window that spans the restart"
