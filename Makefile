# SPDX-License-Identifier: GPL-2.0
#
# relpoline: the single entry point.
#
#   make run       build what is missing, boot the kernel, run the demo
#   make check     every test suite; ends with "N passed, N failed"
#   make kernel    build the QEMU test kernel (KVARIANT=debug, clang or distro for the others)
#   make tools     build the userspace tools into build/tools/
#   make install   install the tools, man pages, completion, relpoline.service
#                  (PREFIX=/usr/local, DESTDIR, SYSCONFDIR=/etc)
#   make patches   a git format-patch series against the base tree in out/patches/
#   make bench     native cycles per call and guest promotion coverage (bench/results/);
#                  builds the distro kernel too (cold: 74 min here, beside a make check)
#   make stress    the 10-minute storm and the upstream ftracetest suite both ways;
#                  builds the debug, clang and distro kernels (make check boots clang)
#   make fuzz      libFuzzer over the tracefs parsers (ASan/UBSan, >= 10M executions)
#   make mutants   mutation checks of the encoder and parser suites (also in make check)
#   make deps      install what is missing from Debian (run by the others)
#   make clean     remove build/ and out/ (the ccache stays)

SHELL := /bin/bash
KVARIANT ?= test
export KVARIANT

.PHONY: all deps kernel module tools install run check check-unit check-guest patches bench stress fuzz mutants clean help

all: kernel tools

help:
	@sed -n '3,19p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@scripts/deps

kernel: deps
	@scripts/build-kernel $(KVARIANT)

module: kernel
	@scripts/build-module $(KVARIANT)

tools: deps
	@if [ -f tools/Makefile ]; then $(MAKE) -s -C tools; fi

install: tools
	@$(MAKE) -s -C tools install

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

bench: kernel module tools
	@scripts/build-kernel distro
	@bench/run

stress: deps
	@KVARIANT=debug scripts/build-kernel debug && scripts/build-module debug
	@scripts/build-kernel test && scripts/build-module test
	@scripts/build-kernel clang && scripts/build-module clang
	@scripts/build-kernel distro
	@tests/stress/run-stress 600

fuzz: deps
	@$(MAKE) -s -C tests/fuzz long

mutants: deps
	@scripts/build-kernel --extract-only
	@for d in tests/unit/*/; do \
		if grep -q '^mutants:' $$d/Makefile; then $(MAKE) -s -C $$d mutants || exit 1; fi; \
	done

clean:
	rm -rf build out
