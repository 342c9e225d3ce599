#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: suites
# test_bpf (lib/test_bpf.c, CONFIG_TEST_BPF=m; the test kernel has no BPF
# JIT, so every program runs in the interpreter) with relpoline idle and
# churning (tests/guest/suites.sh). ___bpf_prog_run() dispatches every
# instruction with a computed goto, an indirect jump whose unwind state is
# not a function entry (issue 13, item 1), and its calls of helpers and
# tail calls go through function pointers: the most indirect-branch-heavy
# code of the kernel, with that site promoted, repromoted and its stubs
# retired while it runs. The module prints one line per test
# ("#N DESCRIPTION [jited:0 TIMES] PASS|FAIL...") and a Summary line per
# part (test_bpf, test_tail_calls, test_skb_segment); each part must
# report as many tests as its Summary counts.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/suites.sh"

KO=$SUITE_OBJ/lib/test_bpf.ko
D=$RELPOLINE_RUN/suite-bpf
[ -f "$KO" ] || fail "no $KO (CONFIG_TEST_BPF=m)"
grep -qx 0 /proc/sys/net/core/bpf_jit_enable 2>/dev/null || [ ! -e /proc/sys/net/core/bpf_jit_enable ] ||
	fail "the BPF JIT is enabled: the interpreter would not run"

# "PART #N DESCRIPTION<TAB>pass|fail" per test line between the marker and
# the end of the kernel log, then per part "PART<TAB>..." when its test
# lines do not add up to its Summary, and the module's load status. A
# test's line is printed in pieces (pr_info, then pr_cont); a message of
# another CPU between two pieces (rcu_tasks_wait_gp's "grace period is N
# jiffies old" while a long test holds off RCU Tasks) ends the record, and
# the remaining pieces come as lines of their own, any of them: they are
# joined back, and a test whose pieces never give a result is a failure.
bpf_results() { # MARKER INSMOD-STATUS
	dmesg | sed 's/^\[[ 0-9.]*\] //' | awk -v mark="$1" '
		function flush(  r, t) {
			if (!cur) return
			t = cur; r = "fail (no result)"
			if (t ~ / PASS$/) r = "pass"
			else if (t ~ / (FAIL|UNEXPECTED_|ret -?[0-9]+ != |data generation failed)/) r = "fail"
			sub(/ (jited:[01]|PASS|FAIL|UNEXPECTED_|ret -?[0-9]+ != |data generation failed).*$/, "", t)
			line[++n] = t; res[n] = r; cur = ""
		}
		$0 == mark { on = 1; next }
		!on { next }
		/^test_bpf: #[0-9]+ / { flush(); cur = substr($0, 11); sub(/ +$/, "", cur); next }
		# the rest of a test line that another message cut (pr_cont)
		cur && /^(jited:[01] ?)?(-?[0-9]+ ?)*(PASS|FAIL.*|UNEXPECTED_.*|ret -?[0-9]+ != .*|data generation failed.*)?$/ {
			cur = cur " " $0; sub(/ +$/, "", cur); next }
		/Summary: [0-9]+ PASSED, [0-9]+ FAILED/ {
			flush()
			part = ($0 ~ /test_tail_calls/) ? "test_tail_calls" : ($0 ~ /test_skb_segment/) ? "test_skb_segment" : "test_bpf"
			for (i = 1; i <= n; i++) printf "%s %s\t%s\n", part, line[i], res[i]
			for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^PASSED/) p = $i; if ($(i+1) ~ /^FAILED/) f = $i }
			if (n != p + f) printf "%s\tincomplete (%d test lines, Summary: %d PASSED, %d FAILED)\n", part, n, p, f
			parts++; n = 0 }
		END { if (parts != 3) printf "test_bpf parts\t%d of 3 Summary lines\n", parts }' ||
		printf 'reading the results\tfail (awk)\n'
	printf 'insmod test_bpf.ko\t%s\n' "$([ "$2" = 0 ] && echo pass || echo "fail (status $2)")"
}

run() { # MODE OUT
	local mark rc
	mark="relpoline-suites: test_bpf, relpoline $1, $(date +%s%N)"
	echo "$mark" > /dev/kmsg
	# shellcheck disable=SC2086
	insmod "$KO" ${TEST_BPF_ARGS:-}
	rc=$?
	[ $rc = 0 ] && rmmod test_bpf
	bpf_results "$mark" $rc > "$2"
}
suite_run "test_bpf" "$D" run
