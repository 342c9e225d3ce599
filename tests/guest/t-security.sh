#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# Security of the relpoline tracefs interface:
#  A. file modes, next to their ftrace counterparts;
#  B. an unprivileged user (nobody) can neither read nor write any relpoline
#     file, and nothing changes when it tries; uid 0 without capabilities
#     behaves as it does for the rest of tracefs (tracing_on);
#  C. with tracefs remounted gid=TRACING_GID,mode=0750, a member of that
#     group can read but not write; with kptr_restrict=1 (that user) and
#     kptr_restrict=2 (root) no relpoline file, trace_stat/relpoline, the
#     error_log or the relpoline trace events show a raw kernel address;
#  D. promoting to anything but a function entry in live kernel or module
#     text fails with EINVAL and changes nothing: a data symbol (by name
#     and address, vmlinux and module), mid-function addresses, userspace
#     and non-canonical addresses, freed init text, freed module text;
#     function entries in vmlinux and in a live module are accepted.
# Lockdown is checked by tests/security/run-lockdown (its own boot).
set -u
. "$(dirname "$0")/lib.sh"
. "$RELPOLINE_TOP/tests/security/guest-lib.sh"
sec_need

FUNCS="vfs_read vfs_write"
TGID=4242
nfail=0
W=$(mktemp -d)
kr0=$(cat /proc/sys/kernel/kptr_restrict)
cleanup() {
	echo "$kr0" > /proc/sys/kernel/kptr_restrict
	mount -o remount,gid=0,mode=0700 $T 2>/dev/null
	echo 0 > $T/events/relpoline/enable 2>/dev/null
	echo 0 > $T/tracing_on 2>/dev/null; echo > $T/trace 2>/dev/null; echo 1 > $T/tracing_on
	sec_reset "$FUNCS" >/dev/null 2>&1
	[ -d /sys/kernel/debug/relpoline_test ] && rmmod relpoline_test 2>/dev/null
	rm -rf "$W" /tmp/rpsec-kallsyms
}
trap cleanup EXIT
bad() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
good() { echo "ok: $*"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_tracer() { setpriv --reuid=65534 --regid=$TGID --clear-groups "$@"; }
as_root_nocaps() { setpriv --reuid=0 --regid=0 --clear-groups --inh-caps=-all --bounding-set=-all "$@"; }

FILES="enable mode control set_relpoline_filter cgroup_weights max_targets interval_ms
min_samples threshold_pct sample_period profile sites available_sites"
RW="enable mode control set_relpoline_filter cgroup_weights max_targets interval_ms
min_samples threshold_pct sample_period profile"
path() { case $1 in trace_stat) echo $T/trace_stat/relpoline ;; *) echo $R/$1 ;; esac; }

sec_reset "$FUNCS"
printf '%s\n' $FUNCS > $R/set_relpoline_filter
echo manual > $R/mode
echo 1 > $R/profile
echo 1 > $R/enable || fail "enable"
V=$(sec_sites_of vfs_read | sed -n 1p)
echo "pin $V read_zero" >> $R/control || fail "pin $V read_zero"
dd if=/dev/zero of=/dev/null bs=1 count=100 2>/dev/null

# ---- A. modes ----
echo "=== A. modes (relpoline, and ftrace for comparison)"
for f in $FILES trace_stat; do
	printf '  %-40s %s\n' "relpoline/$f" "$(stat -c '%A %U:%G' "$(path $f)")"
done
for f in $T $R $T/trace_stat $T/set_ftrace_filter $T/available_filter_functions $T/tracing_on \
	 $T/error_log $T/trace; do
	printf '  %-40s %s\n' "${f#$T/}" "$(stat -c '%A %U:%G' "$f")"
done
for f in $RW; do
	m=$(stat -c %a "$(path $f)")
	case $f in
	control) [ "$m" = 200 ] || bad "control has mode $m, want 200" ;;
	*) [ "$m" = 640 ] || bad "$f has mode $m, want 640 (as set_ftrace_filter)" ;;
	esac
done
for f in sites available_sites; do
	m=$(stat -c %a "$(path $f)")
	[ "$m" = 440 ] || bad "$f has mode $m, want 440 (as available_filter_functions)"
done

# try_files AS CHECK: as user AS (as_nobody, as_tracer), read every file
# and write "1" to every writable one; print a table row per file and
# judge it with CHECK FILE READ WRITE (WRITE is "-" for a read-only file)
try_files() {
	local as=$1 check=$2 f p r w
	for f in $FILES trace_stat; do
		p=$(path "$f")
		r=$($as "$RPW" -r "$p")
		w=-
		case " $(echo $RW) " in *" $f "*) w=$($as "$RPW" -a "$p" "1") ;; esac
		printf '  %-40s %-10s %s\n' "relpoline/$f" "$r" "$w"
		$check "$f" "$r" "$w"
	done
}

# ---- B. unprivileged users ----
echo "=== B. nobody (uid/gid 65534, no groups): read / write of every file"
sec_snap > $W/before
printf '  %-40s %-10s %s\n' file read write
nobody_ok() { # file read write
	case $2 in open:EACCES|open:EPERM) ;; *) bad "nobody reading $1: $2" ;; esac
	case $3 in -|open:EACCES|open:EPERM) ;; *) bad "nobody writing $1: $3" ;; esac
}
try_files as_nobody nobody_ok
sec_snap > $W/after
cmp -s $W/before $W/after && good "nothing changed" || { diff $W/before $W/after; bad "state changed by nobody's attempts"; }
for f in tracing_on trace; do
	printf '  %-40s %-10s\n' "$f" "$(as_nobody "$RPW" -r $T/$f)"
done

echo "=== B'. uid 0 without any capability (setpriv --inh-caps=-all --bounding-set=-all)"
e=$(cat $R/enable)
t=$(cat $T/tracing_on)
r1=$(as_root_nocaps "$RPW" -r $R/sites)
w1=$(as_root_nocaps "$RPW" $R/enable "$e")
r2=$(as_root_nocaps "$RPW" -r $T/trace)
w2=$(as_root_nocaps "$RPW" $T/tracing_on "$t")
echo "  relpoline/sites read: $r1   relpoline/enable write: $w1"
echo "  trace read:           $r2   tracing_on write:       $w2"
[ "${r1%% *}" = "${r2%% *}" ] && [ "${w1%% *}" = "${w2%% *}" ] &&
	good "uid 0 without capabilities: relpoline behaves as tracing_on/trace (${r1%% *}/${w1%% *})" ||
	bad "uid 0 without capabilities: relpoline ($r1, $w1) differs from tracing ($r2, $w2)"

# ---- C. a tracing group, kptr_restrict, raw addresses ----
echo "=== C. raw kernel addresses"
# some content with module names, targets and trace events
if [ -f "$RPT_KO" ] && insmod "$RPT_KO"; then
	printf '%s\n' "vfs_read" "vfs_write" ":mod:relpoline_test" > $R/set_relpoline_filter
	MS=$(awk '$3 == "relpoline_test" { print $1; exit }' $R/available_sites)
	[ -n "$MS" ] && echo "promote $MS rpt_t_b[relpoline_test]" >> $R/control ||
		bad "promote a module site to a module target"
fi
echo 1 > $T/events/relpoline/enable
echo "retrain" >> $R/control
dd if=/dev/zero of=/dev/null bs=1 count=2000 2>/dev/null
echo 1 > $R/sample_period
dd if=/dev/zero of=/dev/null bs=1 count=200 2>/dev/null
echo 16 > $R/sample_period
echo "promote 99999999 read_zero" >> $R/control 2>/dev/null	# an error_log entry
cat $R/sites
ADDR_RE='(0x)?ffff[0-9a-f]{12}|\<[0-9a-f]{16}\>'
scan() { # who files...: print hits
	local who=$1 f out
	shift
	for f in "$@"; do
		if [ "$who" = root ]; then
			out=$(cat "$f" 2>&1)
		else
			out=$(as_tracer cat "$f" 2>&1)
		fi
		printf '%s\n' "$out" | grep -E -o -m 3 "$ADDR_RE" | sed "s|^|  $f: |"
	done
}
ALL="$(for f in $FILES trace_stat; do [ $f = control ] || path $f; done) $T/error_log"
# Positive control: the scan finds the raw addresses that /proc/kallsyms
# shows root at kptr_restrict=0, and a copy of them that the tracing user
# can read (else "no raw address" below could mean a broken scan).
echo 0 > /proc/sys/kernel/kptr_restrict
ADDR_CTRL=/tmp/rpsec-kallsyms
grep -m 3 -E ' [tT] (vfs_read|vfs_write|read_zero)$' /proc/kallsyms > $ADDR_CTRL
chmod 644 $ADDR_CTRL
hits=$(scan root /proc/kallsyms)
[ -n "$hits" ] && good "control: the scan finds raw addresses in /proc/kallsyms (kptr_restrict=0, root)" ||
	bad "control: the scan finds no address in /proc/kallsyms at kptr_restrict=0"
echo "$hits" | head -n 1
for kr in 2 1 0; do
	echo $kr > /proc/sys/kernel/kptr_restrict
	hits=$(scan root $ALL $T/trace)
	if [ -n "$hits" ]; then
		echo "$hits"
		bad "kptr_restrict=$kr, root: raw addresses"
	else
		good "kptr_restrict=$kr, root: no raw address in relpoline/*, trace_stat/relpoline, error_log, trace"
	fi
done
echo "  /proc/kallsyms as root with kptr_restrict=2: $(echo 2 > /proc/sys/kernel/kptr_restrict; grep -m1 ' vfs_read$' /proc/kallsyms)"

# a tracing group: tracefs gid= and mode= mount options
if mount -o remount,gid=$TGID,mode=0750 $T; then
	echo "tracefs remounted gid=$TGID,mode=0750: $(stat -c '%A %U:%G' $T) relpoline: $(stat -c '%A %U:%G' $R)"
	echo 1 > /proc/sys/kernel/kptr_restrict
	printf '  %-40s %-10s %s\n' "file (uid 65534, gid $TGID)" read write
	tracer_ok() { # file read write
		case $1 in
		control) case $2 in open:EACCES) ;; *) bad "tracer reading control: $2" ;; esac ;;
		*) case $2 in OK*) ;; *) bad "tracer cannot read $1: $2" ;; esac ;;
		esac
		case $3 in -|open:EACCES|open:EPERM) ;; *) bad "tracer writing $1: $3" ;; esac
	}
	try_files as_tracer tracer_ok
	[ -n "$(scan tracer $ADDR_CTRL)" ] && good "control: as the tracing user, the scan finds the addresses in $ADDR_CTRL" ||
		bad "control: as the tracing user, the scan finds no address in $ADDR_CTRL"
	hits=$(scan tracer $ALL $T/trace)
	if [ -n "$hits" ]; then
		echo "$hits"
		bad "kptr_restrict=1, tracing group member: raw addresses"
	else
		good "kptr_restrict=1, tracing group member: reads work, no raw address"
	fi
	echo "  /proc/kallsyms for that user with kptr_restrict=1: $(as_tracer grep -m1 ' vfs_read$' /proc/kallsyms)"
	mount -o remount,gid=0,mode=0700 $T
else
	echo "tracefs does not take gid=/mode= on remount: tracing-group part skipped"
fi
echo "$kr0" > /proc/sys/kernel/kptr_restrict
echo 0 > $T/events/relpoline/enable

# ---- D. targets that are not function entries ----
echo "=== D. promote $V to things that are not function entries"
ks() { awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms; }
RZ=$(ks read_zero)
JF=$(ks jiffies)
VR=$(ks vfs_read)
SK=$(ks start_kernel)
MT=$(ks rpt_t_c)
MD=$(ks rpt_result)
MR=$(ks rpt_targets)
try() { # want target description
	local want=$1 tgt=$2 what=$3 got b a
	b=$(sec_snap)
	got=$("$RPW" -a $R/control "promote $V $tgt")
	a=$(sec_snap)
	case $got in OK*) got=OK ;; esac
	printf '  %-44s %-26s %-6s %s\n' "$what" "$tgt" "$got" \
		"$([ "$want" = OK ] || { [ "$a" = "$b" ] && echo unchanged || echo CHANGED; })"
	[ "$got" = "$want" ] || bad "$what ($tgt): $got, want $want"
	[ "$want" = OK ] || [ "$a" = "$b" ] || bad "$what ($tgt) changed the state"
}
printf '  %-44s %-26s %-6s %s\n' what target errno state
try EINVAL "0x$JF" "data (jiffies, by address)"
try EINVAL jiffies "data (jiffies, by name)"
try EINVAL "0x$(printf %x $((0x$VR + 1)))" "mid-function (vfs_read+1)"
try EINVAL "0x$(printf %x $((0x$RZ + 16)))" "mid-function (read_zero+0x10)"
try EINVAL 0x400000 "userspace (0x400000)"
try EINVAL 0x7ffffffff000 "userspace (top of user space)"
try EINVAL 0x0 "NULL"
try EINVAL 0x8000000000000000 "non-canonical"
try EINVAL 0xffffffffffffffff "all ones"
[ -n "$SK" ] && try EINVAL "0x$SK" "freed init text (start_kernel)"
try EINVAL start_kernel "freed init text (start_kernel, by name)"
if [ -n "$MT" ]; then
	[ -n "$MD" ] && try EINVAL "0x$MD" "module data (rpt_result)"
	[ -n "$MR" ] && try EINVAL "0x$MR" "module rodata (rpt_targets)"
	try EINVAL "0x$(printf %x $((0x$MT + 1)))" "module mid-function (rpt_t_c+1)"
	try OK "0x$MT" "module function entry (rpt_t_c): accepted"
	try OK "rpt_t_c[relpoline_test]" "module function by name: accepted"
	rmmod relpoline_test
	try EINVAL "0x$MT" "freed module text (rpt_t_c after rmmod)"
	try ENOENT "rpt_t_c[relpoline_test]" "unloaded module's function by name"
	grep -q "rpt_t_c" $R/sites && bad "a promotion to the unloaded module survived: $(grep rpt_t_c $R/sites)"
fi
try OK "0x$RZ" "vmlinux function entry (read_zero): accepted"
try OK read_zero "vmlinux function by name: accepted"

echo
[ $nfail -eq 0 ] || fail "$nfail security checks failed"
ok "security checks passed"
