// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: run-time promotion of retpoline'd indirect branch sites.
 *
 * objtool lists every compiler-generated CALL/JMP/Jcc to an
 * __x86_indirect_thunk_<reg> in .retpoline_sites, and boot patching
 * (patch_retpoline(), left as upstream has it) turns each into what the
 * spectre_v2 mode wants: a call of a thunk, or an inlined
 * "[LFENCE;] CALL/JMP *%reg" plus padding. Relpoline records those idle
 * forms for vmlinux at boot and for modules when they load
 * (relpoline_capture.c) and rewrites any site, in batches, into one rel32
 * branch of the site's length to a stub (relpoline_stub.c):
 *
 *	cmp $target1, %reg	; je target1
 *	...			; up to RELPOLINE_MAX_TARGETS
 *	count the miss; every sample_period misses, sample (relpoline_learn.c)
 *	the mode's slow path: jmp to the site's thunk, or [lfence;] jmp *%reg
 *
 * A stub jumps to a target only when the register equals it, so it is
 * always semantically the original branch.
 *
 * This file holds the site groups (vmlinux, each module), applies batches
 * of changes, frees the stubs that sites no longer reach, follows modules,
 * and handles landings. Changing a site's form is text_poke_sites()'s
 * protocol (text_poke_site.c and Documentation/trace/relpoline.rst): an
 * INT3 on the first byte whose handler emulates the branch to a stub, a
 * wait for tasks stopped inside an inlined form, and, for an inlined CALL
 * followed by padding, a "landing": the byte the CALL returns to stays
 * INT3 in every managed form (stubs are placed for it), and
 * relpoline_landing() moves a task returning there to the end of the site.
 *
 * Stubs are never modified while reachable: a change writes a new stub,
 * repoints the site, and frees the old stub only after
 * synchronize_rcu_tasks_rude() and synchronize_rcu_tasks(), as ftrace does
 * for its trampolines, waited for after relpoline_mutex is released
 * (relpoline_unlock()).
 *
 * Locking: relpoline_mutex (relpoline_lock()) serialises every change of
 * state; see relpoline_internal.h. Lockless readers: the INT3 handlers,
 * the sampling path, the unwinder and kallsyms; relpoline_landing() walks
 * the site groups with preemption disabled (groups are freed after
 * synchronize_rcu()).
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/text-patching.h>

#define CREATE_TRACE_POINTS
#include <trace/events/relpoline.h>

#include "relpoline_internal.h"

/* Boot parameter: relpoline=off disables the feature, =on enables it. */
enum { RP_BOOT_DEFAULT, RP_BOOT_ON, RP_BOOT_OFF };
static int relpoline_boot __ro_after_init;

static int __init relpoline_param(char *str)
{
	if (!str)
		return -EINVAL;
	if (!strcmp(str, "off"))
		relpoline_boot = RP_BOOT_OFF;
	else if (!strcmp(str, "on"))
		relpoline_boot = RP_BOOT_ON;
	else
		return -EINVAL;
	return 0;
}
early_param("relpoline", relpoline_param);

/**
 * relpoline_boot_enable - was relpoline=on given?
 *
 * Return: true when the policy layer should enable itself at boot.
 */
bool relpoline_boot_enable(void)
{
	return relpoline_boot == RP_BOOT_ON;
}

/* Why relpoline cannot be used on this boot, or NULL (relpoline_internal.h). */
const char *rp_unavailable __ro_after_init = "not initialised";
/* Serialises every change of state: see relpoline_internal.h. */
DEFINE_MUTEX(relpoline_mutex);

/**
 * struct rp_group - the sites of vmlinux or of one module
 * @list:	on rp_groups
 * @mod:	the module, NULL for vmlinux
 * @nr:		number of sites
 * @sites:	sorted by address
 */
struct rp_group {
	struct list_head	list;
	struct module		*mod;
	unsigned int		nr;
	struct relpoline_site	sites[] __counted_by(nr);
};

/* Changed under relpoline_mutex; read under RCU by the INT3 handler. */
static LIST_HEAD(rp_groups);
static unsigned int rp_next_id;
struct relpoline_stats rp_stats;
/* Tasks moved from a landing to the end of their site: any context. */
static atomic_long_t rp_landings;

/* Stubs no site branches to any more, to free (relpoline_mutex). */
static LIST_HEAD(rp_retired);
/* One reaper at a time (rp_reap()); taken outside relpoline_mutex. */
static DEFINE_MUTEX(rp_reap_mutex);

/*
 * The bytes @site holds with @stub, or its idle bytes when @stub is NULL.
 * The managed form is one rel32 branch of the site's length: CALL/JMP
 * (5 bytes), CALL/JMP behind a CS prefix (6), Jcc (6); its first byte is
 * the first byte of the site, where text_poke_sites() puts its INT3. A
 * landing byte is INT3 in it: the stub was placed so (rp_slot_suits()).
 */
static int rp_site_bytes(struct relpoline_site *site, struct relpoline_stub *stub, u8 *buf)
{
	unsigned int pfx = 0;
	int ret;

	if (!stub) {
		memcpy(buf, site->idle, site->len);
		return 0;
	}
	if (site->form != RELPOLINE_FORM_JCC && site->len == 6)
		buf[pfx++] = 0x2e;	/* CS segment prefix: ignored in 64-bit mode */
	ret = rp_encode_site(site->form, site->cc, site->addr + pfx,
			     (unsigned long)stub->text, buf + pfx);
	if (ret < 0)
		return ret;
	if (site->landing && buf[site->landing] != INT3_INSN_OPCODE)
		return -ERANGE;
	return 0;
}

static bool rp_module_live(struct module *mod)
{
	return !mod || READ_ONCE(mod->state) == MODULE_STATE_LIVE;
}

/**
 * relpoline_in_dying_module - is @addr in a module that is not live?
 * @addr:	a text address
 *
 * A module's state changes without relpoline_lock(): a site or target in
 * a module that was live when a request was built may be in a going one
 * by the time it is applied. Cheap (a module-tree lookup, no symbol scan).
 *
 * Return: true when @addr is in the text of a module that is not live.
 */
bool relpoline_in_dying_module(unsigned long addr)
{
	struct module *mod;
	bool dying;

	preempt_disable();
	mod = __module_text_address(addr);
	dying = mod && READ_ONCE(mod->state) != MODULE_STATE_LIVE;
	preempt_enable();
	return dying;
}

/* One change of a batch being applied. */
struct rp_change {
	struct relpoline_req	*req;
	struct relpoline_stub	*fresh;		/* new stub, NULL: back to idle */
	struct text_poke_site	tps;
};

/* Can @r be made at all? */
static int rp_req_check(struct relpoline_req *r)
{
	struct relpoline_site *site = r->site;
	int j;

	if (rp_unavailable || site->refused || r->nr_targets > RELPOLINE_MAX_TARGETS)
		return -EINVAL;
	if (r->stub && !rp_module_live(site->mod))
		return -EINVAL;
	for (j = 0; r->stub && j < r->nr_targets; j++)
		if (!relpoline_valid_target(r->targets[j]))
			return -EINVAL;
	return 0;
}

/*
 * Build @c's new stub (nothing branches to it yet) and the text change.
 * While the site is rewritten it behaves as a branch to the stub it gets
 * or, when it goes back to idle, to the stub it had: both are live for
 * the whole batch.
 */
static int rp_change_prepare(struct rp_change *c)
{
	struct relpoline_req *r = c->req;
	struct relpoline_site *site = r->site;
	struct relpoline_stub *dest;
	int ret;

	ret = rp_req_check(r);
	if (!ret && r->stub)
		ret = rp_stub_create(r, &c->fresh);
	if (ret)
		return ret;
	c->tps.addr = (void *)site->addr;
	c->tps.len = site->len;
	if (rp_site_bytes(site, site->stub, c->tps.old) ||
	    rp_site_bytes(site, c->fresh, c->tps.new))
		return -ERANGE;
	dest = c->fresh ? c->fresh : site->stub;
	c->tps.form = site->form;
	c->tps.cc = site->cc;
	c->tps.dest = dest ? (unsigned long)dest->text : 0;
	c->tps.quiesce = site->quiesce && !site->stub;
	return 0;
}

/* Rewrite the prepared sites in one text_poke_sites() batch. */
static void rp_changes_patch(struct rp_change *ch, unsigned int n)
{
	struct text_poke_site **vec;
	struct text_poke_site_stats st = {};
	unsigned int i;
	int ret = -ENOMEM;

	vec = kvmalloc_array(n, sizeof(*vec), GFP_KERNEL);
	if (vec) {
		for (i = 0; i < n; i++)
			vec[i] = &ch[i].tps;
		ret = text_poke_sites(vec, n, &st);
		kvfree(vec);
	}
	if (ret < 0)
		for (i = 0; i < n; i++)
			ch[i].tps.result = ret;
	if (st.patched) {
		rp_stats.batches++;
		rp_stats.patched += st.patched;
		rp_stats.ipi_rounds += st.ipi_rounds;
		rp_stats.quiesced += st.quiesced;
	}
}

/* @site holds what relpoline wants there again. */
static void rp_site_unbusy(struct relpoline_site *site)
{
	site->busy = false;
	rp_stats.busy--;
}

/* Record what the text now holds; the replaced stub is retired. */
static void rp_change_commit(struct rp_change *c)
{
	struct relpoline_req *r = c->req;
	struct relpoline_site *site = r->site;

	r->result = c->tps.result;
	if (r->result) {
		if (r->result == -EBUSY && !site->busy) {
			site->busy = true;
			rp_stats.busy++;
		}
		return;
	}
	if (site->busy)
		rp_site_unbusy(site);
	if (site->stub) {
		rp_stub_fold(site->stub);
		list_add_tail(&site->stub->free, &rp_retired);
	}
	rp_stats.stubbed += !!c->fresh;
	rp_stats.stubbed -= !!site->stub;
	site->stub = c->fresh;
	c->fresh = NULL;
}

/**
 * relpoline_apply - change the stubs of a batch of sites
 * @reqs:	the changes; each site at most once
 * @nr:		number of changes
 *
 * Builds the new stubs and rewrites every site in one text_poke_sites()
 * batch. The stubs that were replaced are retired: relpoline_unlock()
 * frees them once no task can be in them any more, after it has released
 * the mutex. A change that cannot be made leaves its site exactly as it
 * was and says why in its @result; the others are made. Must be called
 * with relpoline_lock() held.
 *
 * Return: the number of changes that failed, or -ENOMEM when nothing was
 * attempted.
 */
int relpoline_apply(struct relpoline_req *reqs, unsigned int nr)
{
	struct rp_change *ch;
	unsigned int n = 0, i, failed = 0;

	lockdep_assert_held(&relpoline_mutex);
	if (!nr)
		return 0;
	/* The learning tables exist from the first stub on, never while idle. */
	if (rp_learn_init())
		return -ENOMEM;
	ch = kvcalloc(nr, sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		memset(&ch[n], 0, sizeof(ch[n]));
		ch[n].req = &reqs[i];
		reqs[i].result = rp_change_prepare(&ch[n]);
		if (!reqs[i].result) {
			n++;
		} else if (ch[n].fresh) {	/* never published */
			rp_stub_destroy(ch[n].fresh);
			ch[n].fresh = NULL;
		}
	}
	if (n)
		rp_changes_patch(ch, n);
	for (i = 0; i < n; i++) {
		rp_change_commit(&ch[i]);
		if (ch[i].fresh)		/* never published */
			rp_stub_destroy(ch[i].fresh);
	}
	for (i = 0; i < nr; i++)
		failed += !!reqs[i].result;
	kvfree(ch);
	rp_learn_grow();
	return failed;
}
EXPORT_SYMBOL_NS_GPL(relpoline_apply, RELPOLINE_INTERNAL);

/**
 * relpoline_restore_all - give every stubbed site back its boot bytes
 * @busy:	optional; number of sites that could not be restored
 *
 * A site without a stub holds its boot bytes already (or a kprobe's INT3
 * over them): it is as this call leaves every site, so it is not busy any
 * more, even if an earlier attempt to give it a stub met a kprobe. Only
 * the stubbed sites that keep their stub are busy on return. Must be
 * called with relpoline_lock() held.
 *
 * Return: 0, -EBUSY when some site holds foreign bytes (it keeps its
 * stub), or -ENOMEM.
 */
int relpoline_restore_all(unsigned int *busy)
{
	struct relpoline_req *reqs;
	struct rp_group *g;
	unsigned int n = 0, i;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	reqs = kvcalloc(max(rp_stats.stubbed, 1U), sizeof(*reqs), GFP_KERNEL);
	if (!reqs)
		return -ENOMEM;
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			struct relpoline_site *site = &g->sites[i];

			if (site->stub) {
				if (n < rp_stats.stubbed)
					reqs[n++].site = site;
			} else if (site->busy) {
				rp_site_unbusy(site);
			}
		}
	}
	ret = relpoline_apply(reqs, n);
	kvfree(reqs);
	if (busy)
		*busy = ret > 0 ? ret : 0;
	return ret > 0 ? -EBUSY : ret;
}
EXPORT_SYMBOL_NS_GPL(relpoline_restore_all, RELPOLINE_INTERNAL);

/**
 * relpoline_site_targets - the current targets of a site and their hits
 * @site:	the site
 * @targets:	out, RELPOLINE_MAX_TARGETS entries
 * @hits:	out, RELPOLINE_MAX_TARGETS entries: hits per target since the
 *		last reset, including those of earlier stubs of the site with
 *		the same target (they only grow while hits are counted); may
 *		be NULL
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the number of targets.
 */
unsigned int relpoline_site_targets(struct relpoline_site *site,
				    unsigned long *targets, u64 *hits)
{
	struct relpoline_stub *stub = site->stub;
	unsigned int i;

	lockdep_assert_held(&relpoline_mutex);
	if (!stub)
		return 0;
	for (i = 0; i < stub->nr_targets; i++) {
		int a = rp_acc_slot(site->acc, stub->targets[i]);

		targets[i] = stub->targets[i];
		if (!hits)
			continue;
		hits[i] = a < 0 ? 0 : site->acc->thits[a];
		if (stub->count_hits)
			hits[i] += rp_stub_hits(stub, i) - stub->folded[1 + i];
	}
	return stub->nr_targets;
}
EXPORT_SYMBOL_NS_GPL(relpoline_site_targets, RELPOLINE_INTERNAL);

/**
 * relpoline_site_counts - hits and misses of a site since the last reset
 * @site:	the site
 * @hits:	out: calls that took a promoted target (counted while the
 *		stub counts hits)
 * @misses:	out: calls that took the slow path of a stub
 *
 * Must be called with relpoline_lock() held.
 */
void relpoline_site_counts(struct relpoline_site *site, u64 *hits, u64 *misses)
{
	struct relpoline_stub *stub = site->stub;
	unsigned int i;

	lockdep_assert_held(&relpoline_mutex);
	*hits = site->acc ? site->acc->hits : 0;
	*misses = site->acc ? site->acc->misses : 0;
	if (!stub)
		return;
	*misses += rp_stub_misses(stub) - stub->folded[0];
	if (stub->count_hits)
		for (i = 0; i < stub->nr_targets; i++)
			*hits += rp_stub_hits(stub, i) - stub->folded[1 + i];
}
EXPORT_SYMBOL_NS_GPL(relpoline_site_counts, RELPOLINE_INTERNAL);

/**
 * relpoline_reset_counts - zero the hit and miss counts of every site
 *
 * Increments racing with the reset on other CPUs may survive it. Must be
 * called with relpoline_lock() held.
 */
void relpoline_reset_counts(void)
{
	struct rp_group *g;
	unsigned int i;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			struct relpoline_site *site = &g->sites[i];
			struct relpoline_stub *stub = site->stub;

			if (site->acc)
				memset(site->acc, 0, sizeof(*site->acc));
			if (stub)
				rp_stub_reset_counts(stub);
		}
	}
}

/**
 * relpoline_get_stats - copy the running totals
 * @stats:	out
 */
void relpoline_get_stats(struct relpoline_stats *stats)
{
	mutex_lock(&relpoline_mutex);
	relpoline_get_stats_locked(stats);
	mutex_unlock(&relpoline_mutex);
}
EXPORT_SYMBOL_NS_GPL(relpoline_get_stats, RELPOLINE_INTERNAL);

/**
 * relpoline_get_stats_locked - copy the running totals, relpoline_lock() held
 * @stats:	out
 */
void relpoline_get_stats_locked(struct relpoline_stats *stats)
{
	lockdep_assert_held(&relpoline_mutex);
	*stats = rp_stats;
	stats->landings = atomic_long_read(&rp_landings);
	stats->emulations = text_poke_sites_emulations();
}
EXPORT_SYMBOL_NS_GPL(relpoline_get_stats_locked, RELPOLINE_INTERNAL);

/**
 * relpoline_req_noop - would @r leave its site's text as it is?
 * @r:		a request (its @result is ignored)
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: true when the site already has exactly that stub (or none).
 */
bool relpoline_req_noop(const struct relpoline_req *r)
{
	struct relpoline_stub *stub = r->site->stub;

	lockdep_assert_held(&relpoline_mutex);
	if (!r->stub || !stub)
		return !r->stub && !stub;
	return stub->nr_targets == r->nr_targets &&
	       !memcmp(stub->targets, r->targets, r->nr_targets * sizeof(r->targets[0])) &&
	       stub->count_hits == (r->count_hits && r->nr_targets) &&
	       stub->sample == r->sample;
}

/**
 * relpoline_site_recheck_busy - is @site still modified by someone else?
 * @site:	a site that relpoline_apply() found busy, or any site
 *
 * A site is marked busy when relpoline_apply() found foreign bytes in it
 * (a kprobe's INT3 or optimized jump) or a kprobe registered on it, armed
 * or not, and it stays marked until a later batch patches it. When the
 * other user has gone since, the text holds relpoline's bytes again and no
 * kprobe is registered there: the mark is dropped here and the site can be
 * patched at once. Must be called with relpoline_lock() held.
 *
 * Return: true if the site still holds foreign bytes or a kprobe.
 */
bool relpoline_site_recheck_busy(struct relpoline_site *site)
{
	u8 want[TEXT_POKE_SITE_MAX];
	bool busy;

	lockdep_assert_held(&relpoline_mutex);
	if (!site->busy)
		return false;
	if (rp_site_bytes(site, site->stub, want))
		return true;
	mutex_lock(&text_mutex);
	busy = memcmp((void *)site->addr, want, site->len) ||
	       text_poke_sites_kprobed((void *)site->addr, site->len);
	mutex_unlock(&text_mutex);
	if (!busy)
		rp_site_unbusy(site);
	return busy;
}

/**
 * relpoline_unavailable - why relpoline cannot be used, if it cannot
 *
 * Return: a reason for the log or an error message, or NULL.
 */
const char *relpoline_unavailable(void)
{
	return rp_unavailable;
}
EXPORT_SYMBOL_NS_GPL(relpoline_unavailable, RELPOLINE_INTERNAL);

/**
 * relpoline_lock - take the relpoline mutex
 */
void relpoline_lock(void)
{
	mutex_lock(&relpoline_mutex);
}
EXPORT_SYMBOL_NS_GPL(relpoline_lock, RELPOLINE_INTERNAL);

/*
 * Free the stubs retired so far once no task can be in them: the
 * RCU-tasks grace periods are waited for without relpoline_mutex, so that
 * module loading and the tracefs files are not held up by them. A stub
 * retired meanwhile waits for the next reaper.
 */
static void rp_reap(void)
{
	struct relpoline_stub *s, *tmp;
	bool any = false;

	mutex_lock(&rp_reap_mutex);
	mutex_lock(&relpoline_mutex);
	list_for_each_entry(s, &rp_retired, free) {
		s->reaping = true;
		any = true;
	}
	mutex_unlock(&relpoline_mutex);
	if (any) {
		synchronize_rcu_tasks_rude();
		synchronize_rcu_tasks();
	}
	mutex_lock(&relpoline_mutex);
	list_for_each_entry_safe(s, tmp, &rp_retired, free) {
		if (!s->reaping)
			continue;
		list_del(&s->free);
		rp_stub_fold(s);
		rp_stub_destroy(s);
	}
	if (!rp_stats.stubbed)
		rp_stub_trim();
	mutex_unlock(&relpoline_mutex);
	mutex_unlock(&rp_reap_mutex);
}

/**
 * relpoline_unlock - release the relpoline mutex
 *
 * Then frees the stubs that relpoline_apply() retired, once no task can
 * be in them any more: the caller returns when they are gone, but
 * relpoline_mutex is free meanwhile. Sleeps.
 */
void relpoline_unlock(void)
{
	bool reap = !list_empty(&rp_retired);

	relpoline_syms_drop();
	mutex_unlock(&relpoline_mutex);
	if (reap)
		rp_reap();
}
EXPORT_SYMBOL_NS_GPL(relpoline_unlock, RELPOLINE_INTERNAL);

/**
 * relpoline_walk_sites - call @fn for every captured site
 * @fn:		callback; a non-zero return stops the walk
 * @data:	passed to @fn
 *
 * Sites of vmlinux come first, by address, then those of each module.
 * Must be called with relpoline_lock() held.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int relpoline_walk_sites(relpoline_site_fn_t fn, void *data)
{
	struct relpoline_site_iter it = {};
	struct relpoline_site *s;
	int ret;

	while ((s = relpoline_next_site(&it))) {
		ret = fn(s, data);
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(relpoline_walk_sites, RELPOLINE_INTERNAL);

/**
 * relpoline_next_site - the next site of a walk (struct relpoline_site_iter)
 * @it:		the walk's position, zeroed before the first call
 *
 * Sites of vmlinux come first, by address, then those of each module.
 * Must be called with relpoline_lock() held for the whole walk.
 *
 * Return: the next site, or NULL after the last one (and on every later
 * call).
 */
struct relpoline_site *relpoline_next_site(struct relpoline_site_iter *it)
{
	struct rp_group *g = it->group;

	lockdep_assert_held(&relpoline_mutex);
	if (!it->started) {
		it->started = true;
		it->i = 0;
		g = list_first_entry_or_null(&rp_groups, struct rp_group, list);
	}
	while (g) {
		if (it->i < g->nr) {
			it->group = g;
			return &g->sites[it->i++];
		}
		g = list_is_last(&g->list, &rp_groups) ? NULL : list_next_entry(g, list);
		it->i = 0;
	}
	it->group = NULL;
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(relpoline_next_site, RELPOLINE_INTERNAL);

/**
 * relpoline_walk_function - call @fn for every site in one function
 * @addr:	any address inside the function
 * @fn:		callback; a non-zero return stops the walk
 * @data:	passed to @fn
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the first non-zero value @fn returned, 0, or -ENOENT when @addr
 * is not inside a known function.
 */
int relpoline_walk_function(unsigned long addr, relpoline_site_fn_t fn, void *data)
{
	unsigned long size, off, start;
	struct rp_group *g;
	unsigned int i;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	if (!kallsyms_lookup_size_offset(addr, &size, &off))
		return -ENOENT;
	start = addr - off;
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			if (g->sites[i].addr - start >= size)
				continue;
			ret = fn(&g->sites[i], data);
			if (ret)
				return ret;
		}
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(relpoline_walk_function, RELPOLINE_INTERNAL);

static int rp_site_cmp_addr(const void *key, const void *elt)
{
	unsigned long addr = *(const unsigned long *)key;
	const struct relpoline_site *s = elt;

	if (addr == s->addr)
		return 0;
	return addr < s->addr ? -1 : 1;
}

/**
 * relpoline_find_site - the site at @addr
 * @addr:	address of the site's instruction
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the site, or NULL.
 */
struct relpoline_site *relpoline_find_site(unsigned long addr)
{
	struct rp_group *g;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		struct relpoline_site *s;

		s = bsearch(&addr, g->sites, g->nr, sizeof(g->sites[0]), rp_site_cmp_addr);
		if (s)
			return s;
	}
	return NULL;
}

/**
 * relpoline_find_site_id - the site with identifier @id
 * @id:		as shown in tracefs
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the site, or NULL.
 */
struct relpoline_site *relpoline_find_site_id(unsigned int id)
{
	struct rp_group *g;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		if (g->nr && id >= g->sites[0].id && id <= g->sites[g->nr - 1].id)
			return &g->sites[id - g->sites[0].id];
	}
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(relpoline_find_site_id, RELPOLINE_INTERNAL);

static int rp_cmp_site(const void *a, const void *b)
{
	const struct relpoline_site *x = a, *y = b;

	if (x->addr == y->addr)
		return 0;
	return x->addr < y->addr ? -1 : 1;
}

static struct rp_group *rp_group_build(struct module *mod, s32 *start, s32 *end)
{
	unsigned int nr = end - start, i, n = 0;
	struct rp_group *g;

	g = kvzalloc(struct_size(g, sites, nr), GFP_KERNEL);
	if (!g)
		return NULL;
	rp_stats.site_bytes += struct_size(g, sites, nr);
	g->nr = nr;
	g->mod = mod;
	for (i = 0; i < nr; i++) {
		unsigned long addr = (unsigned long)&start[i] + start[i];
		bool ok;

		if (mod)
			ok = within_module_mem_type(addr, mod, MOD_TEXT);
		else
			ok = core_kernel_text(addr) && !is_kernel_inittext(addr);
		/* Sites in init text go away; do not keep them. */
		if (!ok && (mod ? within_module_init(addr, mod) : is_kernel_inittext(addr)))
			continue;
		g->sites[n].mod = mod;
		rp_capture(&g->sites[n], mod, addr, ok);
		n++;
	}
	g->nr = n;
	sort(g->sites, n, sizeof(g->sites[0]), rp_cmp_site, NULL);
	for (i = 0; i < n; i++) {
		g->sites[i].id = rp_next_id + i;
		if (g->sites[i].refused)
			rp_stats.refused++;
	}
	rp_next_id += n;
	rp_stats.sites += n;
	return g;
}

/**
 * relpoline_module_sites - capture the sites of a module being loaded
 * @mod:	the module (not yet live)
 * @start:	its .retpoline_sites, after apply_retpolines()
 * @end:	end of that section
 */
void relpoline_module_sites(struct module *mod, s32 *start, s32 *end)
{
	struct rp_group *g;

	if (rp_unavailable)
		return;
	mutex_lock(&relpoline_mutex);
	g = rp_group_build(mod, start, end);
	if (g)
		list_add_tail_rcu(&g->list, &rp_groups);
	else
		pr_warn("no memory for the sites of %s; they stay unmanaged\n", mod->name);
	mutex_unlock(&relpoline_mutex);
}

static struct rp_group *rp_group_of(struct module *mod)
{
	struct rp_group *g;

	list_for_each_entry(g, &rp_groups, list)
		if (g->mod == mod)
			return g;
	return NULL;
}

static void rp_group_free(struct rp_group *g)
{
	unsigned int i;

	for (i = 0; i < g->nr; i++)
		if (g->sites[i].refused)
			rp_stats.refused--;
	rp_stats.sites -= g->nr;
	list_del_rcu(&g->list);
	/* relpoline_landing() walks the groups without the mutex. */
	synchronize_rcu();
	for (i = 0; i < g->nr; i++)
		kfree(g->sites[i].acc);
	rp_stats.site_bytes -= struct_size(g, sites, g->nr);
	kvfree(g);
}

/*
 * A module is going: drop every promotion to a target inside it, restore
 * its own sites, and forget them. Stubs are freed after the grace periods
 * inside relpoline_apply(), before the module's text is.
 */
static void rp_module_going(struct module *mod)
{
	struct relpoline_req *reqs;
	struct rp_group *g, *own = rp_group_of(mod);
	unsigned int n = 0, i, j, k;

	reqs = kvcalloc(max(rp_stats.stubbed, 1U), sizeof(*reqs), GFP_KERNEL);
	if (reqs) {
		list_for_each_entry(g, &rp_groups, list) {
			for (i = 0; i < g->nr && n < rp_stats.stubbed; i++) {
				struct relpoline_site *site = &g->sites[i];
				struct relpoline_stub *stub = site->stub;
				struct relpoline_req *r = &reqs[n];

				if (!stub)
					continue;
				if (g == own) {
					r->site = site;
					n++;
					continue;
				}
				for (j = 0, k = 0; j < stub->nr_targets; j++)
					if (!within_module(stub->targets[j], mod))
						r->targets[k++] = stub->targets[j];
				if (k == stub->nr_targets)
					continue;
				r->site = site;
				r->stub = true;
				r->nr_targets = k;
				r->count_hits = stub->count_hits;
				r->sample = stub->sample;
				n++;
			}
		}
		relpoline_apply(reqs, n);
		kvfree(reqs);
	} else {
		pr_warn("no memory to demote targets in %s\n", mod->name);
	}
	/* Its addresses may be reused: forget the hits counted for them. */
	list_for_each_entry(g, &rp_groups, list)
		for (i = 0; i < g->nr; i++)
			for (j = 0; j < RELPOLINE_MAX_TARGETS; j++)
				if (g->sites[i].acc &&
				    within_module(g->sites[i].acc->target[j], mod)) {
					g->sites[i].acc->target[j] = 0;
					g->sites[i].acc->thits[j] = 0;
				}
}

/*
 * After rp_module_going() and rp_reap(): free what is left of the group of
 * @mod, the stubs of sites that held foreign bytes included.
 */
static void rp_module_gone(struct module *mod)
{
	struct rp_group *own = rp_group_of(mod);
	unsigned int n, i;

	if (!own)
		return;
	/*
	 * A site that held foreign bytes (a kprobe) kept its stub. Its text
	 * is about to be freed, so nothing reaches the stub once every task
	 * has left it.
	 */
	for (i = 0, n = 0; i < own->nr; i++)
		n += !!own->sites[i].stub;
	if (n) {
		synchronize_rcu_tasks_rude();
		synchronize_rcu_tasks();
		for (i = 0; i < own->nr; i++) {
			struct relpoline_site *site = &own->sites[i];

			if (!site->stub)
				continue;
			rp_stub_destroy(site->stub);
			site->stub = NULL;
			rp_stats.stubbed--;
			if (site->busy)
				rp_stats.busy--;
		}
	}
	rp_group_free(own);
}

/**
 * relpoline_module_free - forget a module's sites (module_arch_cleanup())
 * @mod:	the module being freed
 *
 * Normally the sites are gone already (MODULE_STATE_GOING); this covers a
 * module whose load failed before it went live.
 */
void relpoline_module_free(struct module *mod)
{
	struct rp_group *g;

	mutex_lock(&relpoline_mutex);
	g = rp_group_of(mod);
	if (g)
		rp_group_free(g);
	mutex_unlock(&relpoline_mutex);
}

/*
 * A module is coming: its ORC tables can be looked up now (not when its
 * sites are captured in module_finalize(), before it is formed).
 */
static void rp_module_orc(struct module *mod)
{
	struct rp_group *g = rp_group_of(mod);
	unsigned int i;

	for (i = 0; g && i < g->nr; i++) {
		if (g->sites[i].refused)
			continue;
		rp_capture_orc(&g->sites[i]);
		rp_stats.refused += !!g->sites[i].refused;
	}
}

static int rp_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	if (state == MODULE_STATE_COMING) {
		mutex_lock(&relpoline_mutex);
		rp_module_orc(data);
		mutex_unlock(&relpoline_mutex);
		return NOTIFY_OK;
	}
	if (state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&relpoline_mutex);
	rp_module_going(data);
	mutex_unlock(&relpoline_mutex);
	/*
	 * The module's text goes when this returns: every stub that branched
	 * into it, or that its sites branched to, must be gone by then. Wait
	 * for the tasks in them without relpoline_mutex, which module loads,
	 * tracefs and the policy take: nothing gets a new branch into the
	 * module meanwhile, as it is not live (rp_req_check() refuses its
	 * functions as targets and stubs for its sites).
	 */
	rp_reap();
	mutex_lock(&relpoline_mutex);
	rp_module_gone(data);
	if (!rp_stats.stubbed)
		rp_stub_trim();
	mutex_unlock(&relpoline_mutex);
	return NOTIFY_OK;
}

static struct notifier_block rp_module_nb = {
	.notifier_call = rp_module_notify,
	/* After the policy layer's notifier, which demotes with events. */
	.priority = -1,
};

/* ---- landings ---- */

/* The site of @g whose bytes hold @addr, or NULL. */
static __always_inline struct relpoline_site *
rp_group_site_at(struct rp_group *g, unsigned long addr)
{
	unsigned int lo = 0, hi = g->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct relpoline_site *s = &g->sites[mid];

		if (addr < s->addr)
			hi = mid;
		else if (addr >= s->addr + s->len)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

/**
 * relpoline_landing - an INT3 at a site's landing?
 * @regs:	the trap's registers
 *
 * A task that entered an inlined CALL of a site before the site got a stub
 * returns to the site's landing (rp_capture_inline()), an INT3 while the
 * site has a stub. In the idle text the rest of the site is padding: go on
 * at the end of the site. Called by do_int3() before any other handler
 * that could run through a relpoline site; NMI context, with preemption
 * off, which keeps module site groups from being freed (rp_group_free()
 * waits for synchronize_rcu()). No indirect calls.
 *
 * Return: 1 when the task was moved, else 0.
 */
int relpoline_landing(struct pt_regs *regs)
{
	unsigned long addr = regs->ip - INT3_INSN_SIZE;
	struct relpoline_site *s = NULL;
	struct rp_group *g;

	if (user_mode(regs))
		return 0;
	list_for_each_entry_rcu(g, &rp_groups, list, true) {
		s = rp_group_site_at(g, addr);
		if (s)
			break;
	}
	if (!s || !s->landing || s->addr + s->landing != addr)
		return 0;
	int3_emulate_jmp(regs, s->addr + s->len);
	atomic_long_inc(&rp_landings);
	return 1;
}

NOKPROBE_SYMBOL(relpoline_landing);

/* ---- init ---- */

static int __init relpoline_init(void)
{
	struct rp_group *g;

	if (relpoline_boot == RP_BOOT_OFF)
		rp_unavailable = "disabled on the command line (relpoline=off)";
	else
		rp_unavailable = NULL;
	if (rp_unavailable) {
		pr_info("disabled: %s\n", rp_unavailable);
		return 0;
	}
	mutex_lock(&relpoline_mutex);
	g = rp_group_build(NULL, __retpoline_sites, __retpoline_sites_end);
	if (g)
		list_add_rcu(&g->list, &rp_groups);
	mutex_unlock(&relpoline_mutex);
	if (!g) {
		rp_unavailable = "no memory for the site table";
		pr_err("disabled: %s\n", rp_unavailable);
		return -ENOMEM;
	}
	register_module_notifier(&rp_module_nb);
	pr_info("%u vmlinux sites, %u refused\n", g->nr, rp_stats.refused);
	return 0;
}
early_initcall(relpoline_init);
