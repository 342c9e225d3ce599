/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_RELPOLINE_H
#define _ASM_X86_RELPOLINE_H

#include <linux/relpoline.h>
#include <linux/relpoline_types.h>
#include <linux/types.h>

struct module;

#ifdef CONFIG_RELPOLINE

#include <linux/list.h>
#include <linux/relpoline_types.h>
#include <asm/orc_types.h>
#include <asm/text_poke_site.h>

struct relpoline_stub;
struct rp_site_acc;

/**
 * struct relpoline_site - one retpoline'd indirect branch site
 * @addr:	address of the instruction
 * @mod:	owning module, NULL for vmlinux
 * @id:		stable identifier (vmlinux: index by address; modules: from a
 *		global counter, never reused)
 * @len:	site length (5 or 6)
 * @form:	enum relpoline_form
 * @reg:	target register (x86 numbering, never 4)
 * @cc:		condition of a Jcc site
 * @inlined:	boot patching inlined the indirect branch into the site
 *		([LFENCE;] CALL/JMP *%reg and padding, or Jncc.d8 over a JMP),
 *		instead of leaving a rel32 branch to a thunk
 * @quiesce:	@idle has instruction boundaries inside the site at which a
 *		task can be stopped: giving the site a stub waits for tasks
 *		to leave them (see text_poke_site.c)
 * @landing:	offset in the site at which an inlined CALL of @idle returns
 *		(0: none); while the site has a stub that byte is INT3
 * @idle:	the bytes boot patching left there, exactly as upstream does
 * @slow:	the thunk @idle branches to, or for an inlined @idle the
 *		retpoline thunk of @reg (its body is the mode's indirect branch)
 * @orc:	the unwind state inside the site's stubs
 * @refused:	why the site can never be managed, or NULL
 * @stub:	current stub, NULL while the site holds @idle
 * @busy:	the last patch attempt found foreign bytes at the site
 * @acc:	what the site's earlier stubs counted (relpoline_internal.h),
 *		allocated when the site first gets a stub: nothing while idle
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
	bool			inlined;
	bool			quiesce;
	u8			landing;
	u8			idle[TEXT_POKE_SITE_MAX];
	unsigned long		slow;
	struct orc_entry	orc;
	const char		*refused;
	struct relpoline_stub	*stub;
	bool			busy;
	struct rp_site_acc	*acc;
	void			*policy;
};

/**
 * struct relpoline_req - one change in a relpoline_apply() batch
 * @site:	the site
 * @stub:	true: give the site a stub with @targets; false: restore @idle
 * @nr_targets:	0 (learning: every call takes the slow path) to
 *		RELPOLINE_MAX_TARGETS
 * @targets:	function entries compared in this order
 * @count_hits:	the stub counts hits per target, per CPU
 * @sample:	the stub's slow path samples targets for learning
 * @result:	out: 0, or -EBUSY (foreign bytes at the site), -ENOSPC (no
 *		stub memory left), -ENOMEM, -EINVAL (refused site,
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
 * @quiesced:	batches that waited for tasks to leave the inside of a site
 * @landings:	returns into a site's landing moved to the end of the site
 * @emulations:	calls through a site that met the INT3 of a rewrite
 * @stub_bytes:	executable memory held by live stubs
 * @stub_pool_bytes: executable memory allocated for stubs
 * @percpu_bytes: per-CPU memory in use, per CPU: the stubs' counter blocks
 *		and, once the first stub was made, the learning tables
 * @site_bytes:	the site tables of vmlinux and the loaded modules
 * @learn_bytes: the learning tables all CPUs share (overflow, spare and
 *		outgrown ones)
 */
struct relpoline_stats {
	unsigned int	sites;
	unsigned int	refused;
	unsigned int	stubbed;
	unsigned int	busy;
	unsigned long	batches;
	unsigned long	patched;
	unsigned long	ipi_rounds;
	unsigned long	quiesced;
	unsigned long	landings;
	unsigned long	emulations;
	unsigned long	stub_bytes;
	unsigned long	stub_pool_bytes;
	unsigned long	percpu_bytes;
	unsigned long	site_bytes;
	unsigned long	learn_bytes;
};

void relpoline_module_sites(struct module *mod, s32 *start, s32 *end);
void relpoline_module_free(struct module *mod);

const char *relpoline_unavailable(void);
void relpoline_lock(void);
void relpoline_unlock(void);
typedef int (*relpoline_site_fn_t)(struct relpoline_site *site, void *data);
int relpoline_walk_sites(relpoline_site_fn_t fn, void *data);

/*
 * The position of a walk of every site, as relpoline_walk_sites() visits
 * them but with a direct call per site instead of an indirect one, for the
 * walks made on every read of a file (sites, trace_stat):
 *
 *	struct relpoline_site_iter it = {};
 *
 *	while ((s = relpoline_next_site(&it)))
 *		...
 *
 * relpoline_lock() held for the whole walk.
 */
struct relpoline_site_iter {
	void		*group;		/* the arch's table part, private */
	unsigned int	i;
	bool		started;
};

struct relpoline_site *relpoline_next_site(struct relpoline_site_iter *it);
int relpoline_walk_function(unsigned long addr, relpoline_site_fn_t fn, void *data);
bool relpoline_valid_target(unsigned long t);
const char *relpoline_target_refusal(unsigned long t);
unsigned long relpoline_target_entry(unsigned long fn);
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
 * struct relpoline_calib - what a promoted hit saves on this CPU
 * @err:	0, or why the figures do not hold (relpoline_calibrate())
 * @cpu:	the CPU that ran the loops
 * @site:	id of the site whose boot form the slow loop called through
 * @slow_x100:	TSC cycles of a call through that form, times 100
 * @hit_x100:	TSC cycles of a call through a stub's first target (hits
 *		counted), times 100
 * @khz:	the TSC's frequency (tsc_khz), 0 if unknown
 */
struct relpoline_calib {
	int		err;
	unsigned int	cpu;
	unsigned int	site;
	unsigned int	khz;
	u64		slow_x100;
	u64		hit_x100;
};

int relpoline_calibrate(void);
const struct relpoline_calib *relpoline_calibration(void);

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

/*
 * In relpoline_sample.site_id: the sample was taken at every miss (the
 * adaptive boost of a learning stub, see relpoline_learn.c), so it stands
 * for one call, not sample_period calls.
 */
#define RELPOLINE_SAMPLE_BOOSTED	BIT(31)

void relpoline_record_sample(struct relpoline_site *site, unsigned long target, bool boosted);
void relpoline_set_sample_boost(unsigned int samples);
void relpoline_rearm_sample_boost(void);
void relpoline_sample(unsigned long *regs, unsigned long ret);
typedef void (*relpoline_sample_fn_t)(const struct relpoline_sample *s, void *data);
unsigned long relpoline_drain_samples(relpoline_sample_fn_t fn, void *data);
bool relpoline_boot_enable(void);
struct insn;
int relpoline_fixup_copied_insn(struct insn *insn, u8 *copy, unsigned long addr);
struct orc_entry *relpoline_orc_find(unsigned long ip);
struct pt_regs;
int relpoline_landing(struct pt_regs *regs);

#else /* !CONFIG_RELPOLINE */

struct pt_regs;
static inline int relpoline_landing(struct pt_regs *regs)
{
	return 0;
}

struct orc_entry;
static inline struct orc_entry *relpoline_orc_find(unsigned long ip)
{
	return NULL;
}

struct insn;
static inline int relpoline_fixup_copied_insn(struct insn *insn, u8 *copy, unsigned long addr)
{
	return 0;
}

static inline void relpoline_module_sites(struct module *mod, s32 *start, s32 *end)
{
}

static inline void relpoline_module_free(struct module *mod)
{
}

#endif /* CONFIG_RELPOLINE */

#endif /* _ASM_X86_RELPOLINE_H */
