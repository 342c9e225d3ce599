/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The low RWX area in which the userspace encoder tests and the native
 * benchmark run real stub bytes. Stubs reach their targets and the
 * fallback thunk with rel32 jumps and the sample/counter code uses
 * disp32 addressing, as in the kernel, so code and data must lie below
 * 2 GiB. Shared by tests/unit/encoder and bench/native.
 */
#ifndef RP_LOWMAP_H
#define RP_LOWMAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/*
 * rp_map_low_rwx - map @size bytes RWX below 2 GiB, at @want if it is
 * free, else wherever MAP_32BIT puts it; filled with int3 (0xcc).
 * Returns the area, or NULL with errno set (ERANGE: not below 2 GiB).
 */
static inline void *rp_map_low_rwx(uintptr_t want, size_t size)
{
	const int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
	void *p;

	p = mmap((void *)want, size, prot,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED && p != (void *)want) {
		/* an old kernel treated the hint as a hint */
		munmap(p, size);
		p = MAP_FAILED;
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, size, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if ((uintptr_t)p + size > 0x80000000UL) {
		munmap(p, size);
		errno = ERANGE;
		return NULL;
	}
	memset(p, 0xcc, size);
	return p;
}

#endif /* RP_LOWMAP_H */
