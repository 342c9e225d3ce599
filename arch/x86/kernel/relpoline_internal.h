/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relpoline: what the files of the core share (arch/x86/kernel/relpoline*.c).
 *
 *   relpoline.c		site groups, batches, modules, landings, the API
 *   relpoline_capture.c	decoding a site as boot patching left it
 *   relpoline_stub.c		stub memory, stub code and counters, stub lookups
 *   relpoline_syms.c		function names of module addresses, for big batches
 *   relpoline_learn.c		the sampling path and the learning tables
 *   relpoline_calib.c		what a promoted hit saves, measured once
 */
#ifndef _ARCH_X86_KERNEL_RELPOLINE_INTERNAL_H
#define _ARCH_X86_KERNEL_RELPOLINE_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <asm/relpoline.h>
#include <asm/relpoline_encode.h>

/*
 * Serialises every change of state: the site groups, site->stub and
 * everything in struct relpoline_stub but the lockless fields named there,
 * the stub memory, the retired list. Nests outside text_mutex.
 */
extern struct mutex relpoline_mutex;

/* Running totals (relpoline_mutex). */
extern struct relpoline_stats rp_stats;

/* Why relpoline cannot be used on this boot, or NULL. Set once at init. */
extern const char *rp_unavailable;

/**
 * struct rp_site_acc - what the earlier stubs of a site counted
 * @hits:	hits, folded in from freed stubs (since the last reset)
 * @misses:	misses, the same
 * @target:	targets whose per-target hits are in @thits (0: free slot)
 * @thits:	per-target hits, by target, so that they survive a rewrite of
 *		the stub (e.g. profile 1 -> 0 -> 1)
 *
 * Allocated when the site first gets a stub (relpoline_mutex).
 */
struct rp_site_acc {
	u64		hits;
	u64		misses;
	unsigned long	target[RELPOLINE_MAX_TARGETS];
	u64		thits[RELPOLINE_MAX_TARGETS];
};

/**
 * struct relpoline_stub - a stub: code in stub memory, and its counters
 * @text:	entry (in a chunk of stub memory)
 * @len:	bytes of code
 * @granules:	stub memory it occupies, in RP_GRANULE units
 * @name:	"relpoline_stub:func+0xoff", for kallsyms and perf
 * @node:	on the list of every stub (RCU; kallsyms reads it)
 * @rcu:	the struct is freed after an RCU grace period: kallsyms and
 *		the unwinder find stubs by address without locks
 * @site:	its site
 * @nr_targets:	targets compared, in this order
 * @targets:	the targets
 * @count_hits:	the code counts hits per target
 * @sample:	the code samples its slow path
 * @ctrs:	per-CPU counter block (alloc_percpu(); layout struct
 *		rp_ctr_block, @ctr_size bytes)
 * @ctr_size:	RP_CTR_SIZE(count_hits ? nr_targets : 0)
 * @folded:	what has been added to the site's counts so far (misses,
 *		then hits per target)
 * @free:	on the retired list once no site branches to it
 * @reaping:	a reaper waits for the grace periods that free it
 * @boost:	it samples its first misses one by one (relpoline_learn.c):
 *		a learning stub, or the first stub with targets after one
 *		until the next drain of the samples
 * @boost_drain: the drain count when it was built (relpoline_learn.c)
 * @boost_gen:	the rp_boost_gen of @boost_left (relpoline_learn.c)
 * @boost_left:	misses this stub still samples one by one
 * @orc_pushed:	the unwind state where the code has pushed a word
 * @nr_pushed:	entries of @pushed
 * @pushed:	byte ranges of the code in which a word is pushed
 *
 * @text, @len, @name, @site, @ctrs and the unwind fields are set before
 * the stub is published and never change: they are read without locks.
 */
struct relpoline_stub {
	void				*text;
	unsigned int			len;
	unsigned int			granules;
	char				*name;
	struct list_head		node;
	struct rcu_head			rcu;
	struct relpoline_site		*site;
	u8				nr_targets;
	unsigned long			targets[RELPOLINE_MAX_TARGETS];
	bool				count_hits;
	bool				sample;
	bool				boost;
	unsigned int			boost_drain;
	struct rp_ctr_block __percpu	*ctrs;
	unsigned int			ctr_size;
	unsigned int			boost_gen;
	unsigned int			boost_left;
	u64				folded[1 + RELPOLINE_MAX_TARGETS];
	struct list_head		free;
	bool				reaping;
	struct orc_entry		orc_pushed;
	u8				nr_pushed;
	struct rp_stub_range		pushed[RP_STUB_MAX_PUSHED];
};

/* relpoline_stub.c */
int rp_stub_create(const struct relpoline_req *req, struct relpoline_stub **out);
void rp_stub_destroy(struct relpoline_stub *stub);
void rp_stub_fold(struct relpoline_stub *stub);
u64 rp_stub_misses(const struct relpoline_stub *stub);
u64 rp_stub_hits(const struct relpoline_stub *stub, unsigned int i);
void rp_stub_reset_counts(struct relpoline_stub *stub);
int rp_acc_slot(const struct rp_site_acc *acc, unsigned long target);
void rp_stubs_set_countdown(void);
struct relpoline_stub *rp_stub_at(unsigned long addr);
void rp_stub_trim(void);
void rp_stub_describe(const struct relpoline_stub *stub, unsigned long text,
		      struct rp_stub_desc *d);

/* objtool's list of sites, relative to each entry (arch/x86/kernel/vmlinux.lds.S). */
extern s32 __retpoline_sites[], __retpoline_sites_end[];

/* relpoline_syms.c */
int relpoline_sym_lookup(unsigned long addr, char *name, unsigned long *off);
void relpoline_syms_drop(void);

/* relpoline_capture.c */
const char *rp_capture(struct relpoline_site *s, struct module *mod, unsigned long addr,
		       bool text_ok);
void rp_capture_orc(struct relpoline_site *s);

/* relpoline_learn.c */
void rp_stub_boost_init(struct relpoline_stub *stub, const struct relpoline_req *req);
int rp_learn_init(void);
void rp_learn_grow(void);
unsigned int rp_sample_period(void);
unsigned int rp_sample_first(const struct relpoline_stub *stub);

/* relpoline_calib.c: the calibration's callee, in assembler there */
void relpoline_cal_callee(void);

#endif /* _ARCH_X86_KERNEL_RELPOLINE_INTERNAL_H */
