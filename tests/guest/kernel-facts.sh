# SPDX-License-Identifier: GPL-2.0
# What the running kernel is, for the in-guest tests and the ftracetest
# cases (sourced; POSIX sh, for ftracetest's dash and for bash).

# rp_config_y SYMBOL: true when the kernel was built with CONFIG_SYMBOL=y
# (false, too, without /proc/config.gz: callers that need it check first)
rp_config_y() {
	zcat /proc/config.gz 2>/dev/null | grep -qx "CONFIG_$1=y"
}

# rp_cfi_mode: kcfi, fineibt or off, as the kernel said at boot
rp_cfi_mode() {
	if dmesg | grep -q 'Using FineIBT CFI'; then echo fineibt
	elif dmesg | grep -q 'Using kCFI'; then echo kcfi
	else echo off
	fi
}
