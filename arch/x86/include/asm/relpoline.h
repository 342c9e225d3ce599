/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_RELPOLINE_H
#define _ASM_X86_RELPOLINE_H

#include <linux/relpoline.h>
#include <linux/relpoline_types.h>
#include <linux/types.h>

struct module;

#ifdef CONFIG_RELPOLINE

#include <linux/list.h>
#include <asm/text_poke_site.h>

struct relpoline_stub;

/**
 * struct relpoline_site - one retpoline'd indirect branch site
 * @addr:	address of the instruction
 * @mod:	owning module, NULL for vmlinux
 * @id:		stable identifier (vmlinux: index by address; modules: from a
 *		global counter, never reused)
 * @len:	instruction length (5 or 6)
 * @form:	enum relpoline_form
 * @reg:	target register (x86 numbering, never 4)
 * @cc:		condition of a Jcc site
 * @boot:	the bytes boot patching left there: CALL/JMP/Jcc rel32 to a
 *		thunk
 * @slow:	where that rel32 goes: the slow path the stubs fall back to
 * @refused:	why the site can never be managed, or NULL
 * @stub:	current stub, NULL while the site holds @boot
 * @busy:	the last patch attempt found foreign bytes at the site
 * @acc_hits:	hits of freed stubs, folded in (since the last reset)
 * @acc_misses:	misses of freed stubs, folded in (since the last reset)
 * @acc_target:	targets whose per-target hits are in @acc_thits (0: free)
 * @acc_thits:	per-target hits of freed stubs, by target, so that they
 *		survive a rewrite of the stub (e.g. profile 1 -> 0 -> 1)
 * @policy:	owned by the policy layer
 *
 * @addr to @refused are set when the site is captured and never change.
 * @stub, @busy and the counters are protected by relpoline_mutex
 * (relpoline_lock()); the sampling path reads the stub → site link
 * locklessly, see relpoline.c.
 */
struct relpoline_site {
	unsigned long		addr;
	struct module		*mod;
	unsigned int		id;
	u8			len;
	u8			form;
	u8			reg;
	u8			cc;
	u8			boot[TEXT_POKE_SITE_MAX];
	unsigned long		slow;
	const char		*refused;
	struct relpoline_stub	*stub;
	bool			busy;
	u64			acc_hits;
	u64			acc_misses;
	unsigned long		acc_target[RELPOLINE_MAX_TARGETS];
	u64			acc_thits[RELPOLINE_MAX_TARGETS];
	void			*policy;
};

/**
 * struct relpoline_req - one change in a relpoline_apply() batch
 * @site:	the site
 * @stub:	true: give the site a stub with @targets; false: restore @boot
 * @nr_targets:	0 (learning: every call takes the slow path) to
 *		RELPOLINE_MAX_TARGETS
 * @targets:	function entries compared in this order
 * @count_hits:	the stub counts hits per target, per CPU
 * @sample:	the stub's slow path samples targets for learning
 * @result:	out: 0, or -EBUSY (foreign bytes at the site), -ENOSPC (no
 *		counters or stub memory left), -ENOMEM, -EINVAL (refused site,
 *		bad target), -ERANGE (a target out of rel32 reach)
 */
struct relpoline_req {
	struct relpoline_site	*site;
	bool			stub;
	u8			nr_targets;
	unsigned long		targets[RELPOLINE_MAX_TARGETS];
	bool			count_hits;
	bool			sample;
	int			result;
};

/**
 * struct relpoline_stats - running totals since boot
 * @sites:	sites captured (vmlinux and live modules)
 * @refused:	sites that can never be managed
 * @stubbed:	sites currently holding a stub
 * @busy:	sites whose last patch attempt met foreign bytes
 * @batches:	relpoline_apply() calls that patched text
 * @patched:	site rewrites
 * @ipi_rounds:	text_poke_sync() rounds taken by those batches
 * @stub_bytes:	executable memory held by live stubs
 * @stub_pool_bytes: executable memory allocated for stubs
 * @counters_used: per-CPU counters in use (of CONFIG_RELPOLINE_NR_COUNTERS)
 */
struct relpoline_stats {
	unsigned int	sites;
	unsigned int	refused;
	unsigned int	stubbed;
	unsigned int	busy;
	unsigned long	batches;
	unsigned long	patched;
	unsigned long	ipi_rounds;
	unsigned long	stub_bytes;
	unsigned long	stub_pool_bytes;
	unsigned int	counters_used;
};

bool relpoline_keep_thunks(void);
void relpoline_module_sites(struct module *mod, s32 *start, s32 *end);
void relpoline_module_free(struct module *mod);

const char *relpoline_unavailable(void);
void relpoline_lock(void);
void relpoline_unlock(void);
typedef int (*relpoline_site_fn_t)(struct relpoline_site *site, void *data);
int relpoline_walk_sites(relpoline_site_fn_t fn, void *data);
int relpoline_walk_function(unsigned long addr, relpoline_site_fn_t fn, void *data);
bool relpoline_valid_target(unsigned long t);
bool relpoline_in_dying_module(unsigned long addr);
struct relpoline_site *relpoline_find_site(unsigned long addr);
struct relpoline_site *relpoline_find_site_id(unsigned int id);
int relpoline_apply(struct relpoline_req *reqs, unsigned int nr);
int relpoline_restore_all(unsigned int *busy);
unsigned int relpoline_site_targets(struct relpoline_site *site,
				    unsigned long *targets, u64 *hits);
void relpoline_site_counts(struct relpoline_site *site, u64 *hits, u64 *misses);
void relpoline_reset_counts(void);
void relpoline_get_stats(struct relpoline_stats *stats);
void relpoline_get_stats_locked(struct relpoline_stats *stats);
bool relpoline_req_noop(const struct relpoline_req *r);
bool relpoline_site_recheck_busy(struct relpoline_site *site);
void relpoline_set_sample_period(unsigned int period);

/**
 * struct relpoline_sample - learned calls of one site to one target
 * @target:	the target register's value
 * @cgroup_id:	cgroup v2 id of the calling tasks (0 without cgroups)
 * @site_id:	relpoline_site.id
 * @count:	samples
 */
struct relpoline_sample {
	unsigned long	target;
	u64		cgroup_id;
	u32		site_id;
	u32		count;
};

void relpoline_record_sample(struct relpoline_site *site, unsigned long target);
void relpoline_sample(unsigned long *regs, unsigned long ret);
typedef void (*relpoline_sample_fn_t)(const struct relpoline_sample *s, void *data);
unsigned long relpoline_drain_samples(relpoline_sample_fn_t fn, void *data);
bool relpoline_boot_enable(void);
struct insn;
int relpoline_fixup_copied_insn(struct insn *insn, u8 *copy, unsigned long addr);

#else /* !CONFIG_RELPOLINE */

struct insn;
static inline int relpoline_fixup_copied_insn(struct insn *insn, u8 *copy, unsigned long addr)
{
	return 0;
}

static inline bool relpoline_keep_thunks(void)
{
	return false;
}

static inline void relpoline_module_sites(struct module *mod, s32 *start, s32 *end)
{
}

static inline void relpoline_module_free(struct module *mod)
{
}

#endif /* CONFIG_RELPOLINE */

#endif /* _ASM_X86_RELPOLINE_H */
