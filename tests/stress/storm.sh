#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# storm.sh [-d SECONDS] [-m MODULE.ko] [-o OUTDIR] [-x WORKER,...]
#
# The relpoline stress storm. Runs IN the guest (tests/stress/run-storm
# boots one), as root, for SECONDS (default 60), with these workers in
# parallel (-x drops some, e.g. -x hotplug,ftrace):
#
#   cmd      control commands from a second shell: promote/pin/demote/
#            block/unblock/retrain/reset on random sites (the core set,
#            the current filter's selection, the test module's sites),
#            kernel and module targets, several site spellings (id,
#            symbol+0xOFF, 0xADDRESS), multi-line writes and writes that
#            must fail with a given errno
#   filter   set_relpoline_filter rotation (all, names, globs, negations,
#            :mod:relpoline_test, > and >>)
#   enable   enable 0/1 cycles
#   knobs    profile 0/1 (rewrites every stub), max_targets, sample_period,
#            threshold_pct, min_samples, interval_ms 10, cgroup_weights
#   module   insmod relpoline_test; promote its sites to its own targets
#            and sort_r's vmlinux site to its compare function; drive calls
#            through them (every result is checked in the kernel); rmmod;
#            no promotion to the module may survive
#   hotplug  cpu1 offline/online
#   ftrace   function / function_graph tracer on a few functions, now and
#            then the function tracer on everything, on and off
#   kprobe   a kprobe event on a real site (vfs_read+0xOFF from
#            available_sites) created, enabled, toggled, removed
#   readers  sites, available_sites, trace_stat/relpoline, filter and
#            cgroup_weights read and checked for format and stale targets;
#            relpoline trace events on/off
#   hackbench, pipes  workloads whose results are checked (exit codes,
#            checksums of data that went through pipes, dd, cat)
#
# Writes may fail only with the errno the concurrent activity explains
# (ENODEV while enable is being cycled, EBUSY while a kprobe sits on a
# site, ENOENT/EINVAL for module sites and targets around an rmmod, EINVAL
# for a site leaving the filter); those are counted as expected, anything
# else is a failure. At the end relpoline is disabled and every site must
# hold its boot bytes again (relpoline_test "kernel verify": stubbed=0
# mismatch=0 foreign=0). Prints a summary, TAP, and "N passed, N failed";
# exits 0 only when nothing failed.
#
# Environment:
#   STORM_STRICT=0   count two known kernel problems as expected instead of
#                    failing (tests/stress/README): EBUSY returned to an
#                    unrelated write while a module is being loaded or
#                    unloaded ("modwin"), and a site that stays "busy" after
#                    its kprobe is gone ("stale-busy")
#   STORM_FULL=0|1   also select the whole kernel (~7000 sites) now and then
#                    and trace every function briefly (default: 1 for storms
#                    of 300 s and more; each such change takes minutes under
#                    TCG)
#   STORM_KPROBE_GAP=1, STORM_KPROBE_TOGGLE=1  widen the window between
#                    creating a kprobe and arming it, and disable/re-enable
#                    it while registered (the "kprobe-stale" oops)
#   STORM_STOP_TIMEOUT=SECS  how long to wait for the workers (default 300)
set -u

dur=60
top=${RELPOLINE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
ko=
out=
skipw=,
while getopts "d:m:o:x:" o; do
	case $o in
	d) dur=$OPTARG ;;
	m) ko=$OPTARG ;;
	o) out=$OPTARG ;;
	x) skipw=,$OPTARG, ;;
	*) echo "usage: storm.sh [-d SECONDS] [-m MODULE.ko] [-o OUTDIR] [-x WORKER,...]" >&2; exit 2 ;;
	esac
done
ko=${ko:-$top/build/module-test/relpoline_test.ko}
RPW=$top/build/security/rpw	# one write() of a multi-line text (wr)
out=${out:-${RELPOLINE_RUN:-/tmp}/storm}
strict=${STORM_STRICT:-1}

T=/sys/kernel/tracing
RP=$T/relpoline
RPT=/sys/kernel/debug/relpoline_test
S=/tmp/storm
rm -rf "$S"
mkdir -p "$S" "$out"
: > "$S/failures"

# ---------------------------------------------------------------- helpers

W=main
EF=$S/err.main
mkfifo "$S/sleep.fifo"
exec {SFD}<>"$S/sleep.fifo"
# zz SECONDS: sleep without forking (read with a timeout on a silent fifo)
zz() { read -r -t "$1" -u "$SFD" _ 2>/dev/null; }
# zr MIN_MS MAX_MS: sleep a random time in [MIN, MAX] ms
zr() {
	local ms=$(($1 + RANDOM % ($2 - $1 + 1)))
	zz "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}
stopped() { [ -e "$S/stop" ]; }
declare -A C
inc() { C[$1]=$((${C[$1]:-0} + ${2:-1})); }
dumpc() {
	local k
	for k in "${!C[@]}"; do echo "$k ${C[$k]}"; done > "$S/count.$W"
}
log() { printf '%s [%s] %s\n' "$SECONDS" "$W" "$*" >> "$S/log"; }
bad() {
	printf '%ss [%s] %s\n' "$SECONDS" "$W" "$*" >> "$S/failures"
	log "FAIL: $*"
	inc FAIL
}

errname() {
	case "$1" in
	"Device or resource busy") N=EBUSY ;;
	"Invalid argument") N=EINVAL ;;
	"No such file or directory") N=ENOENT ;;
	"No such device") N=ENODEV ;;
	"No space left on device") N=ENOSPC ;;
	"Cannot allocate memory") N=ENOMEM ;;
	"Operation not permitted") N=EPERM ;;
	"Permission denied") N=EACCES ;;
	"Input/output error") N=EIO ;;
	"Numerical result out of range") N=ERANGE ;;
	"File exists") N=EEXIST ;;
	"Resource temporarily unavailable") N=EAGAIN ;;
	"Invalid or incomplete multibyte or wide character") N=EILSEQ ;;
	*) N="?$1" ;;
	esac
}

# wr FILE TEXT [>]: one write() of TEXT and a newline, appending (>>) unless
# the third argument is ">". Sets E to "" or the errno name ("open:ENOENT"
# when FILE could not be opened). A one-line TEXT is written by the shell
# itself. bash writes a builtin's output line by line (its stdout is line
# buffered), which would make a multi-line TEXT several writes, each its
# own batch, with states in between that the judge does not expect: such
# a TEXT goes through rpw (tests/security), which makes it one write().
wr() {
	local m rc t0=${EPOCHREALTIME/./} dt mode=-a rpw=
	if [[ $2 == *$'\n'* ]]; then
		rpw=1
		[ "${3:-}" = ">" ] && mode=-t
		m=$("$RPW" $mode "$1" "$2"$'\n')
		rc=$?
	elif [ "${3:-}" = ">" ]; then
		{ printf '%s\n' "$2" > "$1"; } 2> "$EF"
		rc=$?
	else
		{ printf '%s\n' "$2" >> "$1"; } 2> "$EF"
		rc=$?
	fi
	dt=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	[ $dt -gt 2000 ] && log "slow write (${dt} ms, rc $rc): $1 < '$(printf '%s' "$2" | head -c 80 | tr '\n' ';')'"
	[ $dt -gt "${C[maxms]:-0}" ] && C[maxms]=$dt
	E=
	[ $rc -eq 0 ] && return 0
	if [ -n "$rpw" ]; then
		E=${m:-?rpw}	# "EINVAL", "open:ENOENT"
		return 1
	fi
	IFS= read -r m < "$EF" || m=unknown
	case "$m" in
	*"write error: "*) errname "${m##*write error: }"; E=$N ;;
	*) errname "${m##*: }"; E=open:$N ;;
	esac
	return 1
}

# rd FILE: first line of FILE into V (no fork)
rd() { V=; IFS= read -r V < "$1" 2>/dev/null; }

# Disturbance generations: a worker that changes something the others'
# errnos depend on makes its generation odd before the change and even
# once things are stable again. The module's is odd while it is not loaded.
gbump() { # name
	local v
	rd "$S/g.$1"
	v=$((V + 1))
	printf '%s\n' $v > "$S/g.$1.tmp" && mv -f "$S/g.$1.tmp" "$S/g.$1"
}
snap() { # prefix: read every generation into ${prefix}_en etc.
	local n
	for n in en kp mod modx filt; do
		rd "$S/g.$n"
		printf -v "$1_$n" '%s' "$V"
	done
}
# disturbed NAME: did NAME's generation change or was it odd, between
# snapshots a (before) and b (after)?
disturbed() {
	local x=a_$1 y=b_$1
	[ "${!x}" != "${!y}" ] || [ $((${!x} % 2)) -eq 1 ]
}

tstat() { # KEY: value from trace_stat/relpoline's header lines into V
	V=$(head -n 2 $T/trace_stat/relpoline | tr ' ' '\n' | sed -n "s/^$1=//p")
}

# ---------------------------------------------------------------- preflight

echo "storm: kernel $(uname -r), $(nproc) CPUs, cmdline: $(cat /proc/cmdline)"
echo "storm: duration ${dur}s, module $ko, output $out, strict=$strict"
pre_fail=
[ -d $RP ] || pre_fail="no $RP"
[ -f "$ko" ] || pre_fail="no test module at $ko"
[ -x "$RPW" ] || pre_fail="no $RPW (make -C tests/security)"
[ -d /sys/kernel/debug/tracing ] || [ -d $T/events ] || pre_fail="no tracefs"
if [ -n "$pre_fail" ]; then
	echo "not ok 1 - preflight: $pre_fail"
	echo "1..1"
	echo "0 passed, 1 failed"
	exit 1
fi
on() { case "$skipw" in *",$1,"*) return 1 ;; esac; return 0; }

# Boot state.
[ -d $RPT ] && rmmod relpoline_test
echo 0 > $RP/enable
echo > $RP/set_relpoline_filter
echo auto > $RP/mode
echo 10 > $RP/interval_ms
echo 0 > $RP/profile
echo > $T/error_log
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
for n in en kp mod modx filt; do echo 0 > "$S/g.$n"; done
gbump mod	# odd: the module is not loaded

# Sites: "id func off" for vmlinux, from available_sites.
awk '!/^#/ && $3 == "-" { split($2, a, "+"); sub(/\/.*/, "", a[2]); print $1, a[1], a[2] }' \
	$RP/available_sites > "$S/avail"
nsites=$(wc -l < "$S/avail")
echo "storm: $nsites vmlinux sites available"

# Text symbols defined once in kallsyms (symbol+0xOFF names them
# unambiguously), with their addresses: "name addr".
awk '$2 ~ /^[tT]$/ && NF == 3 { n[$3]++; a[$3] = $1 } END { for (s in n) if (n[s] == 1) print s, a[s] }' \
	/proc/kallsyms > "$S/unique"

# The core set: functions every filter of the rotation selects.
CORE_FUNCS=$(awk 'NR == FNR { u[$1] = 1; next } ($2 in u) { has[$2] = 1 }
	END { n = split("vfs_read vfs_write sort_r sock_recvmsg __sock_sendmsg sock_sendmsg sock_read_iter sock_write_iter do_iter_readv_writev seq_read_iter", c, " ")
	      for (i = 1; i <= n; i++) if (c[i] in has) printf "%s ", c[i] }' "$S/unique" "$S/avail")
CORE_FUNCS=${CORE_FUNCS% }
echo "storm: core functions: $CORE_FUNCS"
case " $CORE_FUNCS " in *" vfs_read "*) ;; *) echo "storm: warning: vfs_read has no site" ;; esac
# core sites: "id name+0xOFF 0xADDRESS"
awk -v core=" $CORE_FUNCS " 'NR == FNR { a[$1] = $2; next }
	index(core, " " $2 " ") { print $1, $2, $3, a[$2] }' "$S/unique" "$S/avail" > "$S/core.raw"
: > "$S/core"
while read -r id fn off addr; do
	printf '%s %s+%s 0x%x\n' "$id" "$fn" "$off" $((0x$addr + off)) >> "$S/core"
done < "$S/core.raw"
ncore=$(wc -l < "$S/core")
echo "storm: $ncore core sites"
SORT_ID=$(awk '$2 ~ /^sort_r\+/ { print $1; exit }' "$S/core")
awk '$2 ~ /^vfs_read\+/ { print $1, $2 }' "$S/core" > "$S/kpsites.avail"

# Kernel targets: function entries in core kernel text.
KT=()
for f in read_zero read_null write_null read_iter_zero read_iter_null write_iter_null \
	pipe_read pipe_write generic_file_read_iter seq_read_iter sock_read_iter \
	simple_strtoul memchr_inv cmp_int; do
	grep -q "^$f " "$S/unique" && KT+=("$f")
done
MT=(rpt_t_a rpt_t_b rpt_t_c rpt_t_d rpt_t_e rpt_t_f rpt_t_g rpt_t_h)
echo "storm: kernel targets: ${KT[*]}"

# The filter rotation: FILT[i] (lines written with >), FAPP[i] (lines then
# appended with >>). Every one selects the core functions.
FILT=(
	""
	"$(printf '%s\n' $CORE_FUNCS ':mod:relpoline_test')"
	"$(printf '%s\n' $CORE_FUNCS ':mod:relpoline_test' 'vfs_*' '*sock*')"
	"$(printf '%s\n' '*' '!*rcu*' '!kmem_*')"
	"$(printf '%s\n' $CORE_FUNCS 'pipe_*' '*_read*' ':mod:relpoline_test')"
	"$(printf '%s\n' $CORE_FUNCS ':mod:relpoline_test')"
)
FAPP=("" "" "" "" "" "$(printf '%s\n' '*_write*' 'ext4_*')")
NF_=${#FILT[@]}
NARROW=(1 2 4 5)
full=${STORM_FULL:-$([ "$dur" -ge 300 ] && echo 1 || echo 0)}

# pool N: the vmlinux sites the filter selects now, by evaluating what
# set_relpoline_filter reads back (its documented semantics) over
# available_sites, into $S/pool.N; the command worker picks from it.
pool() {
	awk 'function re(g,  r, i, c) {
		r = "^"
		for (i = 1; i <= length(g); i++) {
			c = substr(g, i, 1)
			if (c == "*") r = r ".*"
			else if (c == "?") r = r "."
			else if (c ~ /[.$^+(){}|\\]/) r = r "\\" c
			else r = r c
		}
		return r "$"
	}
	NR == FNR {
		if ($0 ~ /^#/ || $0 == "") next
		p = $0; neg = 0
		if (substr(p, 1, 1) == "!") { neg = 1; p = substr(p, 2) }
		if (index(p, ":mod:")) { modp[++n] = 1; p = substr(p, 1, index(p, ":mod:") - 1) } else modp[++n] = 0
		pat[n] = re(p); ng[n] = neg
		next
	}
	{
		f = $2; pos = 0; anypos = 0; out = 0
		for (i = 1; i <= n; i++) {
			m = !modp[i] && f ~ pat[i]
			if (ng[i]) { if (m) out = 1; continue }
			anypos = 1
			if (m) pos = 1
		}
		if (!out && (pos || !anypos)) print $1
	}' $RP/set_relpoline_filter "$S/avail" > "$S/pool.$1"
	rm -f "$S/pool.$(($1 - 2))"
}
echo " " > "$S/kpsites"

# Workload reference data.
head -c 524288 /dev/urandom > "$S/blob"
BLOB_SUM=$(sha256sum < "$S/blob")
ZERO_MD5="b6d81b360a5672d80c27430f39153e2c  -"	# 1 MiB of zeros
SEQ_MD5="a5a208cd26b07cadade3450fe14d1d93  -"	# seq 1 5000
mkdir -p /sys/fs/cgroup/storm 2>/dev/null

# Counters before.
tstat batches; B0=${V:-0}
tstat patched; P0=${V:-0}
tstat ipi_rounds; I0=${V:-0}
tstat retrains; R0=${V:-0}

# ---------------------------------------------------------------- workers

# Judge a failed write of worker W (E set), with snapshots a_* and b_*.
# $1: what ("promote", "enable", ...), $2: flags: "c" needs enable (control
# commands other than block/unblock/reset), "m" involves the module (its
# sites or targets), "f" a site that may have left the filter, "k" names
# a site that had a kprobe.
judge() {
	local what=$1 fl=$2
	case "$E" in
	ENODEV)
		if [[ $fl == *c* ]] && disturbed en; then inc "exp.ENODEV"; return 0; fi ;;
	EBUSY)
		if disturbed kp; then inc "exp.EBUSY.kprobe"; return 0; fi
		if disturbed modx; then
			inc "modwin.EBUSY"
			if [ "$strict" = 0 ]; then return 0; fi
			bad "$what: EBUSY while the test module was loading/unloading, no kprobe (modwin): $(tail -n 3 $T/error_log | tr '\n' '|')"
			return 1
		fi
		if [[ $fl == *k* ]]; then
			inc "stale.EBUSY"
			if [ "$strict" = 0 ]; then return 0; fi
			bad "$what: EBUSY on a site whose kprobe is gone (stale busy): $(tail -n 3 $T/error_log | tr '\n' '|')"
			return 1
		fi ;;
	ENOENT)
		if [[ $fl == *m* ]] && disturbed mod; then inc "exp.ENOENT.module"; return 0; fi ;;
	EINVAL)
		if [[ $fl == *f* ]] && disturbed filt; then inc "exp.EINVAL.filter"; return 0; fi
		if [[ $fl == *m* ]] && disturbed mod; then inc "exp.EINVAL.module"; return 0; fi ;;
	esac
	bad "$what: unexpected ${E:-success} (flags $fl; gens en ${a_en}->${b_en} kp ${a_kp}->${b_kp} mod ${a_mod}->${b_mod} filt ${a_filt}->${b_filt}): $(tail -n 3 $T/error_log | tr '\n' '|')"
	return 1
}

# One control write, judged. The caller took snapshot a before choosing
# what to write.
ctl() { # text what flags
	wr $RP/control "$1"
	snap b
	inc "cmd.$2"
	if [ -z "$E" ]; then inc "cmd.ok"; return 0; fi
	inc "cmd.err.$E"
	judge "control '$(printf '%s' "$1" | head -c 200 | tr '\n' ';')'" "$3"
}

# A control write that must fail with ERRNO (or ENODEV when enable moved).
ctl_bad() { # text errno what
	wr $RP/control "$1"
	snap b
	inc "cmd.invalid"
	if [ "$E" = "$2" ]; then inc "exp.invalid.$2"; return 0; fi
	if [ "$E" = ENODEV ] && disturbed en; then inc "exp.ENODEV"; return 0; fi
	bad "invalid command '$1' ($3): want $2, got ${E:-success}"
}

w_cmd() {
	local pool=() pidx=-1 core=() mods=() mgen=-1 r n i t ts site fl sfl tfl line txt k
	mapfile -t core < "$S/core"
	while ! stopped; do
		snap a
		rd "$S/filt.idx"
		if [ "$V" != "$pidx" ]; then
			pidx=$V
			mapfile -t pool < "$S/pool.$pidx"
		fi
		rd "$S/g.mod"
		if [ "$V" != "$mgen" ]; then
			mgen=$V
			mods=()
			[ -s "$S/modsites" ] && mapfile -t mods < "$S/modsites"
		fi
		# KPEVER: sites that ever had the kprobe
		rd "$S/kpsites"; KPEVER=$V
		# The site: core (id, name or address), the filter's pool, or the
		# module's. sfl: flags of the site, tfl: of the targets (see judge).
		r=$((RANDOM % 100))
		sfl=
		if [ $r -lt 45 ] || { [ $r -lt 75 ] && [ ${#pool[@]} -eq 0 ]; }; then
			line=${core[RANDOM % ${#core[@]}]}
			set -- $line
			case $((RANDOM % 10)) in
			0|1) site=$2 ;;
			2) site=$3 ;;
			*) site=$1 ;;
			esac
			[[ $KPEVER == *" $1 "* ]] && sfl=k
		elif [ $r -lt 75 ]; then
			site=${pool[RANDOM % ${#pool[@]}]}
			sfl=f
			[[ $KPEVER == *" $site "* ]] && sfl=fk
		elif [ ${#mods[@]} -gt 0 ]; then
			line=${mods[RANDOM % ${#mods[@]}]}
			set -- $line
			if [ $((RANDOM % 4)) -eq 0 ]; then site=$2; else site=$1; fi
			sfl=m
		else
			site=${core[0]%% *}
		fi
		# Targets: 1..4 distinct, kernel or module.
		n=$((1 + RANDOM % 4))
		ts=
		for ((i = 0; i < n; i++)); do
			if [ $((RANDOM % 5)) -eq 0 ]; then
				t="${MT[RANDOM % 8]}[relpoline_test]"
			else
				t=${KT[RANDOM % ${#KT[@]}]}
			fi
			case ",$ts," in *",$t,"*) continue ;; esac
			ts=${ts:+$ts,}$t
		done
		tfl=
		[[ $ts == *relpoline_test* ]] && tfl=m
		r=$((RANDOM % 100))
		if [ $r -lt 35 ]; then
			ctl "promote $site $ts" promote "c$sfl$tfl"
		elif [ $r -lt 45 ]; then
			ctl "pin $site $ts" pin "c$sfl$tfl"
		elif [ $r -lt 60 ]; then
			ctl "demote $site" demote "c$sfl"
		elif [ $r -lt 68 ]; then
			# block/unblock need neither enable nor the filter
			ctl "block $site" block "${sfl//f/}"
		elif [ $r -lt 78 ]; then
			ctl "unblock $site" unblock "${sfl//f/}"
		elif [ $r -lt 82 ]; then
			ctl "retrain $site" retrain-site "c$sfl"
		elif [ $r -lt 85 ]; then
			ctl "retrain" retrain "c"
		elif [ $r -lt 87 ]; then
			ctl "reset" reset ""
		elif [ $r -lt 93 ]; then
			# several commands in one write, on core sites
			txt=
			fl=c
			k=$((2 + RANDOM % 5))
			for ((i = 0; i < k; i++)); do
				line=${core[RANDOM % ${#core[@]}]}
				set -- $line
				[[ $KPEVER == *" $1 "* ]] && fl=${fl}k
				case $((RANDOM % 4)) in
				0) txt+="promote $1 ${KT[RANDOM % ${#KT[@]}]}"$'\n' ;;
				1) txt+="demote $2"$'\n' ;;
				2) txt+="block $1"$'\n' ;;
				3) txt+="unblock $1"$'\n' ;;
				esac
			done
			ctl "${txt%$'\n'}" multi "$fl"
		else
			# writes that must fail
			local ns=${SORT_ID:-${core[0]%% *}}
			case $((RANDOM % 6)) in
			0) ctl_bad "promote 99999999 read_zero" ENOENT "no such site" ;;
			1) ctl_bad "promote $ns storm_no_such_function" ENOENT "no such target" ;;
			2) ctl_bad "promote $ns ${KT[0]},${KT[0]}" EINVAL "duplicate target" ;;
			3) ctl_bad "promote $ns ${KT[0]},${KT[1]},${KT[2]},${KT[3]},${KT[4]}" EINVAL "5 targets" ;;
			4) ctl_bad "frobnicate $ns" EINVAL "unknown command" ;;
			5) ctl_bad "$(printf 'demote %s\npromote %s nope_nope_nope' "$ns" "$ns")" ENOENT "second line bad" ;;
			esac
		fi
		[ $((RANDOM % 4)) -eq 0 ] && zr 0 30
	done
}

w_filter() {
	local i idx exp got nr trunc_bug=0 gen=1
	while ! stopped; do
		zr 300 1200
		# The whole-kernel selections (0 and 3: ~7000 sites, each change
		# a batch that takes minutes under TCG) only now and then.
		if [ "$full" = 1 ] && [ $((RANDOM % 8)) -eq 0 ]; then
			idx=$(( (RANDOM % 2) * 3 ))
		else
			idx=${NARROW[RANDOM % ${#NARROW[@]}]}
		fi
		gbump filt
		snap a
		wr $RP/set_relpoline_filter "${FILT[$idx]}" ">"
		snap b
		if [ -n "$E" ]; then
			nr=$(grep -vc '^#' $RP/set_relpoline_filter)
			if [ "$E" = EINVAL ] && [ $trunc_bug = 1 ] && [ "$nr" -gt 200 ]; then
				# 256 patterns at most: full because '>' appends
				inc exp.EINVAL.filter-full
			else
				judge "filter $idx" ""
			fi
		fi
		if [ -n "${FAPP[$idx]}" ]; then
			snap a
			wr $RP/set_relpoline_filter "${FAPP[$idx]}"
			snap b
			[ -n "$E" ] && [ $trunc_bug = 0 ] && judge "filter >> $idx" ""
		fi
		# '>' replaces the list, '>>' appends.
		exp=${FILT[$idx]}
		[ -n "${FAPP[$idx]}" ] && exp+=$'\n'${FAPP[$idx]}
		[ -z "$exp" ] && exp="#### all sites enabled ####"
		got=$(cat $RP/set_relpoline_filter)
		if [ "$got" != "$exp" ]; then
			inc filter.not-replaced
			if [ $trunc_bug = 0 ]; then
				trunc_bug=1
				bad "set_relpoline_filter: '>' did not replace the list: wrote $(printf '%s' "$exp" | grep -c .) patterns, reads back $(printf '%s\n' "$got" | grep -c .): $(printf '%s' "$got" | head -n 4 | tr '\n' ' ')..."
			fi
		fi
		inc filter.changes
		gen=$((gen + 1))
		pool $gen
		echo $gen > "$S/filt.idx"
		gbump filt
	done
}

w_enable() {
	while ! stopped; do
		zr 1500 3500
		gbump en
		snap a
		wr $RP/enable 0
		snap b
		[ -n "$E" ] && judge "enable 0" ""
		zr 100 500
		snap a
		wr $RP/enable 1
		snap b
		[ -n "$E" ] && judge "enable 1" ""
		gbump en
		inc enable.cycles
	done
}

w_knobs() {
	local v
	while ! stopped; do
		zr 300 1000
		case $((RANDOM % 8)) in
		0|1|2)
			v=$((1 - $(cat $RP/profile)))
			snap a
			wr $RP/profile $v
			snap b
			inc profile.toggles
			[ -n "$E" ] && judge "profile $v" "" ;;
		3) wr $RP/max_targets $((1 + RANDOM % 4)); [ -n "$E" ] && bad "max_targets: $E" ;;
		4)
			v=(1 4 16 64 256)
			wr $RP/sample_period ${v[RANDOM % 5]}; [ -n "$E" ] && bad "sample_period: $E"
			wr $RP/min_samples $((1 << (RANDOM % 7))); [ -n "$E" ] && bad "min_samples: $E"
			wr $RP/threshold_pct $((5 + RANDOM % 40)); [ -n "$E" ] && bad "threshold_pct: $E" ;;
		5)
			wr $RP/interval_ms 10; [ -n "$E" ] && bad "interval_ms: $E"
			if [ $((RANDOM % 4)) -eq 0 ]; then
				wr $RP/mode manual; [ -n "$E" ] && bad "mode manual: $E"
				zr 200 500
				wr $RP/mode auto; [ -n "$E" ] && bad "mode auto: $E"
				inc mode.flips
			fi ;;
		6)
			wr $RP/cgroup_weights "$(printf '%s\n' '/storm 5' '* 1')" ">"
			[ -n "$E" ] && bad "cgroup_weights: $E"
			inc weights.writes ;;
		7)
			v=/sys/fs/cgroup/storm/t$RANDOM
			mkdir "$v" && {
				wr $RP/cgroup_weights "/storm/${v##*/} 0"
				[ -n "$E" ] && bad "cgroup_weights add: $E"
				zr 50 200
				rmdir "$v"
				wr $RP/cgroup_weights "!/storm/${v##*/}"
				[ -n "$E" ] && bad "cgroup_weights remove: $E"
				inc weights.cgroups
			} ;;
		esac
	done
}

w_module() {
	local ids i n txt pat
	while ! stopped; do
		# (the generation is odd here: not loaded)
		gbump modx
		if ! insmod "$ko" 2> "$EF"; then
			gbump modx
			bad "insmod: $(cat "$EF")"
			zr 500 1000
			continue
		fi
		gbump modx
		awk '!/^#/ && $3 == "relpoline_test" && $2 !~ /^rpt_run_write/ {
			sub(/\/.*/, "", $2); print $1, $2 }' $RP/available_sites > "$S/modsites.tmp"
		n=$(wc -l < "$S/modsites.tmp")
		[ "$n" -ge 9 ] || bad "only $n test module sites in available_sites"
		mv -f "$S/modsites.tmp" "$S/modsites"
		gbump mod	# even: loaded
		inc module.loads
		# Its sites promoted to its own targets, sort_r's to its compare.
		txt=
		while read -r i _; do
			txt+="promote $i rpt_t_a[relpoline_test],rpt_t_b[relpoline_test]"$'\n'
		done < "$S/modsites"
		[ -n "${SORT_ID:-}" ] && txt+="promote $SORT_ID rpt_cmp[relpoline_test]"$'\n'
		snap a
		ctl "${txt%$'\n'}" module-promote c
		for i in 1 2 3; do
			pat=abcdefgh
			pat=${pat:RANDOM % 8:1+RANDOM % 4}
			wr $RPT/run "$((50 + RANDOM % 200)) $pat"
			inc module.runs
			[ -n "$E" ] && bad "test module run '$pat': $E (a call went to the wrong target?)"
			wr $RPT/sort 10
			inc module.sorts
			[ -n "$E" ] && bad "test module sort: $E"
			zr 100 400
		done
		# Unload while promoted.
		gbump mod	# odd
		gbump modx
		for i in 1 2 3 4 5; do
			rmmod relpoline_test 2> "$EF" && break
			zr 200 400
		done
		gbump modx
		if [ -d $RPT ]; then
			bad "rmmod relpoline_test: $(cat "$EF")"
			continue
		fi
		: > "$S/modsites"
		inc module.unloads
		if grep -q relpoline_test $RP/available_sites; then
			bad "test module sites still in available_sites after rmmod"
		fi
		if grep -v '^#' $RP/sites | grep -q 'relpoline_test'; then
			bad "promotion to/of the unloaded module survived: $(grep -v '^#' $RP/sites | grep relpoline_test | head -n 3 | tr '\n' '|')"
		fi
		zr 200 800
	done
}

w_hotplug() {
	local f=/sys/devices/system/cpu/cpu1/online i
	while ! stopped; do
		zr 800 2000
		wr $f 0
		if [ -n "$E" ]; then bad "cpu1 offline: $E"; continue; fi
		inc hotplug.offline
		zr 200 800
		for i in 1 2 3 4 5; do
			wr $f 1 && break
			zr 200 200
		done
		[ -n "$E" ] && bad "cpu1 online: $E"
		inc hotplug.online
	done
}

w_ftrace() {
	local funcs="vfs_read vfs_write ksys_read ksys_write pipe_read pipe_write" r
	while ! stopped; do
		zr 300 1500
		r=$((RANDOM % 10))
		# Tracing every function slows a TCG guest down to a crawl: only
		# in long storms, now and then.
		[ $r -ge 8 ] && [ "$full" = 0 ] && r=$((r - 4))
		if [ $r -lt 8 ]; then
			wr $T/set_ftrace_filter "$funcs" ">"; [ -n "$E" ] && bad "set_ftrace_filter: $E"
			if [ $r -lt 6 ]; then t=function; else t=function_graph; fi
		else
			wr $T/set_ftrace_filter "" ">"; [ -n "$E" ] && bad "set_ftrace_filter clear: $E"
			t=function
		fi
		wr $T/current_tracer $t; [ -n "$E" ] && bad "current_tracer $t: $E"
		if [ $r -lt 8 ]; then inc "ftrace.$t"; else inc "ftrace.$t-all"; fi
		if [ $r -lt 8 ]; then zr 300 1000; else zr 100 300; fi
		wr $T/current_tracer nop; [ -n "$E" ] && bad "current_tracer nop: $E"
		inc ftrace.cycles
	done
	wr $T/set_ftrace_filter "" ">"
}

w_kprobe() {
	local sites=() line id name hits
	mapfile -t sites < "$S/kpsites.avail"
	if [ ${#sites[@]} -eq 0 ]; then
		log "no vfs_read site for kprobes"
		while ! stopped; do zz 1; done
		return
	fi
	while ! stopped; do
		zr 500 1500
		line=${sites[RANDOM % ${#sites[@]}]}
		id=${line%% *}
		name=${line#* }
		rd "$S/kpsites"
		[[ $V == *" $id "* ]] || echo "$V$id " > "$S/kpsites"
		gbump kp	# odd
		wr $T/kprobe_events "p:rpstorm $name"
		# EBUSY: a batch is rewriting the site at this moment (its
		# first byte is relpoline's INT3); any other error is a failure
		if [ "$E" = EBUSY ]; then inc "exp.EBUSY.kprobe-register"; gbump kp; continue; fi
		if [ -n "$E" ]; then bad "kprobe_events 'p:rpstorm $name': $E"; gbump kp; continue; fi
		[ "${STORM_KPROBE_GAP:-0}" = 1 ] && zr 0 300
		wr $T/events/kprobes/rpstorm/enable 1; [ -n "$E" ] && bad "kprobe enable: $E"
		inc kprobe.on
		zr 300 1000
		if [ "${STORM_KPROBE_TOGGLE:-0}" = 1 ] && [ $((RANDOM % 2)) -eq 0 ]; then
			wr $T/events/kprobes/rpstorm/enable 0; [ -n "$E" ] && bad "kprobe disable: $E"
			zr 100 500
			wr $T/events/kprobes/rpstorm/enable 1; [ -n "$E" ] && bad "kprobe re-enable: $E"
			inc kprobe.toggles
			zr 200 500
		fi
		hits=$(awk '$1 == "rpstorm" { print $2 }' $T/kprobe_profile)
		inc kprobe.hits "${hits:-0}"
		wr $T/events/kprobes/rpstorm/enable 0; [ -n "$E" ] && bad "kprobe disable: $E"
		wr $T/kprobe_events "-:rpstorm"; [ -n "$E" ] && bad "kprobe remove: $E"
		inc kprobe.off
		gbump kp	# even
	done
}

w_readers() {
	local r n
	while ! stopped; do
		zr 500 2000
		cat $RP/sites > "$S/sites.snap" 2> "$EF" || { bad "read sites: $(cat "$EF")"; continue; }
		r=$(awk '!/^#/ {
			if ($0 !~ /^[0-9]+ [^ ]+ [^ ]+ (call|jmp|jcc) r[a-z0-9]+ (off|learning|promoted|pinned|blocked|busy) [0-9]+ [0-9]+( [^ ]+:[0-9]+)*$/) {
				print "malformed: " $0; exit }
			for (i = 9; i <= NF; i++) if ($i ~ /^0x/) { print "stale target: " $0; exit }
		}' "$S/sites.snap")
		[ -n "$r" ] && bad "sites: $r"
		inc readers.sites
		head -n 2 $T/trace_stat/relpoline > "$S/tstat.snap" 2> "$EF" || bad "read trace_stat: $(cat "$EF")"
		grep -q '^# totals: off=' "$S/tstat.snap" || bad "trace_stat header: $(head -n 1 "$S/tstat.snap")"
		case $((RANDOM % 4)) in
		0) n=$(grep -vc '^#' $RP/available_sites); [ "$n" -ge "$nsites" ] || bad "available_sites has $n lines, want >= $nsites" ;;
		1) cat $RP/set_relpoline_filter $RP/cgroup_weights > /dev/null || bad "read filter/weights" ;;
		2) wr $T/events/relpoline/enable $((RANDOM % 2)); [ -n "$E" ] && bad "relpoline events: $E"; inc readers.events ;;
		3) cat $T/trace_stat/relpoline > /dev/null || bad "read trace_stat" ;;
		esac
	done
	echo 0 > $T/events/relpoline/enable
}

w_hackbench() {
	local r
	echo $BASHPID > /sys/fs/cgroup/storm/cgroup.procs 2>/dev/null
	while ! stopped; do
		case $((RANDOM % 3)) in
		0) hackbench -g 2 -f 2 -l 20 -s 100 > "$S/hb.out" 2>&1 ;;
		1) hackbench -g 2 -f 2 -l 20 -s 100 -T > "$S/hb.out" 2>&1 ;;
		2) hackbench -g 2 -f 2 -l 20 -s 100 -p > "$S/hb.out" 2>&1 ;;
		esac
		r=$?
		inc hackbench.runs
		[ $r -eq 0 ] || bad "hackbench exit $r: $(tail -n 2 "$S/hb.out" | tr '\n' '|')"
		# (light: under TCG the guest's CPU time is scarce)
		zr 300 1000
	done
}

w_pipes() {
	local s
	while ! stopped; do
		s=$(dd if=/dev/zero bs=64k count=16 2>/dev/null | cat | md5sum)
		[ "$s" = "$ZERO_MD5" ] || bad "zeros through dd|cat: md5 '$s'"
		s=$(cat "$S/blob" | cat | cat | sha256sum)
		[ "$s" = "$BLOB_SUM" ] || bad "blob through pipes: sha256 '$s'"
		dd if="$S/blob" of="$S/blob2" bs=4k 2>/dev/null && cmp -s "$S/blob" "$S/blob2" ||
			bad "dd copy differs"
		s=$(seq 1 5000 | sort -rn | sort -n | md5sum)
		[ "$s" = "$SEQ_MD5" ] || bad "seq|sort|sort: md5 '$s'"
		dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null || bad "dd bs=1 failed"
		inc pipes.rounds
		zr 200 600
	done
}

# ---------------------------------------------------------------- the storm

wr $RP/set_relpoline_filter "${FILT[1]}" ">"
[ -n "$E" ] && bad "initial filter: $E"
pool 1
echo 1 > "$S/filt.idx"
echo "storm: $(wc -l < "$S/pool.1") vmlinux sites selected: $(tr '\n' ' ' < $RP/set_relpoline_filter | cut -c1-150)"
wr $RP/enable 1
[ -n "$E" ] && bad "initial enable 1: $E"
workers=(cmd filter enable knobs module hotplug ftrace kprobe readers hackbench pipes)
[ -w /sys/devices/system/cpu/cpu1/online ] || { echo "storm: no cpu1 hotplug"; skipw+="hotplug,"; }
KPEVER=" "
declare -A PID
started=()
for w in "${workers[@]}"; do
	on "$w" || continue
	(
		W=$w
		EF=$S/err.$w
		C=()
		RANDOM=$((BASHPID ^ $(date +%N | sed 's/^0*//;s/^$/1/')))
		trap 'dumpc' EXIT
		"w_$w"
	) &
	PID[$w]=$!
	started+=("$w")
done
echo "storm: workers: ${started[*]}"
t0=$SECONDS
while [ $((SECONDS - t0)) -lt "$dur" ]; do
	left=$((dur - (SECONDS - t0)))
	zz $((left < 10 ? left : 10))
	# (no trace_stat here: it waits for relpoline's lock, held for whole batches)
	printf 'storm: %4ds failures=%s\n' $((SECONDS - t0)) "$(wc -l < "$S/failures")"
	for w in "${started[@]}"; do
		kill -0 "${PID[$w]}" 2>/dev/null || { [ -e "$S/dead.$w" ] || { bad "worker $w exited early"; touch "$S/dead.$w"; }; }
	done
done
elapsed=$((SECONDS - t0))
touch "$S/stop"
echo "storm: stopping workers after ${elapsed}s"
# Wait for them (a write can take long on a debug kernel under TCG).
deadline=$((SECONDS + ${STORM_STOP_TIMEOUT:-300}))
for w in "${started[@]}"; do
	while kill -0 "${PID[$w]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do zz 0.5; done
	if kill -0 "${PID[$w]}" 2>/dev/null; then
		bad "worker $w stuck after the storm"
		for p in $(pgrep -P "${PID[$w]}") "${PID[$w]}"; do
			echo "--- stack of $p ($(cat /proc/$p/comm 2>/dev/null)):"
			cat /proc/$p/stack 2>/dev/null
		done
		echo w > /proc/sysrq-trigger
	fi
done
wait 2>/dev/null
stop_s=$((SECONDS - t0 - elapsed))

# ---------------------------------------------------------------- final checks
W=final
EF=$S/err.final
C=()
# Leave nothing behind that holds a site or text.
if grep -q rpstorm $T/kprobe_events 2>/dev/null; then
	echo 0 > $T/events/kprobes/rpstorm/enable
	echo '-:rpstorm' >> $T/kprobe_events || bad "could not remove the kprobe"
fi
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
echo 0 > $T/events/relpoline/enable
[ -w /sys/devices/system/cpu/cpu1/online ] && echo 1 > /sys/devices/system/cpu/cpu1/online

final_ok=1
fcheck() { # status message: a non-zero status is a failure
	if [ "$1" != 0 ]; then final_ok=0; bad "final: $2"; fi
}
fe() { # message: the last wr must have succeeded
	if [ -n "$E" ]; then final_ok=0; bad "final: $1: $E"; fi
}
[ -d $RPT ] || insmod "$ko" || fcheck 1 "insmod for the final check"
wr $RP/set_relpoline_filter "${FILT[1]}" ">"; fe "filter: core and the module"
wr $RP/enable 1; fe "enable 1"
txt=
awk '!/^#/ && $3 == "relpoline_test" && $2 !~ /^rpt_run_write/' $RP/available_sites > "$S/final.mod"
while read -r i _; do
	txt+="promote $i rpt_t_a[relpoline_test],rpt_t_c[relpoline_test]"$'\n'
done < "$S/final.mod"
wr $RP/control "${txt%$'\n'}"; fe "promote the module's sites"
wr $RPT/run "300 abcdefgh"; fe "run through promoted module sites"
wr $RPT/sort 20; fe "sort"
zz 0.5
tstat batches; B1=$V
tstat patched; P1=$V
tstat ipi_rounds; I1=$V
tstat retrains; R1=$V
tstat stub_pool_bytes; POOL=$V
wr $RP/enable 0; fe "enable 0"
echo verify > $RPT/kernel
verify=$(cat $RPT/kernel)
echo "storm: after enable 0: $verify"
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(kv stubbed "$verify")" = 0 ] && [ "$(kv mismatch "$verify")" = 0 ] && [ "$(kv foreign "$verify")" = 0 ]
fcheck $? "text not restored after enable 0: $verify"
tstat busy; fcheck "$([ "${V:-x}" = 0 ]; echo $?)" "trace_stat busy=$V after enable 0"
tstat stub_bytes; fcheck "$([ "${V:-x}" = 0 ]; echo $?)" "trace_stat stub_bytes=$V after enable 0"
n=$(grep -vc '^#' $RP/sites)
fcheck "$([ "$n" = 0 ]; echo $?)" "sites lists $n sites after enable 0: $(grep -v '^#' $RP/sites | head -n 3 | tr '\n' '|')"
rmmod relpoline_test; fcheck $? "final rmmod"
head -n 2 $T/trace_stat/relpoline
# Kernel reports (the host runner checks the console log as well).
pat='cut here|WARNING: CPU: |WARNING: at |BUG: |Oops: |Kernel panic|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|KASAN: |UBSAN: |detected stall|blocked for more than|soft lockup|kernel BUG at|invalid opcode: '
dmesg > "$out/dmesg.txt"
reports=$(grep -E "$pat" "$out/dmesg.txt" | head -n 20)
[ -z "$reports" ]; fcheck $? "kernel reports in dmesg: $(printf '%s' "$reports" | head -n 5 | tr '\n' '|')"
dumpc

# ---------------------------------------------------------------- summary
cat "$S"/count.* 2>/dev/null | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' | sort > "$out/counts.txt"
get() { awk -v k="$1" '$1 == k { print $2 }' "$out/counts.txt" | grep . || echo 0; }
sum() { awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$out/counts.txt"; }
cp "$S/failures" "$out/failures.txt"
cp "$S/log" "$out/log.txt" 2>/dev/null
nfail=$(wc -l < "$S/failures")
cmds=$(get cmd.ok)
cmds_all=$(( $(sum cmd.promote) + $(sum cmd.pin) + $(sum cmd.demote) + $(sum cmd.block) + $(sum cmd.unblock) + $(sum cmd.retrain) + $(sum cmd.reset) + $(sum cmd.multi) + $(sum cmd.module-promote) ))
echo
echo "=================== relpoline storm summary ==================="
printf '%-34s %s\n' "duration" "${elapsed}s (workers stopped in ${stop_s}s)" \
	"kernel" "$(uname -r) [$(grep -o 'spectre_v2=[^ ]*' /proc/cmdline)]" \
	"repatches (sites patched)" "$((P1 - P0))" \
	"patch batches" "$((B1 - B0))" \
	"IPI rounds" "$((I1 - I0))" \
	"policy retrains" "$((R1 - R0))" \
	"stub pool at the end (enabled)" "${POOL} bytes" \
	"control commands (ok/total)" "$cmds/$cmds_all (+$(get cmd.invalid) must-fail writes)" \
	"expected errors" "$(grep '^exp\.' "$out/counts.txt" | tr '\n' ' ')" \
	"modwin/stale-busy EBUSY" "$(get modwin.EBUSY)/$(get stale.EBUSY)" \
	"enable 0/1 cycles" "$(get enable.cycles)" \
	"filter changes (not replaced)" "$(get filter.changes) ($(get filter.not-replaced))" \
	"profile toggles" "$(get profile.toggles)" \
	"module load/unload cycles" "$(get module.loads)/$(get module.unloads) ($(get module.runs) runs, $(get module.sorts) sorts)" \
	"cpu1 hotplug (off/on)" "$(get hotplug.offline)/$(get hotplug.online)" \
	"ftrace tracer cycles" "$(get ftrace.cycles) ($(sum ftrace.function-all) unfiltered)" \
	"kprobe on/off (toggles, hits)" "$(get kprobe.on)/$(get kprobe.off) ($(get kprobe.toggles), $(get kprobe.hits))" \
	"hackbench runs" "$(get hackbench.runs)" \
	"pipe/dd checksum rounds" "$(get pipes.rounds)" \
	"sites/trace_stat reads" "$(get readers.sites)" \
	"slowest single write" "$(awk '$1 == "maxms" && $2 > m { m = $2 } END { print m + 0 }' "$S"/count.* 2>/dev/null) ms ($(grep -c 'slow write' "$S/log" 2>/dev/null) writes over 2 s, see log.txt)" \
	"final verify" "$verify" \
	"failures" "$nfail"
if [ "$nfail" -gt 0 ]; then
	echo "--- failures (first 30 of $nfail):"
	head -n 30 "$S/failures"
fi
echo "==============================================================="
{
	echo "duration=$elapsed patched=$((P1 - P0)) batches=$((B1 - B0)) ipi_rounds=$((I1 - I0))"
	echo "commands_ok=$cmds commands=$cmds_all module_cycles=$(get module.unloads) hotplugs=$(get hotplug.online) enable_cycles=$(get enable.cycles) kprobe_cycles=$(get kprobe.off)"
} > "$out/summary.txt"

# TAP
echo "TAP version 13"
tn=0
tp=0
tf=0
tap() { # ok|fail text
	tn=$((tn + 1))
	if [ "$1" = ok ]; then echo "ok $tn - $2"; tp=$((tp + 1)); else echo "not ok $tn - $2"; tf=$((tf + 1)); fi
}
res() { [ "$1" -eq 0 ] && echo ok || echo fail; }
fl() { grep -c "$1" "$S/failures"; }
tap "$(res $(grep -c 'worker .* \(exited early\|stuck\)' "$S/failures"))" "workers ran ${elapsed}s and stopped"
tap "$(res $(grep -cE '\[(cmd|filter|enable|knobs)\]' "$S/failures"))" "control/filter/enable/knob writes: no unexpected errno ($cmds_all commands)"
tap "$(res $(grep -c '\[module\]' "$S/failures"))" "module load/promote/run/unload cycles: $(get module.unloads)"
tap "$(res $(grep -cE '\[(hotplug|ftrace|kprobe)\]' "$S/failures"))" "hotplug, ftrace and kprobe toggling"
tap "$(res $(grep -c '\[readers\]' "$S/failures"))" "sites/trace_stat well-formed, no stale targets"
tap "$(res $(grep -cE '\[(hackbench|pipes)\]' "$S/failures"))" "workload results (hackbench exit codes, checksums)"
tap "$(res $(grep -c '\[final\].*\(restored\|busy=\|stub_bytes\|lists\)' "$S/failures"))" "enable 0: every site byte-identical to boot ($verify)"
tap "$(res $(grep -c '\[final\].*kernel reports' "$S/failures"))" "no kernel reports in dmesg"
tap "$(res $(grep -c '\[final\]' "$S/failures"))" "final checks"
# Every failure line counts: those no line above claims (the main loop's
# own, [main], or a worker's tag that is not listed) fail this one.
counted='worker .* (exited early|stuck)|\[(cmd|filter|enable|knobs|module|hotplug|ftrace|kprobe|readers|hackbench|pipes|final)\]'
other=$(grep -cvE "$counted" "$S/failures")
grep -vE "$counted" "$S/failures" | head -n 5 | sed 's/^/# other failure: /'
tap "$(res "$other")" "no other failures (main loop and untagged: $other)"
echo "1..$tn"
echo "$tp passed, $tf failed"
[ "$tf" -eq 0 ]
