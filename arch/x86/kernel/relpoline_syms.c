// SPDX-License-Identifier: GPL-2.0
/*
 * Function names of module addresses, for batches with many of them.
 *
 * kallsyms_lookup() finds a core kernel address by binary search, but a
 * module address by scanning all of the module's symbols. relpoline looks
 * up every site it names (a stub's ksymbol) and every target it promotes
 * (relpoline_target_refusal(), twice: when the policy decides and when the
 * batch is checked), so a batch of N sites or targets in a module of S
 * symbols cost O(N x S). The bench's module of 30,000 sites, all calling
 * one function of it, made a promoting round quadratic: 0.86, 2.4 and
 * 4.6 ms per promoted site at 1,000, 10,000 and 30,000 sites.
 *
 * So after RP_SYMS_DIRECT lookups in one module, its symbols are copied
 * once, sorted by address, and the rest is found by binary search, with
 * find_kallsyms_symbol()'s choice: the closest preceding symbol that has a
 * name and is not a mapping symbol, the first of those at one address in
 * symbol-table order. RP_SYMS_SLOTS modules are kept at a time, so that
 * sites in one module and targets in another do not evict each other.
 *
 * Lifetime: a copy is only made of a live module, and a copy of a module
 * is dropped by the module notifier when it goes (or comes: a new module
 * can reuse a gone one's memory), under rp_syms_mutex. A module can only
 * be freed after its GOING notifier, so a module found live while
 * rp_syms_mutex is held stays valid until it is released. The copies are
 * memory, not state: relpoline_unlock() drops them all, so they live no
 * longer than one locked section of relpoline's (a batch, a policy round,
 * a write to control). A live module's symbols change only once: at the
 * end of its init, its init symbols go. A copy made before still holds
 * them; they name only init text, which relpoline never promotes into and
 * whose sites it has dropped.
 *
 * Locking: rp_syms_mutex protects rp_syms[]; it is taken inside
 * relpoline_mutex and takes module_mutex (module_kallsyms_on_each_symbol())
 * inside itself. Nothing takes it with module_mutex held: the module
 * notifier runs without module_mutex.
 */

#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/module_symbol.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "relpoline_internal.h"

#define RP_SYMS_DIRECT	4
#define RP_SYMS_SLOTS	2

struct rp_sym {
	unsigned long	addr;
	unsigned int	idx;		/* order in the module's symbol table */
	unsigned int	name;		/* offset in rp_modsyms.buf */
};

struct rp_modsyms {
	struct module	*mod;		/* whose symbols, or NULL */
	unsigned int	direct;		/* kallsyms_lookup()s since @mod came */
	unsigned long	last_use;	/* rp_syms_clock at the last lookup */
	struct rp_sym	*syms;
	unsigned int	nr, max;
	char		*buf;
	size_t		len, cap;
	bool		failed;		/* the copy could not be made */
};

static DEFINE_MUTEX(rp_syms_mutex);
static struct rp_modsyms rp_syms[RP_SYMS_SLOTS];	/* rp_syms_mutex */
static unsigned long rp_syms_clock;			/* rp_syms_mutex */

static void rp_modsyms_free(struct rp_modsyms *m)
{
	kvfree(m->syms);
	kvfree(m->buf);
	memset(m, 0, sizeof(*m));
}

static int rp_modsyms_add(void *data, const char *name, unsigned long addr)
{
	struct rp_modsyms *m = data;
	size_t n = strlen(name) + 1;

	if (!*name || is_mapping_symbol(name))
		return 0;
	if (m->nr == m->max) {
		unsigned int max = max(256U, m->max * 2);
		void *p = kvrealloc(m->syms, max * sizeof(*m->syms), GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		m->syms = p;
		m->max = max;
	}
	if (m->len + n > m->cap) {
		size_t cap = max_t(size_t, 4096, 2 * (m->len + n));
		void *p = kvrealloc(m->buf, cap, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		m->buf = p;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, name, n);
	m->syms[m->nr] = (struct rp_sym){ addr, m->nr, m->len };
	m->nr++;
	m->len += n;
	return 0;
}

static int rp_sym_cmp(const void *a, const void *b)
{
	const struct rp_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Copy @m->mod's symbols, sorted; false if that failed. */
static bool rp_modsyms_build(struct rp_modsyms *m)
{
	if (module_kallsyms_on_each_symbol(m->mod->name, rp_modsyms_add, m)) {
		struct module *mod = m->mod;

		rp_modsyms_free(m);
		m->mod = mod;
		m->failed = true;
		return false;
	}
	sort(m->syms, m->nr, sizeof(*m->syms), rp_sym_cmp, NULL);
	return true;
}

/* The slot of @mod: its own, else the least recently used one. */
static struct rp_modsyms *rp_modsyms_slot(struct module *mod)
{
	struct rp_modsyms *m, *lru = &rp_syms[0];

	for (m = rp_syms; m < rp_syms + RP_SYMS_SLOTS; m++) {
		if (m->mod == mod)
			return m;
		if (m->last_use < lru->last_use)
			lru = m;
	}
	rp_modsyms_free(lru);
	lru->mod = mod;
	return lru;
}

/* The symbol of the copy that kallsyms_lookup() would give for @addr. */
static const struct rp_sym *rp_modsyms_find(const struct rp_modsyms *m, unsigned long addr)
{
	unsigned int lo = 0, hi = m->nr;
	const struct rp_sym *s;

	/* the first symbol above @addr */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (m->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &m->syms[lo - 1];
	while (s > m->syms && s[-1].addr == s->addr)
		s--;
	return s;
}

/* Look @addr up in the copy of its live module @mod; false: do it directly. */
static bool rp_modsyms_lookup(struct module *mod, unsigned long addr, char *name,
			      unsigned long *off)
{
	struct rp_modsyms *m = rp_modsyms_slot(mod);
	const struct rp_sym *s;

	m->last_use = ++rp_syms_clock;
	if (m->failed || m->direct < RP_SYMS_DIRECT) {
		m->direct++;
		return false;
	}
	if (!m->syms && !rp_modsyms_build(m))
		return false;
	s = rp_modsyms_find(m, addr);
	if (!s)
		return false;
	strscpy(name, m->buf + s->name, KSYM_NAME_LEN);
	*off = addr - s->addr;
	return true;
}

/**
 * relpoline_sym_lookup - the symbol that holds a text address
 * @addr:	an address
 * @name:	KSYM_NAME_LEN bytes for the symbol's name
 * @off:	set to the offset of @addr in the symbol
 *
 * kallsyms_lookup()'s answer, found in a sorted copy of the module's
 * symbols when many addresses of one module are looked up (see the top of
 * this file). Sleeps.
 *
 * Return: 0, or -ENOENT when no symbol holds @addr.
 */
int relpoline_sym_lookup(unsigned long addr, char *name, unsigned long *off)
{
	unsigned long size;
	struct module *mod;
	char *modname;
	bool found;

	if (core_kernel_text(addr))
		goto direct;
	mutex_lock(&rp_syms_mutex);
	preempt_disable();
	mod = __module_address(addr);
	if (mod && READ_ONCE(mod->state) != MODULE_STATE_LIVE)
		mod = NULL;
	preempt_enable();
	found = mod && rp_modsyms_lookup(mod, addr, name, off);
	mutex_unlock(&rp_syms_mutex);
	if (found)
		return 0;
direct:
	return kallsyms_lookup(addr, &size, off, &modname, name) ? 0 : -ENOENT;
}

/**
 * relpoline_syms_drop - free the copies of module symbols
 *
 * Called by relpoline_unlock(): the copies serve one batch or round.
 */
void relpoline_syms_drop(void)
{
	struct rp_modsyms *m;

	mutex_lock(&rp_syms_mutex);
	for (m = rp_syms; m < rp_syms + RP_SYMS_SLOTS; m++)
		rp_modsyms_free(m);
	mutex_unlock(&rp_syms_mutex);
}

/* A module's symbols are copied only while it is live. */
static int rp_syms_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	struct rp_modsyms *m;

	if (state != MODULE_STATE_GOING && state != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	mutex_lock(&rp_syms_mutex);
	for (m = rp_syms; m < rp_syms + RP_SYMS_SLOTS; m++)
		if (m->mod == mod)
			rp_modsyms_free(m);
	mutex_unlock(&rp_syms_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block rp_syms_module_nb = {
	.notifier_call = rp_syms_module_notify,
};

static int __init rp_syms_init(void)
{
	return register_module_notifier(&rp_syms_module_nb);
}
core_initcall(rp_syms_init);
