# SPDX-License-Identifier: GPL-2.0
# The one helper for the text part of the tests' "nothing changed"
# snapshots (sourced; POSIX sh, for ftracetest's dash and for bash):
# rp_text_state prints the live bytes of every relpoline site, the stubs'
# targets and busy marks (as a CRC, from the relpoline_peek module, loaded
# on first use: it has no site of its own, see tests/module/relpoline_peek.c)
# and trace_stat's patch counters (patched, batches, stub_bytes). Any text
# relpoline writes changes one of them.

RP_PEEK=/sys/kernel/debug/relpoline_peek/text

rp_text_load() {
	[ -e $RP_PEEK ] && return 0
	for _v in ${RELPOLINE_KVARIANT:-} test debug clang; do
		insmod "${RELPOLINE_TOP:?}/build/module-$_v/relpoline_peek.ko" 2>/dev/null && break
	done
	[ -e $RP_PEEK ]
}

rp_text_state() {
	if ! rp_text_load; then
		echo "text: relpoline_peek cannot be loaded (scripts/build-module)"
		return 1
	fi
	IFS= read -r _rpt_l < $RP_PEEK
	echo "text: $_rpt_l"
	{ IFS= read -r _rpt_l; IFS= read -r _rpt_l; } < /sys/kernel/tracing/trace_stat/relpoline
	for _rpt_kv in $_rpt_l; do
		case "$_rpt_kv" in
		patched=*|batches=*|stub_bytes=*) echo "stat: $_rpt_kv" ;;
		esac
	done
}
