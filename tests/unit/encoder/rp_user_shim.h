/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for building arch/x86/kernel/relpoline_encode.c outside the
 * kernel: provides the kernel integer types, errno values, offsetof() and
 * static_assert() it relies on.
 * Force-included (-include) before the encoder and the tests.
 */
#ifndef RP_USER_SHIM_H
#define RP_USER_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;

/* as <linux/build_bug.h>: the message is optional */
#ifndef static_assert
#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)
#endif

#define __RELPOLINE_USERSPACE 1

#endif /* RP_USER_SHIM_H */
