/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for building arch/x86/kernel/relpoline_encode.c outside the
 * kernel: provides the kernel integer types and errno values it relies on.
 * Force-included (-include) before the encoder and the tests.
 */
#ifndef RP_USER_SHIM_H
#define RP_USER_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;

#define __RELPOLINE_USERSPACE 1

#endif /* RP_USER_SHIM_H */
