# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the relpoline ftracetest cases. Sourced by each .tc
# (". $FTRACETEST_ROOT/test.d/relpoline/lib/relpoline.sh"), which runs under
# "sh -e" in the tracing directory. POSIX sh only (dash).
#
# Every test calls rp_setup first: it registers rp_cleanup on exit and
# calls reset_relpoline, which puts relpoline back into its boot state
# (disabled, knobs at their defaults, no filter, no cgroup weights, no kept
# promotion/pin/block on the sites the tests use, counters reset, test
# module unloaded). ftracetest's own reset knows nothing of relpoline.
#
# Starting a process costs about 0.1 s in the TCG guest, so the helpers
# read and parse the relpoline files with shell builtins where they can,
# and return results in variables (RP_*) rather than on stdout.

# Everything a test prints goes to its log (stderr), so that ftracetest's
# "[N] description<TAB>[RESULT]" line is not split by test output.
exec 1>&2

RP=relpoline
RPT=/sys/kernel/debug/relpoline_test
RPT_KO=${RELPOLINE_TOP:-/work/main}/build/module-${RELPOLINE_KVARIANT:-test}/relpoline_test.ko
RP_CG=/sys/fs/cgroup
RP_NL='
'

rp_fail() { # message
	echo "FAIL: $*"
	exit_fail
}

rp_note() { # message
	echo "relpoline-test: $*"
}

# ---- knobs and files ----

RP_KNOBS="enable mode max_targets interval_ms min_samples threshold_pct sample_period profile"
RP_KNOB_DEFAULTS="enable=0 mode=auto max_targets=2 interval_ms=1000 min_samples=32 threshold_pct=10 sample_period=16 profile=0"

rp_read() { # variable file: the first line of file
	IFS= read -r "$1" < "$2" || true
}

rp_set() { # knob value: write, which must succeed, and read back
	echo "$2" > $RP/$1 || rp_fail "could not write '$2' to $1"
	rp_read _v $RP/$1
	[ "$_v" = "$2" ] || rp_fail "$1 reads '$_v' after writing '$2'"
}

# Disable (which also cancels a policy round queued with a long
# interval_ms; interval.tc checks that the next enable is not delayed).
rp_disable() {
	echo 0 > $RP/enable || rp_fail "could not disable relpoline"
	rp_expect_knob enable 0
}

rp_expect_knob() { # knob value
	rp_read _v $RP/$1
	[ "$_v" = "$2" ] || rp_fail "$1 is '$_v', want '$2'"
}

rp_write() { # file line...: one write() of the lines, appending (>>); must succeed
	_f=$1
	shift
	printf '%s\n' "$@" >> $RP/$_f || rp_fail "write to $_f failed: $*"
}

rp_replace() { # file line...: one write() of the lines with > (replace); must succeed
	_f=$1
	shift
	printf '%s\n' "$@" > $RP/$_f || rp_fail "write to $_f failed: $*"
}

rp_strerror() { # EINVAL|ENOENT|EBUSY|ENODEV...: sets RP_STRERROR
	case $1 in
	EINVAL) RP_STRERROR="Invalid argument" ;;
	ENOENT) RP_STRERROR="No such file or directory" ;;
	EBUSY) RP_STRERROR="Device or resource busy" ;;
	ENODEV) RP_STRERROR="No such device" ;;
	*) RP_STRERROR=$1 ;;
	esac
}

# rp_write_fails ERRNO FILE MODE LINE...: one write() of the lines to
# relpoline/FILE with MODE (">" or ">>") must fail with ERRNO. The shell's
# echo does not say which error it got; coreutils' printf does.
rp_write_fails() {
	_e=$1 _f=$2 _mode=$3
	shift 3
	if [ "$_mode" = ">" ]; then
		/usr/bin/printf '%s\n' "$@" 2> $TMPDIR/rp-err > $RP/$_f &&
			rp_fail "writing '$*' to $_f succeeded, expected $_e"
	else
		/usr/bin/printf '%s\n' "$@" 2> $TMPDIR/rp-err >> $RP/$_f &&
			rp_fail "writing '$*' to $_f succeeded, expected $_e"
	fi
	rp_read _out $TMPDIR/rp-err
	rp_strerror $_e
	case "$_out" in
	*"$RP_STRERROR"*) ;;
	*) rp_fail "writing '$*' to $_f: want $_e, got: $_out" ;;
	esac
}

# rp_err ERRNO FILE 'TEXT WITH ^' [MESSAGE] [>]
# Write TEXT (one line, with the caret marker ^ removed) to relpoline/FILE
# (">>" unless the fifth argument is ">"); the write must fail with ERRNO,
# and error_log must get "relpoline/FILE: error: MESSAGE" (MESSAGE is a
# substring, optional), "  Command: TEXT" and a caret under the character
# where the marker was. Without a marker the caret position is not checked.
rp_err() {
	_m=$3
	case "$_m" in
	*^*) _pre=${_m%%^*}; _cmd=$_pre${_m#*^}; _pos=${#_pre} ;;
	*) _cmd=$_m; _pos= ;;
	esac
	echo > error_log
	rp_write_fails $1 $2 "${5:->>}" "$_cmd"
	rp_errlog_check "$2" "$_cmd" "$_pos" "${4:-}"
}

# rp_errlog_check FILE COMMAND [POS] [MESSAGE]: error_log holds one entry,
# "relpoline/FILE: error: ...MESSAGE...", "  Command: COMMAND" and a caret
# at POS.
rp_errlog_check() {
	_n=0 _i=0 _l1= _l2= _l3=
	while IFS= read -r _l; do
		echo "$_l"
		case "$_l" in
		"["*"] "*": error: "*) _n=$((_n + 1)); _i=1; _l1=$_l; continue ;;
		esac
		case $_i in
		1) _l2=$_l; _i=2 ;;
		2) _l3=$_l; _i=3 ;;
		esac
	done < error_log
	[ $_n = 1 ] || rp_fail "error_log should have exactly one entry, it has $_n"
	case "$_l1" in
	"["*"] relpoline/$1: error: "*"$4"*) ;;
	*) rp_fail "error_log: want 'relpoline/$1: error: ...$4...', got '$_l1'" ;;
	esac
	[ "$_l2" = "  Command: $2" ] || rp_fail "error_log: want '  Command: $2', got '$_l2'"
	case "$_l3" in
	*" ^"|"^") ;;
	*) rp_fail "error_log: no caret line: '$_l3'" ;;
	esac
	if [ -n "$3" ]; then
		# "  Command: " is 11 characters
		_c=$(( ${#_l3} - 12 ))
		if [ $_c -ne $3 ]; then
			_rest=$2
			_j=0
			while [ $_j -lt $3 ]; do _rest=${_rest#?}; _j=$((_j + 1)); done
			rp_fail "error_log: caret at column $_c, want $3 (under '$_rest')"
		fi
	fi
}

. "${RELPOLINE_TOP:-/work/main}/tests/guest/kernel-facts.sh"

# rp_config SYMBOL: true when the running kernel was built with CONFIG_SYMBOL=y
rp_config() {
	[ -r /proc/config.gz ] || rp_fail "no /proc/config.gz (CONFIG_IKCONFIG_PROC)"
	rp_config_y "$1"
}

# ---- sites ----

# Lines of available_sites for the test module's sites and vfs_read's,
# cached in a file (available_sites has thousands of lines).
rp_refresh_ids() {
	grep -e ' relpoline_test ' -e ' vfs_read+' $RP/available_sites > $TMPDIR/rp-ids || true
}

rp_avail() { # id: sets RP_AVAIL to its available_sites line ("" if none)
	[ -f $TMPDIR/rp-ids ] || rp_refresh_ids
	RP_AVAIL=
	while IFS= read -r _l; do
		case "$_l" in "$1 "*) RP_AVAIL=$_l; return 0 ;; esac
	done < $TMPDIR/rp-ids
}

rp_id() { # function: prints the id of its first site (vfs_read or the test module)
	[ -f $TMPDIR/rp-ids ] || rp_refresh_ids
	while read -r _id _site _rest; do
		case "$_site" in "$1+"*) echo $_id; return 0 ;; esac
	done < $TMPDIR/rp-ids
}

rp_nth_id() { # function n: prints the id of its n-th site
	[ -f $TMPDIR/rp-ids ] || rp_refresh_ids
	_k=0
	while read -r _id _site _rest; do
		case "$_site" in "$1+"*) _k=$((_k + 1)); [ $_k != $2 ] || { echo $_id; return 0; } ;; esac
	done < $TMPDIR/rp-ids
}

rp_site_name() { # id: prints symbol+0xOFF
	rp_avail $1
	set -- $RP_AVAIL
	echo "${2%/*}"
}

rp_sym_addr() { # symbol [module]: prints its address from /proc/kallsyms, without 0x
	if [ -n "${2:-}" ]; then
		grep -m1 " $1	\[$2\]\$" /proc/kallsyms | cut -d' ' -f1
	else
		grep -m1 " $1\$" /proc/kallsyms | cut -d' ' -f1
	fi
}

rp_hex_add() { # hex-address offset: prints 0x(address + offset)
	# dash's arithmetic saturates at 2^63: use bash
	bash -c 'printf "0x%x\n" $((0x${1#0x} + $2))' rp "$1" "$2"
}

rp_site_addr() { # id: prints 0xADDRESS of the site
	rp_avail $1
	set -- $RP_AVAIL
	_n=${2%/*}
	_mod=$3
	[ "$_mod" != "-" ] || _mod=
	_a=$(rp_sym_addr "${_n%%+*}" $_mod)
	[ -n "$_a" ] || rp_fail "no address for ${_n%%+*}"
	rp_hex_add "$_a" "${_n#*+}"
}

# rp_get ID: parse the site's line in sites into RP_LINE, RP_STATE ("none"
# without a line), RP_HITS, RP_MISSES, RP_TARGETS (slot order, counts
# stripped) and RP_THITS (the "target:hits" words).
rp_get() {
	RP_LINE= RP_STATE=none RP_HITS= RP_MISSES= RP_TARGETS= RP_THITS=
	while read -r _id _site _mod _form _reg _st _h _m _rest; do
		[ "$_id" = "$1" ] || continue
		RP_LINE="$_id $_site $_mod $_form $_reg $_st $_h $_m${_rest:+ $_rest}"
		RP_STATE=$_st RP_HITS=$_h RP_MISSES=$_m RP_THITS=$_rest
		for _t in $_rest; do
			RP_TARGETS="$RP_TARGETS${RP_TARGETS:+ }${_t%:*}"
		done
	done < $RP/sites
}

rp_thits() { # target: sets RP_TH to its hits in the last rp_get ("" if absent)
	RP_TH=
	for _t in $RP_THITS; do
		[ "${_t%:*}" != "$1" ] || RP_TH=${_t##*:}
	done
}

# The same, printed (each use in $(...) costs a fork)
rp_line() { rp_get $1; echo "$RP_LINE"; }
rp_state() { rp_get $1; echo "$RP_STATE"; }
rp_targets() { rp_get $1; echo "$RP_TARGETS"; }
rp_hits() { rp_get $1; echo "$RP_HITS"; }
rp_misses() { rp_get $1; echo "$RP_MISSES"; }
rp_target_hits() { rp_get $1; rp_thits "$2"; echo "$RP_TH"; }

rp_expect_state() { # id state [targets]
	rp_get $1
	[ "$RP_STATE" = "$2" ] || rp_fail "site $1: state '$RP_STATE', want '$2' ($RP_LINE)"
	if [ $# -ge 3 ] && [ "$RP_TARGETS" != "$3" ]; then
		rp_fail "site $1: targets '$RP_TARGETS', want '$3' ($RP_LINE)"
	fi
}

rp_expect_counts() { # id hits misses [target hits]...
	rp_get $1
	[ "$RP_HITS" = "$2" ] && [ "$RP_MISSES" = "$3" ] ||
		rp_fail "site $1: want hits $2 misses $3: $RP_LINE"
	shift 3
	while [ $# -ge 2 ]; do
		rp_thits "$1"
		[ "$RP_TH" = "$2" ] || rp_fail "want $1:$2: $RP_LINE"
		shift 2
	done
}

rp_expect_funcs() { # "func func ...": exactly these functions' sites are in sites
	_got=" "
	while read -r _id _site _rest; do
		case "$_id" in '#'*) continue ;; esac
		_got="$_got${_site%%+*} "
	done < $RP/sites
	_all=$_got
	for _f in $1; do
		case "$_got" in
		*" $_f "*) _got="${_got%%" $_f "*} ${_got#*" $_f "}" ;;
		*) _got=MISSING; break ;;
		esac
	done
	if [ -n "${_got# }" ]; then
		cat $RP/set_relpoline_filter $RP/sites
		rp_fail "sites lists '$_all', want '$1'"
	fi
}

# trace_stat/relpoline's two header lines, as RPS_<key> variables
rp_stats() {
	{ IFS= read -r _l1; IFS= read -r _l2; } < trace_stat/relpoline
	for _kv in $_l1 $_l2; do
		case "$_kv" in
		*=*) eval "RPS_${_kv%%=*}=\${_kv#*=}" ;;
		esac
	done
}

rp_stat() { # key: prints a trace_stat header value
	rp_stats
	eval "echo \${RPS_$1:-}"
}

rp_expect_stats() { # key value...: trace_stat header values
	rp_stats
	while [ $# -ge 2 ]; do
		eval "_v=\${RPS_$1:-}"
		[ "$_v" = "$2" ] || rp_fail "trace_stat: $1=$_v, want $2 ($_l1 / $_l2)"
		shift 2
	done
}

. "${RELPOLINE_TOP:-/work/main}/tests/guest/text-state.sh"

# The state of the interface without the counters that change by
# themselves, in RP_SNAP: knobs, filter, cgroup weights (without samples),
# every line of sites without hits and misses, and the text (rp_text_state:
# site bytes, stubs, trace_stat's patch counters).
rp_snap() {
	RP_SNAP=
	for _k in $RP_KNOBS; do
		rp_read _v $RP/$_k
		RP_SNAP="$RP_SNAP$_k=$_v$RP_NL"
	done
	RP_SNAP="${RP_SNAP}filter:$RP_NL"
	while IFS= read -r _l; do
		RP_SNAP="$RP_SNAP$_l$RP_NL"
	done < $RP/set_relpoline_filter
	RP_SNAP="${RP_SNAP}weights:$RP_NL"
	while read -r _p _w _s _d; do
		RP_SNAP="$RP_SNAP$_p $_w $_d$RP_NL"
	done < $RP/cgroup_weights
	RP_SNAP="${RP_SNAP}sites:$RP_NL"
	while read -r _id _site _mod _form _reg _st _h _m _rest; do
		case "$_id" in '#'*) continue ;; esac
		RP_SNAP="$RP_SNAP$_id $_site $_mod $_form $_reg $_st"
		for _t in $_rest; do
			RP_SNAP="$RP_SNAP ${_t%:*}"
		done
		RP_SNAP="$RP_SNAP$RP_NL"
	done < $RP/sites
	# (RP_SNAP_FILES: without the text, for a write meant to repatch)
	RP_SNAP_FILES=$RP_SNAP
	_ts=$(rp_text_state) || rp_fail "rp_snap: $_ts"
	RP_SNAP="$RP_SNAP$_ts$RP_NL"
}

rp_snap_save() {
	rp_snap
	RP_SNAP0=$RP_SNAP
	RP_SNAP0_FILES=$RP_SNAP_FILES
}

rp_snap_same() { # what: the state is still the one rp_snap_save saw
	rp_snap
	if [ "$RP_SNAP" != "$RP_SNAP0" ]; then
		printf '%s' "$RP_SNAP0" > $TMPDIR/rp-snap0
		printf '%s' "$RP_SNAP" > $TMPDIR/rp-snap1
		diff $TMPDIR/rp-snap0 $TMPDIR/rp-snap1 || true
		rp_fail "$1 changed the state"
	fi
}

# ---- the test module ----

rpt_load() {
	if [ ! -d $RPT ]; then
		[ -f "$RPT_KO" ] || { echo "no test module at $RPT_KO (set RELPOLINE_TOP)"; exit_unresolved; }
		insmod "$RPT_KO" || rp_fail "insmod $RPT_KO"
	fi
	rp_refresh_ids
}

rpt_unload() {
	if [ -d $RPT ]; then
		rmmod relpoline_test || rp_fail "rmmod relpoline_test"
	fi
	rm -f $TMPDIR/rp-ids
}

rpt_run() { # "N PATTERN": drive every harness site
	echo "$1" > $RPT/run || rp_fail "test module run '$1' failed (wrong call result?)"
}

# rpt_expect_stubbed FUNCTION 0|1: whether its site has a stub, as the test
# module sees it ("NAME [relpoline_test]+0xOFF FORM REG STUBBED len=N ...")
rpt_expect_stubbed() {
	_s=none
	while read -r _n _a _f _r _st _rest; do
		[ "$_n" = "$1" ] || continue
		_s=$_st
	done < $RPT/sites
	if [ "$_s" != "$2" ]; then
		cat $RPT/sites
		rp_fail "$1: stubbed=$_s in the test module's view, want $2"
	fi
}

# The test module's functions with harness sites (rpt_run_write's own site
# is not driven the same way and is left out with "!rpt_run_write").
RPT_FUNCS="rpt_call_rbx rpt_call_rbp rpt_call_r12 rpt_call_r15 rpt_tail_rcx rpt_tail_r10 rpt_tail_r11 rpt_c_call rpt_c_tail"
RPT_A="rpt_t_a[relpoline_test]"
RPT_B="rpt_t_b[relpoline_test]"
RPT_C="rpt_t_c[relpoline_test]"
RPT_D="rpt_t_d[relpoline_test]"
RPT_E="rpt_t_e[relpoline_test]"
RPT_H="rpt_t_h[relpoline_test]"

# ---- polling ----

rp_wait() { # seconds command...: run command until it succeeds; 1 on timeout
	_t=$(( $1 * 5 ))
	shift
	while ! "$@"; do
		_t=$((_t - 1))
		[ $_t -gt 0 ] || return 1
		sleep 0.2
	done
	return 0
}

# ---- reset ----

rp_drop_busy_kprobe() {
	if [ -d events/kprobes/rpbusy ]; then
		echo 0 > events/kprobes/rpbusy/enable || true
		echo '-:rpbusy' >> kprobe_events || true
	fi
}

# Give relpoline its boot state back (see the top of this file).
reset_relpoline() {
	rp_drop_busy_kprobe
	if [ -d events/relpoline ]; then
		echo 0 > events/relpoline/enable
	fi
	# The module's sites lose their policy state when it goes away.
	rpt_unload
	rp_disable
	# Empty the cgroup weights. This also tells whether ">" replaces:
	# set_relpoline_filter and cgroup_weights share that code, and only
	# cgroup_weights can be repaired without it.
	echo '/ 1' >> $RP/cgroup_weights
	echo > $RP/cgroup_weights
	RP_REPLACE_OK=1
	_cmds=
	while read -r _p _rest; do
		case "$_p" in
		'#'*|'*') ;;
		*) _cmds="$_cmds!$_p$RP_NL" ;;
		esac
	done < $RP/cgroup_weights
	if [ -n "$_cmds" ]; then
		RP_REPLACE_OK=0
		rp_note "WARNING: 'echo > cgroup_weights' does not empty the table; removing its entries"
		printf '%s* 1\n' "$_cmds" >> $RP/cgroup_weights
	fi
	echo > $RP/set_relpoline_filter
	rp_read _v $RP/set_relpoline_filter
	if [ $RP_REPLACE_OK = 1 ] && [ "$_v" = "#### all sites enabled ####" ]; then
		# Policy state is kept across disable and only visible while
		# enabled and selected: demote/unblock vfs_read's sites, which
		# tests (and other users) promote, pin and block.
		echo manual > $RP/mode
		echo 'vfs_read' > $RP/set_relpoline_filter
		echo 1 > $RP/enable || rp_fail "reset: could not enable relpoline"
		_cmds=
		while read -r _id _site _mod _form _reg _st _rest; do
			case "$_st" in
			promoted|pinned) _cmds="${_cmds}demote $_id$RP_NL" ;;
			blocked) _cmds="${_cmds}unblock $_id$RP_NL" ;;
			esac
		done < $RP/sites
		if [ -n "$_cmds" ]; then
			printf '%s' "$_cmds" > $RP/control || rp_fail "reset: $_cmds"
		fi
		rp_disable
		echo > $RP/set_relpoline_filter
	else
		rp_note "WARNING: '>' does not replace set_relpoline_filter;" \
			"vfs_read's sites may keep a promotion from an earlier test"
	fi
	for _kv in $RP_KNOB_DEFAULTS; do
		echo "${_kv#*=}" > $RP/${_kv%%=*}
	done
	echo reset > $RP/control
	for _d in $RP_CG/rptest_*/; do
		if [ -d "$_d" ]; then
			rmdir $RP_CG/rptest_*/*/ 2>/dev/null || true
			rmdir $RP_CG/rptest_*/
			break
		fi
	done
	echo > error_log
}

rp_cleanup() {
	set +e
	reset_relpoline
}

rp_setup() {
	trap rp_cleanup EXIT
	reset_relpoline
}
