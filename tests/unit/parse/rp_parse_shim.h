/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for building kernel/trace/relpoline_parse.c outside the
 * kernel: the kernel integer types, errno values and name lengths it relies
 * on.  Force-included (-include) before the parser, the tests and the fuzzer.
 */
#ifndef RP_PARSE_SHIM_H
#define RP_PARSE_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define KSYM_NAME_LEN		512	/* include/linux/kallsyms.h */
#define MODULE_NAME_LEN		56	/* 64 - sizeof(unsigned long) on 64-bit */

/* A redundant declaration: uses the argument and takes the semicolon */
#define EXPORT_SYMBOL_IF_KUNIT(sym)	extern typeof(sym) sym

#define __RELPOLINE_USERSPACE 1

#endif /* RP_PARSE_SHIM_H */
