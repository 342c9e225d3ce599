// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: run-time promotion of retpoline'd indirect branch sites.
 *
 * objtool lists every compiler-generated CALL/JMP/Jcc to an
 * __x86_indirect_thunk_<reg> in .retpoline_sites. With CONFIG_RELPOLINE
 * (and unless relpoline=off), boot patching keeps those sites as rel32
 * branches to the thunk (whose body alternatives made the right indirect
 * branch for the spectre_v2 mode) or to an ITS thunk; see
 * relpoline_keep_thunks(). This file captures the sites of vmlinux at boot
 * and of modules when they load, and rewrites any of them, in batches,
 * into a branch of the same length to a stub:
 *
 *	cmp $target1, %reg	; je target1	(or jne; incq %gs:hits1; jmp)
 *	...			; up to RELPOLINE_MAX_TARGETS
 *	incq %gs:misses
 *	[decl %gs:countdown; jnz 1f; call relpoline_sample_thunk; 1:]
 *	jmp <the thunk the site branched to at boot>
 *
 * A stub jumps to a target only when the register equals it, so it is
 * always semantically the original branch. Stubs never touch the stack
 * (but for the sampling call into an objtool-annotated function), so every
 * instruction in them has the ORC state of a function entry; unwind_orc.c
 * and __kernel_text_address() ask is_relpoline_stub().
 *
 * Stubs are never modified while reachable: a change writes a new stub
 * into a free slot, repoints the site with text_poke_sites(), and frees
 * the old stub only after synchronize_rcu_tasks_rude() and
 * synchronize_rcu_tasks(), as ftrace does for its trampolines.
 *
 * Locking: relpoline_mutex (relpoline_lock()) serialises everything here
 * that changes state: the site groups, site->stub, the stub pool, the
 * counter map. It nests outside text_mutex (taken by text_poke_*).
 * Lockless readers: is_relpoline_stub() and the sampling path read the
 * chunk table and a slot's owner, which are published before any site
 * branches to them and cleared only after the RCU-tasks grace periods.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/bitmap.h>
#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/execmem.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/insn.h>
#include <asm/nospec-branch.h>
#include <asm/relpoline.h>
#include <asm/relpoline_encode.h>
#include <asm/sections.h>
#include <asm/set_memory.h>
#include <asm/text-patching.h>

#define CREATE_TRACE_POINTS
#include <trace/events/relpoline.h>

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
 * relpoline_keep_thunks - should boot patching keep thunk calls?
 *
 * Relpoline can only rewrite sites that are a single rel32 branch, so
 * unless it is disabled on the command line, patch_retpoline() keeps the
 * thunk call instead of inlining [LFENCE;] CALL *%reg.
 *
 * Return: true while relpoline may be used.
 */
bool relpoline_keep_thunks(void)
{
	return relpoline_boot != RP_BOOT_OFF;
}

/**
 * relpoline_boot_enable - was relpoline=on given?
 *
 * Return: true when the policy layer should enable itself at boot.
 */
bool relpoline_boot_enable(void)
{
	return relpoline_boot == RP_BOOT_ON;
}

/* Why relpoline cannot be used on this boot, or NULL. Set once at init. */
static const char *rp_unavailable __ro_after_init = "not initialised";

/* Serialises all state changes; see the comment at the top. */
static DEFINE_MUTEX(relpoline_mutex);

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

/* relpoline_mutex */
static LIST_HEAD(rp_groups);
static unsigned int rp_next_id;
static struct relpoline_stats rp_stats;

/*
 * Per-CPU counters, addressed by the stubs as %gs:disp32: x86-64 per-CPU
 * data is zero-based, so a static per-CPU variable's address is its small
 * offset from the %gs base. A stub gets 1 + nr_targets consecutive
 * counters (misses, then a hit counter per target) from rp_counter_map.
 */
#define RP_NR_COUNTERS	CONFIG_RELPOLINE_NR_COUNTERS
static DEFINE_PER_CPU_ALIGNED(u64, rp_counters[RP_NR_COUNTERS]);
static DECLARE_BITMAP(rp_counter_map, RP_NR_COUNTERS);	/* relpoline_mutex */

/* Slow-path sampling: one countdown per CPU, reloaded from the period. */
static DEFINE_PER_CPU(u32, rp_countdown);
static unsigned int rp_sample_period = 16;

static s32 rp_pcpu_disp(void __percpu *p)
{
	return (s32)(unsigned long)(void __force *)p;
}

static bool rp_pcpu_addressable(void __percpu *p)
{
	unsigned long v = (unsigned long)(void __force *)p;

	return (long)(s32)v == (long)v;
}

/*
 * Stub memory: chunks of executable memory from execmem (the module
 * area, within rel32 reach of kernel and module text), cut into fixed
 * slots. A chunk is read-only+exec from the start; slots are written with
 * text_poke_copy() while no site branches to them, and wiped with INT3
 * when freed.
 */
#define RP_CHUNK_SIZE		(64 * 1024)
#define RP_SLOT_SIZE		128
#define RP_SLOTS		(RP_CHUNK_SIZE / RP_SLOT_SIZE)
#define RP_MAX_CHUNKS		256

struct relpoline_stub {
	void			*text;
	struct relpoline_site	*site;
	unsigned int		len;
	u8			nr_targets;
	unsigned long		targets[RELPOLINE_MAX_TARGETS];
	int			ctr;
	u8			nr_ctr;
	bool			count_hits;
	bool			sample;
	struct list_head	free;
};

struct rp_chunk {
	void			*base;
	unsigned int		used;
	DECLARE_BITMAP(map, RP_SLOTS);
	struct relpoline_stub	*owner[RP_SLOTS];
};

/* Written under relpoline_mutex; read locklessly (see the top comment). */
static unsigned long rp_chunk_base[RP_MAX_CHUNKS];
static struct rp_chunk *rp_chunks[RP_MAX_CHUNKS];

/**
 * is_relpoline_stub - is @addr inside relpoline stub memory?
 * @addr:	a text address
 *
 * Safe in any context, NMI included.
 *
 * Return: true for an address in a stub chunk.
 */
bool is_relpoline_stub(unsigned long addr)
{
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		unsigned long base = READ_ONCE(rp_chunk_base[i]);

		if (base && addr - base < RP_CHUNK_SIZE)
			return true;
	}
	return false;
}

static struct relpoline_stub *rp_stub_at(unsigned long addr)
{
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		/* Pairs with smp_store_release() in rp_chunk_add(). */
		unsigned long base = smp_load_acquire(&rp_chunk_base[i]);
		struct rp_chunk *c;

		if (!base || addr - base >= RP_CHUNK_SIZE)
			continue;
		c = READ_ONCE(rp_chunks[i]);
		return c ? READ_ONCE(c->owner[(addr - base) / RP_SLOT_SIZE]) : NULL;
	}
	return NULL;
}

/**
 * relpoline_fixup_copied_insn - unlink a copied site instruction from its stub
 * @insn:	@copy decoded (decoded again here when @copy changes)
 * @copy:	a copy of the instruction at @addr (kprobes' __copy_instruction())
 * @addr:	where the instruction is in kernel text
 *
 * A kprobe copies the instruction it probes when it is registered and
 * emulates or executes that copy on every hit, for as long as it exists.
 * A copy of a site's "call <stub>" would outlive the stub: relpoline may
 * repoint the site and free the stub while the kprobe is disarmed (its
 * INT3 not in the text yet), and the kprobe would then call freed stub
 * memory. The copy is made to branch to the site's slow path (the thunk it
 * had at boot) instead: the same call, without the promoted fast path.
 *
 * Must be called with text_mutex held: a site that branches to a stub under
 * text_mutex keeps it (and the stub its owner) until text_mutex is taken
 * again to repoint the site.
 *
 * Return: 0 (@copy needs no change or was changed), or -EINVAL when the
 * stub cannot be resolved and the instruction must not be copied.
 */
int relpoline_fixup_copied_insn(struct insn *insn, u8 *copy, unsigned long addr)
{
	struct relpoline_stub *stub;
	unsigned long dest;
	u8 op = insn->opcode.bytes[0];
	s64 rel;

	lockdep_assert_held(&text_mutex);
	if (insn->immediate.nbytes != 4 ||
	    !(op == CALL_INSN_OPCODE || op == JMP32_INSN_OPCODE ||
	      (op == 0x0f && (insn->opcode.bytes[1] & 0xf0) == 0x80)))
		return 0;
	dest = addr + insn->length + insn->immediate.value;
	if (!is_relpoline_stub(dest))
		return 0;
	stub = rp_stub_at(dest);
	if (!stub || (unsigned long)stub->text != dest || !stub->site->slow)
		return -EINVAL;
	rel = (s64)stub->site->slow - (s64)(addr + insn->length);
	if ((s32)rel != rel)
		return -EINVAL;
	*(s32 *)(copy + insn_offset_immediate(insn)) = rel;
	return insn_decode_kernel(insn, copy) < 0 ? -EINVAL : 0;
}

static int rp_chunk_add(void)
{
	struct rp_chunk *c;
	void *base;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS && rp_chunks[i]; i++)
		;
	if (i == RP_MAX_CHUNKS)
		return -ENOSPC;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	base = execmem_alloc(EXECMEM_MODULE_TEXT, RP_CHUNK_SIZE);
	if (!base) {
		kfree(c);
		return -ENOMEM;
	}
	memset(base, INT3_INSN_OPCODE, RP_CHUNK_SIZE);
	set_memory_rox((unsigned long)base, RP_CHUNK_SIZE >> PAGE_SHIFT);
	c->base = base;
	WRITE_ONCE(rp_chunks[i], c);
	/* Pairs with smp_load_acquire() in rp_stub_at(): chunk before base. */
	smp_store_release(&rp_chunk_base[i], (unsigned long)base);
	rp_stats.stub_pool_bytes += RP_CHUNK_SIZE;
	return i;
}

static void *rp_slot_alloc(struct relpoline_stub *stub)
{
	struct rp_chunk *c;
	unsigned int slot;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		c = rp_chunks[i];
		if (c && c->used < RP_SLOTS)
			break;
	}
	if (i == RP_MAX_CHUNKS) {
		i = rp_chunk_add();
		if (i < 0)
			return NULL;
		c = rp_chunks[i];
	}
	slot = find_first_zero_bit(c->map, RP_SLOTS);
	__set_bit(slot, c->map);
	c->used++;
	WRITE_ONCE(c->owner[slot], stub);
	return c->base + slot * RP_SLOT_SIZE;
}

/* The slot must be unreachable: never published, or after the grace periods. */
static void rp_slot_free(void *text)
{
	unsigned int slot;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		struct rp_chunk *c = rp_chunks[i];

		if (!c || (unsigned long)text - (unsigned long)c->base >= RP_CHUNK_SIZE)
			continue;
		slot = (text - c->base) / RP_SLOT_SIZE;
		text_poke_set(text, INT3_INSN_OPCODE, RP_SLOT_SIZE);
		WRITE_ONCE(c->owner[slot], NULL);
		__clear_bit(slot, c->map);
		c->used--;
		return;
	}
}

/* Give back chunks with no stub in them (relpoline_mutex, nothing stubbed). */
static void rp_trim_chunks(void)
{
	DECLARE_BITMAP(gone, RP_MAX_CHUNKS);
	int i;

	bitmap_zero(gone, RP_MAX_CHUNKS);
	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		if (!rp_chunks[i] || rp_chunks[i]->used)
			continue;
		WRITE_ONCE(rp_chunk_base[i], 0);
		__set_bit(i, gone);
	}
	if (bitmap_empty(gone, RP_MAX_CHUNKS))
		return;
	/* is_relpoline_stub() and the sampler run with preemption disabled. */
	synchronize_rcu();
	for_each_set_bit(i, gone, RP_MAX_CHUNKS) {
		struct rp_chunk *c = rp_chunks[i];

		WRITE_ONCE(rp_chunks[i], NULL);
		execmem_free(c->base);
		kfree(c);
		rp_stats.stub_pool_bytes -= RP_CHUNK_SIZE;
	}
}

static int rp_counters_alloc(unsigned int nr)
{
	unsigned long idx;
	int cpu, i;

	idx = bitmap_find_next_zero_area(rp_counter_map, RP_NR_COUNTERS, 0, nr, 0);
	if (idx >= RP_NR_COUNTERS)
		return -ENOSPC;
	bitmap_set(rp_counter_map, idx, nr);
	for_each_possible_cpu(cpu)
		for (i = 0; i < nr; i++)
			per_cpu(rp_counters[idx + i], cpu) = 0;
	rp_stats.counters_used += nr;
	return idx;
}

static u64 rp_counter_sum(int idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(rp_counters[idx], cpu));
	return sum;
}

static void rp_counters_free(int idx, unsigned int nr)
{
	bitmap_clear(rp_counter_map, idx, nr);
	rp_stats.counters_used -= nr;
}

static void rp_stub_destroy(struct relpoline_stub *stub)
{
	if (stub->ctr >= 0)
		rp_counters_free(stub->ctr, stub->nr_ctr);
	rp_slot_free(stub->text);
	rp_stats.stub_bytes -= RP_SLOT_SIZE;
	kfree(stub);
}

/* Fold a retired stub's counters into its site (after the grace periods). */
/* The slot of @site's folded per-target hits that holds @target, or -1. */
static int rp_acc_slot(struct relpoline_site *site, unsigned long target)
{
	int i;

	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		if (site->acc_target[i] == target)
			return i;
	return -1;
}

/* Add the per-target hits @n of @target to @site's folded counts. */
static void rp_acc_add(struct relpoline_site *site, unsigned long target, u64 n)
{
	int i = rp_acc_slot(site, target), j;

	if (i < 0) {
		/* A free slot, else the one with the fewest hits. */
		for (i = 0, j = 0; j < RELPOLINE_MAX_TARGETS; j++) {
			if (!site->acc_target[j]) {
				i = j;
				break;
			}
			if (site->acc_thits[j] < site->acc_thits[i])
				i = j;
		}
		site->acc_target[i] = target;
		site->acc_thits[i] = 0;
	}
	site->acc_thits[i] += n;
}

static void rp_stub_fold(struct relpoline_stub *stub)
{
	struct relpoline_site *site = stub->site;
	u64 n;
	int i;

	if (stub->ctr < 0)
		return;
	site->acc_misses += rp_counter_sum(stub->ctr);
	if (!stub->count_hits)
		return;
	for (i = 0; i < stub->nr_targets; i++) {
		n = rp_counter_sum(stub->ctr + 1 + i);
		site->acc_hits += n;
		if (n)
			rp_acc_add(site, stub->targets[i], n);
	}
}

extern void relpoline_sample_thunk(void);

/* Build (but do not publish) a stub for @req. */
static int rp_stub_create(struct relpoline_req *req, struct relpoline_stub **out)
{
	struct relpoline_site *site = req->site;
	struct rp_stub_desc d = {};
	struct relpoline_stub *stub;
	u8 buf[RP_SLOT_SIZE];
	int len, ctr, i;

	stub = kzalloc(sizeof(*stub), GFP_KERNEL);
	if (!stub)
		return -ENOMEM;
	stub->site = site;
	stub->nr_targets = req->nr_targets;
	memcpy(stub->targets, req->targets, sizeof(stub->targets));
	stub->count_hits = req->count_hits && req->nr_targets;
	stub->sample = req->sample;
	stub->nr_ctr = 1 + (stub->count_hits ? req->nr_targets : 0);
	ctr = rp_counters_alloc(stub->nr_ctr);
	if (ctr < 0) {
		kfree(stub);
		return ctr;
	}
	stub->ctr = ctr;
	stub->text = rp_slot_alloc(stub);
	if (!stub->text) {
		rp_counters_free(ctr, stub->nr_ctr);
		kfree(stub);
		return -ENOSPC;
	}
	rp_stats.stub_bytes += RP_SLOT_SIZE;

	d.stub_addr = (unsigned long)stub->text;
	d.reg = site->reg;
	d.nr_targets = req->nr_targets;
	for (i = 0; i < req->nr_targets; i++) {
		d.targets[i] = req->targets[i];
		d.hit_ctr[i] = rp_pcpu_disp(&rp_counters[ctr + 1 + i]);
	}
	d.count_hits = stub->count_hits;
	d.count_misses = true;
	d.miss_ctr = rp_pcpu_disp(&rp_counters[ctr]);
	d.sample = req->sample;
	d.sample_ctr = rp_pcpu_disp(&rp_countdown);
	d.sample_fn = (unsigned long)relpoline_sample_thunk;
	d.slow_kind = RP_SLOW_REL32;
	d.slow_target = site->slow;
	len = rp_encode_stub(&d, buf, sizeof(buf));
	if (len < 0) {
		rp_stub_destroy(stub);
		return len;
	}
	stub->len = len;
	text_poke_copy(stub->text, buf, len);
	*out = stub;
	return 0;
}

/* The bytes a site holds with @stub (NULL: its boot bytes). */
static int rp_site_bytes(struct relpoline_site *site, struct relpoline_stub *stub, u8 *buf)
{
	unsigned long at = site->addr;
	int ret;

	memcpy(buf, site->boot, site->len);
	if (!stub)
		return 0;
	if (site->form != RELPOLINE_FORM_JCC && site->len == 6) {
		/* Keep the CS prefix; the branch itself starts one byte in. */
		ret = rp_encode_site(site->form, site->cc, at + 1,
				     (unsigned long)stub->text, buf + 1);
	} else {
		ret = rp_encode_site(site->form, site->cc, at,
				     (unsigned long)stub->text, buf);
	}
	return ret < 0 ? ret : 0;
}

static bool rp_module_live(struct module *mod)
{
	return !mod || READ_ONCE(mod->state) == MODULE_STATE_LIVE;
}

/* A target must be the entry of a function in live kernel or module text. */
static bool rp_valid_target(unsigned long t)
{
	unsigned long size, off;
	struct module *mod;
	bool ok;

	if (!kallsyms_lookup_size_offset(t, &size, &off) || off)
		return false;
	if (core_kernel_text(t))
		return !is_kernel_inittext(t);
	preempt_disable();
	mod = __module_text_address(t);
	ok = mod && mod->state == MODULE_STATE_LIVE &&
	     within_module_mem_type(t, mod, MOD_TEXT);
	preempt_enable();
	return ok;
}

/**
 * relpoline_valid_target - may @t be promoted?
 * @t:		an address
 *
 * Return: true when @t is the entry of a function in core kernel text or
 * in the text of a live module.
 */
bool relpoline_valid_target(unsigned long t)
{
	return rp_valid_target(t);
}
EXPORT_SYMBOL_GPL(relpoline_valid_target);

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

/**
 * relpoline_apply - change the stubs of a batch of sites
 * @reqs:	the changes; each site at most once
 * @nr:		number of changes
 *
 * Builds the new stubs, repoints every site in one text_poke_sites()
 * batch, then frees the stubs that were replaced once no task can be in
 * them. A change that cannot be made leaves its site exactly as it was
 * and says why in its @result; the others are made. Must be called with
 * relpoline_lock() held.
 *
 * Return: the number of changes that failed, or -ENOMEM when nothing was
 * attempted.
 */
int relpoline_apply(struct relpoline_req *reqs, unsigned int nr)
{
	struct relpoline_stub **fresh;
	struct text_poke_site *tps;
	struct text_poke_site_stats st;
	unsigned int *idx, n = 0, i, failed = 0;
	LIST_HEAD(retired);

	lockdep_assert_held(&relpoline_mutex);
	if (!nr)
		return 0;
	fresh = kvcalloc(nr, sizeof(*fresh), GFP_KERNEL);
	tps = kvcalloc(nr, sizeof(*tps), GFP_KERNEL);
	idx = kvcalloc(nr, sizeof(*idx), GFP_KERNEL);
	if (!fresh || !tps || !idx) {
		kvfree(fresh);
		kvfree(tps);
		kvfree(idx);
		return -ENOMEM;
	}

	/* 1. Build the new stubs; nothing branches to them yet. */
	for (i = 0; i < nr; i++) {
		struct relpoline_req *r = &reqs[i];
		struct relpoline_site *site = r->site;
		int j;

		r->result = 0;
		if (rp_unavailable || site->refused ||
		    (r->stub && !rp_module_live(site->mod)) ||
		    r->nr_targets > RELPOLINE_MAX_TARGETS) {
			r->result = -EINVAL;
			continue;
		}
		for (j = 0; r->stub && j < r->nr_targets; j++)
			if (!rp_valid_target(r->targets[j]))
				r->result = -EINVAL;
		if (!r->result && r->stub)
			r->result = rp_stub_create(r, &fresh[i]);
		if (r->result)
			continue;
		tps[n].addr = (void *)site->addr;
		tps[n].len = site->len;
		if (rp_site_bytes(site, site->stub, tps[n].old) ||
		    rp_site_bytes(site, fresh[i], tps[n].new)) {
			r->result = -ERANGE;
			continue;
		}
		idx[n++] = i;
	}

	/* 2. Repoint the sites: one batch, O(1) IPI rounds per TP_VEC_MAX. */
	if (text_poke_sites(tps, n, &st) < 0) {
		for (i = 0; i < n; i++)
			tps[i].result = -ENOMEM;
		st.patched = 0;
		st.ipi_rounds = 0;
	}
	if (st.patched) {
		rp_stats.batches++;
		rp_stats.patched += st.patched;
		rp_stats.ipi_rounds += st.ipi_rounds;
	}

	/* 3. Commit, and retire what the sites no longer reach. */
	for (i = 0; i < n; i++) {
		struct relpoline_req *r = &reqs[idx[i]];
		struct relpoline_site *site = r->site;

		if (tps[i].result) {
			r->result = tps[i].result;
			if (r->result == -EBUSY && !site->busy) {
				site->busy = true;
				rp_stats.busy++;
			}
			continue;
		}
		if (site->busy) {
			site->busy = false;
			rp_stats.busy--;
		}
		if (site->stub)
			list_add_tail(&site->stub->free, &retired);
		rp_stats.stubbed += !!fresh[idx[i]];
		rp_stats.stubbed -= !!site->stub;
		site->stub = fresh[idx[i]];
		fresh[idx[i]] = NULL;
	}
	for (i = 0; i < nr; i++) {
		if (fresh[i])		/* never published */
			rp_stub_destroy(fresh[i]);
		if (reqs[i].result)
			failed++;
	}

	/* 4. Free retired stubs once every task has left them. */
	if (!list_empty(&retired)) {
		struct relpoline_stub *s, *tmp;

		synchronize_rcu_tasks_rude();
		synchronize_rcu_tasks();
		list_for_each_entry_safe(s, tmp, &retired, free) {
			rp_stub_fold(s);
			rp_stub_destroy(s);
		}
	}
	if (!rp_stats.stubbed)
		rp_trim_chunks();

	kvfree(fresh);
	kvfree(tps);
	kvfree(idx);
	return failed;
}
EXPORT_SYMBOL_GPL(relpoline_apply);

/**
 * relpoline_restore_all - give every stubbed site back its boot bytes
 * @busy:	optional; number of sites that could not be restored
 *
 * Must be called with relpoline_lock() held.
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
	list_for_each_entry(g, &rp_groups, list)
		for (i = 0; i < g->nr && n < rp_stats.stubbed; i++)
			if (g->sites[i].stub)
				reqs[n++].site = &g->sites[i];
	ret = relpoline_apply(reqs, n);
	kvfree(reqs);
	if (busy)
		*busy = ret > 0 ? ret : 0;
	return ret > 0 ? -EBUSY : ret;
}
EXPORT_SYMBOL_GPL(relpoline_restore_all);

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
		int a = rp_acc_slot(site, stub->targets[i]);

		targets[i] = stub->targets[i];
		if (!hits)
			continue;
		hits[i] = a < 0 ? 0 : site->acc_thits[a];
		if (stub->count_hits)
			hits[i] += rp_counter_sum(stub->ctr + 1 + i);
	}
	return stub->nr_targets;
}
EXPORT_SYMBOL_GPL(relpoline_site_targets);

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
	*hits = site->acc_hits;
	*misses = site->acc_misses;
	if (!stub)
		return;
	*misses += rp_counter_sum(stub->ctr);
	if (stub->count_hits)
		for (i = 0; i < stub->nr_targets; i++)
			*hits += rp_counter_sum(stub->ctr + 1 + i);
}
EXPORT_SYMBOL_GPL(relpoline_site_counts);

/**
 * relpoline_reset_counts - zero the hit and miss counts of every site
 *
 * Increments racing with the reset on other CPUs may survive it. Must be
 * called with relpoline_lock() held.
 */
void relpoline_reset_counts(void)
{
	struct rp_group *g;
	unsigned int i, j;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			struct relpoline_site *site = &g->sites[i];
			struct relpoline_stub *stub = site->stub;

			site->acc_hits = 0;
			site->acc_misses = 0;
			memset(site->acc_target, 0, sizeof(site->acc_target));
			memset(site->acc_thits, 0, sizeof(site->acc_thits));
			if (!stub)
				continue;
			for_each_possible_cpu(cpu)
				for (j = 0; j < stub->nr_ctr; j++)
					WRITE_ONCE(per_cpu(rp_counters[stub->ctr + j], cpu), 0);
		}
	}
}
EXPORT_SYMBOL_GPL(relpoline_reset_counts);

/**
 * relpoline_get_stats - copy the running totals
 * @stats:	out
 */
void relpoline_get_stats(struct relpoline_stats *stats)
{
	mutex_lock(&relpoline_mutex);
	*stats = rp_stats;
	mutex_unlock(&relpoline_mutex);
}
EXPORT_SYMBOL_GPL(relpoline_get_stats);

/**
 * relpoline_get_stats_locked - copy the running totals, relpoline_lock() held
 * @stats:	out
 */
void relpoline_get_stats_locked(struct relpoline_stats *stats)
{
	lockdep_assert_held(&relpoline_mutex);
	*stats = rp_stats;
}
EXPORT_SYMBOL_GPL(relpoline_get_stats_locked);

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
EXPORT_SYMBOL_GPL(relpoline_req_noop);

/**
 * relpoline_site_recheck_busy - is @site still modified by someone else?
 * @site:	a site that relpoline_apply() found busy, or any site
 *
 * A site is marked busy when relpoline_apply() found foreign bytes in it
 * (a kprobe's INT3 or optimized jump) and it stays marked until a later
 * batch patches it. When the other user has gone since, the text holds
 * relpoline's bytes again: the mark is dropped here and the site can be
 * patched at once. Must be called with relpoline_lock() held.
 *
 * Return: true if the site still holds foreign bytes.
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
	busy = memcmp((void *)site->addr, want, site->len);
	mutex_unlock(&text_mutex);
	if (!busy) {
		site->busy = false;
		rp_stats.busy--;
	}
	return busy;
}
EXPORT_SYMBOL_GPL(relpoline_site_recheck_busy);

/**
 * relpoline_set_sample_period - sample one of every @period slow-path calls
 * @period:	1 or more
 */
void relpoline_set_sample_period(unsigned int period)
{
	int cpu;

	WRITE_ONCE(rp_sample_period, max(period, 1U));
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(rp_countdown, cpu), max(period, 1U));
}
EXPORT_SYMBOL_GPL(relpoline_set_sample_period);

/**
 * relpoline_unavailable - why relpoline cannot be used, if it cannot
 *
 * Return: a reason for the log or an error message, or NULL.
 */
const char *relpoline_unavailable(void)
{
	return rp_unavailable;
}
EXPORT_SYMBOL_GPL(relpoline_unavailable);

/**
 * relpoline_lock - take the relpoline mutex
 */
void relpoline_lock(void)
{
	mutex_lock(&relpoline_mutex);
}
EXPORT_SYMBOL_GPL(relpoline_lock);

/**
 * relpoline_unlock - release the relpoline mutex
 */
void relpoline_unlock(void)
{
	mutex_unlock(&relpoline_mutex);
}
EXPORT_SYMBOL_GPL(relpoline_unlock);

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
	struct rp_group *g;
	unsigned int i;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			ret = fn(&g->sites[i], data);
			if (ret)
				return ret;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(relpoline_walk_sites);

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
EXPORT_SYMBOL_GPL(relpoline_walk_function);

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
EXPORT_SYMBOL_GPL(relpoline_find_site);

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
EXPORT_SYMBOL_GPL(relpoline_find_site_id);

/* ---- site capture ---- */

static bool rp_in(unsigned long a, const void *start, const void *end)
{
	return a >= (unsigned long)start && a < (unsigned long)end;
}

/* Register of a thunk at @dest, or -1. */
static int rp_thunk_reg(unsigned long dest)
{
	unsigned long off = dest - (unsigned long)__x86_indirect_thunk_array;
	const u8 *p = (const u8 *)dest;
	int rex = 0;

	if (off < 16 * sizeof(retpoline_thunk_t) && !(off % sizeof(retpoline_thunk_t)))
		return off / sizeof(retpoline_thunk_t);
#ifdef CONFIG_MITIGATION_ITS
	off = dest - (unsigned long)__x86_indirect_its_thunk_array;
	if (off < 16 * sizeof(its_thunk_t) && !(off % sizeof(its_thunk_t)))
		return off / sizeof(its_thunk_t);
	/* A dynamic ITS thunk (its_allocate_thunk()): "[REX.B] JMP *%reg; INT3". */
	if (cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS) && !core_kernel_text(dest)) {
		if (p[0] == 0x41)
			rex = 1;
		if (p[rex] == 0xff && (p[rex + 1] & 0xf8) == 0xe0 && p[rex + 2] == 0xcc)
			return (p[rex + 1] & 7) + (rex ? 8 : 0);
	}
#endif
	return -1;
}

/* Decode a site as boot patching left it. @text_ok: the site is in text we may patch. */
static void rp_capture(struct relpoline_site *s, unsigned long addr, bool text_ok)
{
	const u8 *p = (const u8 *)addr;
	struct insn insn;
	unsigned long dest;
	int reg;

	s->addr = addr;
	if (!text_ok) {
		s->refused = "not in patchable text";
		return;
	}
	/* .noinstr.text includes .cpuidle.text. */
	if (rp_in(addr, __noinstr_text_start, __noinstr_text_end) ||
	    rp_in(addr, __entry_text_start, __entry_text_end)) {
		s->refused = "noinstr/entry text";
		return;
	}
	if (insn_decode_kernel(&insn, p) < 0) {
		s->refused = "undecodable";
		return;
	}
	s->len = insn.length;
	switch (insn.opcode.bytes[0]) {
	case CALL_INSN_OPCODE:
		s->form = RELPOLINE_FORM_CALL;
		break;
	case JMP32_INSN_OPCODE:
		s->form = RELPOLINE_FORM_JMP;
		break;
	case 0x0f:
		if ((insn.opcode.bytes[1] & 0xf0) == 0x80) {
			s->form = RELPOLINE_FORM_JCC;
			s->cc = insn.opcode.bytes[1] & 0xf;
			break;
		}
		fallthrough;
	default:
		s->refused = "not a rel32 branch";
		return;
	}
	if (!(s->len == 5 && s->form != RELPOLINE_FORM_JCC) &&
	    !(s->len == 6 && s->form == RELPOLINE_FORM_JCC) &&
	    !(s->len == 6 && p[0] == 0x2e)) {
		s->refused = "unexpected instruction layout";
		return;
	}
	dest = addr + insn.length + insn.immediate.value;
	reg = rp_thunk_reg(dest);
	if (reg < 0 || reg == 4) {
		s->refused = "branch target is not a retpoline or ITS thunk";
		return;
	}
	s->reg = reg;
	s->slow = dest;
	memcpy(s->boot, p, s->len);
}

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
		rp_capture(&g->sites[n], addr, ok);
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
		list_add_tail(&g->list, &rp_groups);
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
	list_del(&g->list);
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
				if (within_module(g->sites[i].acc_target[j], mod)) {
					g->sites[i].acc_target[j] = 0;
					g->sites[i].acc_thits[j] = 0;
				}
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

static int rp_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	if (state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&relpoline_mutex);
	rp_module_going(data);
	mutex_unlock(&relpoline_mutex);
	return NOTIFY_OK;
}

static struct notifier_block rp_module_nb = {
	.notifier_call = rp_module_notify,
	/* After the policy layer's notifier, which demotes with events. */
	.priority = -1,
};

/* ---- sampling ---- */

/*
 * Learned samples: a small open-addressed table per CPU, in two halves.
 * Writers (any context, NMI included) add to the active half with
 * preemption disabled and a per-CPU nesting guard: a sample that would
 * nest (an NMI during a sample) or find no free entry is dropped and
 * counted. The drainer flips every CPU's active half, waits for the
 * writers of the old half with synchronize_rcu(), then owns it.
 */
#define RP_LEARN_SIZE	256
#define RP_LEARN_PROBE	8

struct rp_learn {
	struct relpoline_sample	ent[2][RP_LEARN_SIZE];
	unsigned int		active;
	unsigned int		nesting;
	unsigned long		dropped;
};

static DEFINE_PER_CPU(struct rp_learn, rp_learn);

static u64 rp_current_cgroup_id(void)
{
	u64 id = 0;

#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
#endif
	return id;
}

/**
 * relpoline_record_sample - record that @site was called with @target
 * @site:	the site
 * @target:	the value of its target register
 *
 * Any context, NMI included; never sleeps, locks or calls indirectly.
 */
notrace void relpoline_record_sample(struct relpoline_site *site, unsigned long target)
{
	struct relpoline_sample *half, *e;
	struct rp_learn *l;
	unsigned int h, i;
	u64 cg;

	preempt_disable_notrace();
	l = this_cpu_ptr(&rp_learn);
	if (l->nesting++) {
		l->dropped++;
		goto out;
	}
	barrier();
	cg = rp_current_cgroup_id();
	half = l->ent[READ_ONCE(l->active)];
	h = hash_64((u64)target ^ ((u64)site->id << 32) ^ cg, ilog2(RP_LEARN_SIZE));
	for (i = 0; i < RP_LEARN_PROBE; i++) {
		e = &half[(h + i) % RP_LEARN_SIZE];
		if (!e->count) {
			e->site_id = site->id;
			e->target = target;
			e->cgroup_id = cg;
			e->count = 1;
			break;
		}
		if (e->site_id == site->id && e->target == target && e->cgroup_id == cg) {
			e->count++;
			break;
		}
	}
	if (i == RP_LEARN_PROBE)
		l->dropped++;
	trace_relpoline_miss(site->addr, target, cg);
	barrier();
out:
	l->nesting--;
	preempt_enable_notrace();
}

/**
 * relpoline_drain_samples - hand every sample recorded so far to @fn
 * @fn:		called once per (site, target, cgroup) entry of each CPU
 * @data:	passed to @fn
 *
 * Process context; sleeps (one RCU grace period). Drains are serialised
 * by relpoline_lock(), which must be held.
 *
 * Return: samples dropped since the last drain (table full or nested).
 */
unsigned long relpoline_drain_samples(relpoline_sample_fn_t fn, void *data)
{
	unsigned long dropped = 0;
	unsigned int old, i;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	old = per_cpu(rp_learn.active, 0);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(rp_learn.active, cpu), !old);
	synchronize_rcu();
	for_each_possible_cpu(cpu) {
		struct rp_learn *l = per_cpu_ptr(&rp_learn, cpu);

		for (i = 0; i < RP_LEARN_SIZE; i++)
			if (l->ent[old][i].count)
				fn(&l->ent[old][i], data);
		memset(l->ent[old], 0, sizeof(l->ent[old]));
		dropped += xchg(&l->dropped, 0);
	}
	return dropped;
}
EXPORT_SYMBOL_GPL(relpoline_drain_samples);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_miss);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_promote);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_demote);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_retrain);

/**
 * relpoline_sample - slow-path sample, called by relpoline_sample_thunk
 * @regs:	the registers at the stub, indexed by x86 register number
 * @ret:	return address into the stub that called
 */
__visible notrace void relpoline_sample(unsigned long *regs, unsigned long ret)
{
	struct relpoline_stub *stub;

	this_cpu_write(rp_countdown, READ_ONCE(rp_sample_period));
	stub = rp_stub_at(ret);
	if (stub)
		relpoline_record_sample(stub->site, regs[stub->site->reg]);
}

/* ---- init ---- */

extern s32 __retpoline_sites[], __retpoline_sites_end[];

static int __init relpoline_init(void)
{
	struct rp_group *g;

	if (relpoline_boot == RP_BOOT_OFF) {
		rp_unavailable = "disabled on the command line (relpoline=off)";
	} else if (cpu_feature_enabled(X86_FEATURE_CALL_DEPTH)) {
		rp_unavailable = "call depth tracking (retbleed=stuff) is not supported";
	} else if (IS_ENABLED(CONFIG_CFI_CLANG)) {
		rp_unavailable = "kCFI/FineIBT call sites are not supported";
	} else if (!rp_pcpu_addressable(&rp_counters[RP_NR_COUNTERS - 1]) ||
		   !rp_pcpu_addressable(&rp_countdown)) {
		rp_unavailable = "per-CPU counters are not %gs:disp32 addressable";
	} else {
		rp_unavailable = NULL;
	}
	if (rp_unavailable) {
		pr_info("disabled: %s\n", rp_unavailable);
		return 0;
	}
	relpoline_set_sample_period(rp_sample_period);

	mutex_lock(&relpoline_mutex);
	g = rp_group_build(NULL, __retpoline_sites, __retpoline_sites_end);
	if (g)
		list_add(&g->list, &rp_groups);
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
