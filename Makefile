# SPDX-License-Identifier: GPL-2.0
#
# relpoline: the single entry point.
#
#   make run       build what is missing, boot the kernel, run the demo
#   make check     every test suite; ends with "N passed, N failed"
#   make kernel    build the QEMU test kernel (KVARIANT=debug for the debug one)
#   make tools     build the userspace tools into build/tools/
#   make patches   a git format-patch series against the base tree in out/patches/
#   make deps      install what is missing from Debian (run by the others)
#   make clean     remove build/ and out/ (the ccache stays)

SHELL := /bin/bash
KVARIANT ?= test
export KVARIANT

.PHONY: all deps kernel module tools run check check-unit check-guest patches clean help

all: kernel tools

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@scripts/deps

kernel: deps
	@scripts/build-kernel $(KVARIANT)

module: kernel
	@scripts/build-module $(KVARIANT)

tools: deps
	@if [ -f tools/Makefile ]; then $(MAKE) -s -C tools; fi

run: kernel module tools
	@tests/vm/run -t 900 -a spectre_v2=retpoline -- tests/demo.sh

check: deps
	@scripts/check

check-unit: deps
	@scripts/check unit

check-guest: deps
	@scripts/check guest

patches: deps
	@scripts/make-patches

clean:
	rm -rf build out
