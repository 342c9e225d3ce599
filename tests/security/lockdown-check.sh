#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In a guest booted with lockdown=MODE (tests/security/run-lockdown):
# relpoline's files must behave like the rest of tracefs. Prints, for each
# file and operation, what root gets, and fails when a relpoline file
# differs from its tracefs counterpart (reads as trace/README/
# available_filter_functions, writes as tracing_on/set_ftrace_filter).
# Fails as well when lockdown is not what the command line asked for
# (/sys/kernel/security/lockdown, or the kernel log without securityfs),
# and, for confidentiality, when reading
# trace and writing tracing_on are not refused: a comparison of relpoline
# with a tracefs that is not locked down would pass without lockdown.
set -u
top=${RELPOLINE_TOP:?}
RPW=$top/build/security/rpw
R=/sys/kernel/tracing/relpoline
T=/sys/kernel/tracing
[ -x "$RPW" ] || { echo "SKIP: $RPW not built"; exit 4; }
echo "cmdline: $(cat /proc/cmdline)"
want=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^lockdown=//p' | tail -n 1)
[ -n "$want" ] || { echo "FAIL: no lockdown= on the kernel command line"; exit 1; }
# The lockdown state: securityfs's lockdown file where the kernel has
# securityfs, else the kernel log's own word (the test kernel has no
# CONFIG_SECURITYFS).
if [ -d /sys/kernel/security ] && { grep -q ' /sys/kernel/security securityfs ' /proc/mounts ||
	mount -t securityfs securityfs /sys/kernel/security; } && [ -r /sys/kernel/security/lockdown ]; then
	state=$(cat /sys/kernel/security/lockdown)
	echo "lockdown: $state (asked for: $want)"
	case " $state " in
	*" [$want] "*) ;;
	*) echo "FAIL: lockdown is not '$want': $state"; exit 1 ;;
	esac
else
	dmesg | grep -m1 'Kernel is locked down' ||
		{ echo "FAIL: no securityfs, and the kernel log does not say it is locked down"; exit 1; }
	if [ "$want" = confidentiality ]; then
		dmesg | grep -m1 'Lockdown: .*use of tracefs is restricted' ||
			{ echo "FAIL: the kernel log does not say tracefs is restricted"; exit 1; }
	fi
fi
ls -la $R >/dev/null 2>&1 && echo "relpoline directory: $(ls $R | tr '\n' ' ')" || echo "relpoline directory: not listable"
fail=0
res() { # op file
	local r
	if [ "$1" = read ]; then r=$("$RPW" -r "$2"); else r=$("$RPW" -a "$2" "$3"); fi
	echo "${r%% *}"
}
printf '%-44s %-6s %s\n' file op result
ref_read=$(res read $T/trace)
ref_write=$(res write $T/tracing_on 1)
if [ "$want" = confidentiality ]; then
	# what lockdown=confidentiality does to tracefs: the references are refused
	case "$ref_read $ref_write" in
	OK*|*" OK"*) echo "FAIL: lockdown=confidentiality, yet reading trace gives $ref_read" \
		"and writing tracing_on $ref_write"; exit 1 ;;
	esac
fi
for f in trace README available_filter_functions set_ftrace_filter error_log \
	 trace_stat/function0; do
	[ -e $T/$f ] && printf '%-44s %-6s %s\n' "$f" read "$(res read $T/$f)"
done
printf '%-44s %-6s %s\n' tracing_on write "$ref_write"
printf '%-44s %-6s %s\n' set_ftrace_filter write "$(res write $T/set_ftrace_filter '')"
printf '%-44s %-6s %s\n' kprobe_events write "$(res write $T/kprobe_events 'p:rplock vfs_read')"
for f in sites available_sites enable mode set_relpoline_filter cgroup_weights max_targets \
	 interval_ms min_samples threshold_pct sample_period profile ../trace_stat/relpoline; do
	r=$(res read $R/$f)
	printf '%-44s %-6s %s\n' "relpoline/$f" read "$r"
	[ "$r" = "$ref_read" ] || { echo "  DIFFERS from reading trace ($ref_read)"; fail=1; }
done
for fv in enable:0 mode:auto control:reset set_relpoline_filter:vfs_read cgroup_weights:'* 1' \
	  max_targets:2 profile:0; do
	f=${fv%%:*}
	r=$(res write $R/$f "${fv#*:}")
	printf '%-44s %-6s %s\n' "relpoline/$f" write "$r"
	[ "$r" = "$ref_write" ] || { echo "  DIFFERS from writing tracing_on ($ref_write)"; fail=1; }
done
echo "--- kernel log (lockdown):"
dmesg | grep -i 'lockdown' | sort -u -k2 | tail -n 10
if [ $fail -eq 0 ]; then
	echo "ok: relpoline files behave like the rest of tracefs under lockdown ($ref_read on read, $ref_write on write)"
	exit 0
fi
echo "FAIL: relpoline files differ from tracefs under lockdown"
exit 1
