#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# relpoline.service's own commands (tests/guest/service-steps runs the
# unit's ExecStart/ExecStop lines): the conf is applied, a first boot
# without a profile is fine, the promotions saved at stop come back at
# the next start, a stale or corrupt profile is refused and changes
# nothing without failing the start. (tests/service-reboot does the same
# across two real boots.)
set -u
. "$(dirname "$0")/lib.sh"
R=$RELPOLINE_TOP/build/tools/relpoline
T=/sys/kernel/tracing/relpoline
STEPS=$RELPOLINE_TOP/tests/guest/service-steps
W=$(mktemp -d)
[ -x "$R" ] || fail "tools not built (make tools)"

cleanup() {
	rp_defaults
	rm -rf "$W"
	rpt_cleanup
}
trap cleanup EXIT
promoted() { awk '/ (promoted|pinned) / { $7 = $8 = ""; for (i = 9; i <= NF; i++) sub(/:[0-9]+$/, "", $i); print }' $T/sites; }

rpt_load
trap cleanup EXIT	# rpt_load set its own
mkdir -p "$W/etc"
cat > "$W/etc/relpoline.conf" <<CONF
# test configuration
set interval_ms 250
set max_targets 3
mode manual
filter :mod:relpoline_test
cgroup set * 3
enable
CONF
$STEPS start "$W/state" "$W/etc" || fail "start steps on a first boot (no profile yet)"
[ "$(cat $T/interval_ms)" = 250 ] || fail "interval_ms not applied"
[ "$(cat $T/max_targets)" = 3 ] || fail "max_targets not applied"
[ "$(cat $T/mode)" = manual ] || fail "mode not applied"
[ "$(cat $T/enable)" = 1 ] || fail "not enabled"
grep -q relpoline_test $T/set_relpoline_filter || fail "filter not applied"
grep -q '^\* 3 ' $T/cgroup_weights || fail "cgroup weight not applied"
ok "start on a first boot: conf applied, no profile is not an error"

ids=$(awk '$3 == "relpoline_test" { print $1 }' $T/sites)
for id in $ids; do $R promote $id 'rpt_t_b[relpoline_test],rpt_t_a[relpoline_test]' || fail "promote $id"; done
promoted > "$W/before"
[ -s "$W/before" ] || fail "nothing promoted"
$STEPS stop "$W/state" "$W/etc" || fail "stop steps"
[ -s "$W/state/profile" ] || fail "no profile saved at stop"
for id in $ids; do $R demote $id; done
[ -z "$(promoted)" ] || fail "demote left promotions"
$STEPS start "$W/state" "$W/etc" || fail "start steps with a profile"
promoted > "$W/after"
diff "$W/before" "$W/after" || fail "the promotions saved at stop did not come back at start"
ok "stop saves, start restores the same promotions ($(wc -l < "$W/after") sites)"

# a profile of another kernel build: refused, nothing changes, start succeeds
sed -i 's/^kernel \([^ ]*\) .*/kernel \1 0123456789012345678901234567890123456789/' "$W/state/profile"
for id in $ids; do $R demote $id; done
cp $T/sites "$W/sites.before"
$STEPS start "$W/state" "$W/etc" > "$W/out" 2>&1 || fail "start failed on a stale profile: $(cat "$W/out")"
cat "$W/out"
grep -q 'refusing a stale profile' "$W/out" || fail "no message for the stale profile"
[ -z "$(promoted)" ] || fail "a stale profile was loaded"
ok "a stale profile is refused with a message; the start still succeeds"

printf 'not a profile\n' > "$W/state/profile"
$STEPS start "$W/state" "$W/etc" > "$W/out" 2>&1 || fail "start failed on a corrupt profile"
grep -q 'not a relpoline profile' "$W/out" || fail "no message for the corrupt profile: $(cat "$W/out")"
[ -z "$(promoted)" ] || fail "a corrupt profile changed sites"
printf 'set max_targets 9\n' > "$W/etc/relpoline.conf"
$STEPS start "$W/state" "$W/etc" > "$W/out" 2>&1 && fail "start succeeded with a bad relpoline.conf"
grep -q 'relpoline.conf:1: bad value for max_targets' "$W/out" || fail "no message for the bad conf: $(cat "$W/out")"
[ "$(cat $T/max_targets)" = 3 ] || fail "a bad conf changed max_targets"
ok "a corrupt profile and a bad conf are refused with their line"
