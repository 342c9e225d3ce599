#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# measure-cpu.sh [-s SITES] [-n FRAMES] [-d DELAY] [-k] [BINARY]
#
# Build a synthetic fake tracing dir with SITES (default 30000) relpoline
# sites, keep its counters moving (a background loop swaps in a new
# version of sites and trace_stat/relpoline every DELAY seconds, by
# atomic symlink rename so the reader never sees a half written file),
# and measure the CPU time of
#
#	relpoline-top --tracing-dir DIR -b -d DELAY -i FRAMES > /dev/null
#
# CPU% = (user + system time of relpoline-top) / wall time * 100, from
# /usr/bin/time (getrusage of the child) or bash's 'times' otherwise.
# The budget is 2% of one CPU at -d 1 with 30,000 sites.
#
# Only the tool's own cost is measured: on a real kernel the time the
# kernel spends generating the tracefs text is charged to the reader as
# system time too, and is not part of this figure.
#
# -k keeps the generated directory. Exit status 1 if CPU% > 2.
set -euo pipefail

sites=30000
frames=20
delay=1
keep=0
while getopts "s:n:d:kh" opt; do
	case $opt in
	s) sites=$OPTARG ;;
	n) frames=$OPTARG ;;
	d) delay=$OPTARG ;;
	k) keep=1 ;;
	h) sed -n '3,22p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${RELPOLINE_TOP:-$here/../../build/tools/relpoline-top}}
if [ ! -x "$bin" ]; then
	echo "measure-cpu: $bin not found; run 'make -C tools' first" >&2
	exit 2
fi

base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/relpoline-cpu.XXXXXX")
rotator=
cleanup() {
	local rc=$?

	if [ -n "$rotator" ]; then
		kill "$rotator" 2>/dev/null || true
		wait "$rotator" 2>/dev/null || true
	fi
	if [ "$keep" = 1 ]; then
		echo "measure-cpu: kept $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT

dir=$work/tracing
mkdir -p "$dir/relpoline" "$dir/trace_stat" "$work/v"
echo 1 > "$dir/relpoline/enable"
echo auto > "$dir/relpoline/mode"
echo 0 > "$dir/relpoline/profile"
touch "$dir/relpoline/profile_hold"
echo 2 > "$dir/relpoline/max_targets"
echo 1000 > "$dir/relpoline/interval_ms"
: > "$dir/relpoline/control"
: > "$dir/error_log"

versions=6
echo "measure-cpu: generating $sites sites x $versions versions in $work" >&2
# One awk run writes every version of sites and trace_stat. Counters grow
# by a per-site rate each version; wrapping back to version 0 looks like
# a counter reset, which the tool handles.
awk -v n="$sites" -v nv="$versions" -v out="$work/v" '
function name(i, k) { return sprintf("%s_%s_%d", pre[i % 7], suf[(i * 13 + k) % 9], i) }
BEGIN {
	split("ext4 xfs nf_tables virtio_net kvm btrfs", mods, " ")
	split("do_sys vfs_read tcp_v4 ip_rcv sched_tick page_fault blk_mq", p, " ")
	for (i = 1; i <= 7; i++) pre[i - 1] = p[i]
	split("iter handler ops cb fn work poll xmit entry", s, " ")
	for (i = 1; i <= 9; i++) suf[i - 1] = s[i]
	split("rax rcx rdx rsi rdi r8 r11", regs, " ")
	srand(42)
	for (i = 1; i <= n; i++) {
		r = rand()
		st[i] = r < 0.40 ? "promoted" : r < 0.45 ? "pinned" : r < 0.75 ? "learning" : \
			r < 0.95 ? "off" : r < 0.98 ? "blocked" : "busy"
		rate[i] = (st[i] == "off" || st[i] == "blocked") ? 0 : int(rand() * rand() * 50000)
		miss[i] = int(rate[i] * rand() * 0.1)
		mod[i] = rand() < 0.2 ? mods[1 + int(rand() * 6)] : "-"
		off[i] = sprintf("0x%x/0x%x", 16 + int(rand() * 900), 1024 + int(rand() * 4000))
		nt[i] = (st[i] == "promoted" || st[i] == "pinned" || st[i] == "busy") ? 1 + (rand() < 0.6) : 0
	}
	for (i = 1; i <= n; i++) cnt[st[i]]++
	for (v = 0; v < nv; v++) {
		f = out "/sites." v
		g = out "/stat." v
		print "# id site module form reg state hits misses targets..." > f
		th = 0; tm = 0
		for (i = 1; i <= n; i++) {
			h[i] = (st[i] == "learning") ? 0 : rate[i] * (v + 1)
			m[i] = miss[i] * (v + 1) + (st[i] == "learning" ? rate[i] * (v + 1) : 0)
			th += h[i]; tm += m[i]
		}
		# trace_stat/relpoline as the kernel prints it: totals first
		printf "# totals: off=%d learning=%d promoted=%d pinned=%d blocked=%d busy=%d refused=0 sites=%d\n", \
			cnt["off"], cnt["learning"], cnt["promoted"], cnt["pinned"], cnt["blocked"], cnt["busy"], n > g
		printf "# hits=%d misses=%d retrains=%d last_retrain_us=812 batches=%d ipi_rounds=%d patched=%d stub_bytes=%d stub_pool_bytes=%d samples=%d dropped=0\n", \
			th, tm, 100 + v, 40 + v, 120 + v, 500 + v, n * 48, n * 64, 1000 * (v + 1) > g
		print "#         hits       misses    hit%  id site module form reg" > g
		for (i = 1; i <= n; i++) {
			line = i " " name(i, 0) "+" off[i] " " mod[i] " call " regs[1 + i % 7] " " st[i] " " h[i] " " m[i]
			if (nt[i] >= 1) line = line " " name(i, 1) (mod[i] != "-" ? "[" mod[i] "]" : "") ":" int(h[i] * 0.8)
			if (nt[i] >= 2) line = line " " name(i, 2) ":" (h[i] - int(h[i] * 0.8))
			print line > f
			printf "%12d %12d %5.1f%%  %d %s+%s %s call %s\n", h[i], m[i], \
				h[i] + m[i] ? 100 * h[i] / (h[i] + m[i]) : 0, i, name(i, 0), off[i], mod[i], regs[1 + i % 7] > g
		}
		close(f); close(g)
	}
}'
awk '!/^#/ { print $1, $2, $3, $4, $5 }' "$work/v/sites.0" > "$dir/relpoline/available_sites"

swap() {
	ln -sfn "$work/v/sites.$1" "$dir/relpoline/.sites.new"
	mv -T "$dir/relpoline/.sites.new" "$dir/relpoline/sites"
	ln -sfn "$work/v/stat.$1" "$dir/trace_stat/.relpoline.new"
	mv -T "$dir/trace_stat/.relpoline.new" "$dir/trace_stat/relpoline"
}
swap 0
(
	v=0
	while sleep "$delay"; do
		v=$(( (v + 1) % versions ))
		swap "$v"
	done
) &
rotator=$!

echo "measure-cpu: $bin --tracing-dir $dir -b -d $delay -i $frames" >&2
start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
	cpu=$( { /usr/bin/time -f "%U %S" "$bin" --tracing-dir "$dir" -b -d "$delay" -i "$frames" \
		> /dev/null; } 2>&1 | tail -1)
else
	cpu=$( ( "$bin" --tracing-dir "$dir" -b -d "$delay" -i "$frames" > /dev/null; times ) | tail -1 |
	       sed 's/m/ /g; s/s//g' | awk '{ print $1 * 60 + $2, $3 * 60 + $4 }')
fi
end=$(date +%s.%N)

read -r user sys <<< "$cpu"
awk -v u="$user" -v s="$sys" -v a="$start" -v b="$end" -v n="$sites" -v f="$frames" -v d="$delay" '
BEGIN {
	wall = b - a
	pct = (u + s) / wall * 100
	printf "relpoline-top: %d sites, %d frames at -d %s: user %.2fs sys %.2fs wall %.2fs -> %.2f%% of one CPU (budget 2%%)\n",
	       n, f, d, u, s, wall, pct
	exit !(pct <= 2.0)
}'
