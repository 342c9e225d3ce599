// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline stubs: their memory, code, counters, names and unwind state.
 *
 * Memory. Chunks of 64 KiB of executable memory from execmem (the module
 * area, within rel32 reach of kernel and module text), read-only and
 * executable from the start, cut into 32-byte granules; a stub takes as
 * many as its code needs (RP_STUB_MAX_SIZE at most). Code is written with
 * text_poke_copy() before any site branches to it, and wiped with INT3
 * when the stub is freed. A site with a landing (an inlined CALL of its
 * idle form returns inside it, see relpoline_capture.c) needs its stub
 * where byte 1 of the rel32 that reaches it is 0xcc: one 256-byte window
 * in every 64 KiB, i.e. up to eight granule starts per chunk.
 *
 * Counters. Each stub has a per-CPU block (struct rp_ctr_block: misses, the
 * sampling countdown, hits per target) from alloc_percpu(), allocated with
 * the stub: nothing per CPU exists while relpoline is idle. The code
 * loads the block's per-CPU pointer into a scratch register it pushes and
 * pops and counts with one %gs-relative instruction per count, as
 * this_cpu_inc() does, so counts are exact even when the task migrates
 * inside the stub (relpoline_encode.c). A stub is therefore not at a
 * function entry's unwind state everywhere: relpoline_orc_find() gives the
 * site's state, plus the pushed word inside the ranges the encoder reports.
 *
 * Names. Every stub is "relpoline_stub:<function>+0x<offset>" of its site in
 * /proc/kallsyms (relpoline_get_kallsym()) and for %pS
 * (relpoline_address_lookup()), and perf gets a PERF_RECORD_KSYMBOL and a
 * text_poke event when it is made and a ksymbol unregister when it goes.
 *
 * Lifetime. A stub is created under relpoline_mutex, published by the
 * batch that points its site at it, retired when the site no longer does,
 * and destroyed after synchronize_rcu_tasks_rude() and
 * synchronize_rcu_tasks() (relpoline.c). The struct itself is freed after
 * a further RCU grace period, since the lookups by address below run in
 * any context without the mutex.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/bitmap.h>
#include <linux/execmem.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <asm/alternative.h>
#include <asm/cpufeature.h>
#include <asm/insn.h>
#include <asm/nospec-branch.h>
#include <asm/set_memory.h>
#include <asm/text-patching.h>

#include "relpoline_internal.h"

#define RP_CHUNK_SIZE		(64 * 1024)
#define RP_GRANULE		32
#define RP_GRANULES		(RP_CHUNK_SIZE / RP_GRANULE)
#define RP_MAX_CHUNKS		256

struct rp_chunk {
	void			*base;
	unsigned int		used;			/* granules */
	DECLARE_BITMAP(map, RP_GRANULES);
	struct relpoline_stub	*owner[RP_GRANULES];	/* read locklessly */
};

/*
 * Written under relpoline_mutex; read locklessly: a chunk's base is
 * published after the chunk, and cleared a grace period before it goes.
 */
static unsigned long rp_chunk_base[RP_MAX_CHUNKS];
static struct rp_chunk *rp_chunks[RP_MAX_CHUNKS];
/* Every stub: changed under relpoline_mutex, read under RCU. */
static LIST_HEAD(rp_stubs);

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

NOKPROBE_SYMBOL(is_relpoline_stub);

/* The stub whose memory holds @addr, or NULL. Any context. */
notrace struct relpoline_stub *rp_stub_at(unsigned long addr)
{
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		/* Pairs with smp_store_release() in rp_chunk_add(). */
		unsigned long base = smp_load_acquire(&rp_chunk_base[i]);
		struct rp_chunk *c;

		if (!base || addr - base >= RP_CHUNK_SIZE)
			continue;
		c = READ_ONCE(rp_chunks[i]);
		return c ? READ_ONCE(c->owner[(addr - base) / RP_GRANULE]) : NULL;
	}
	return NULL;
}

NOKPROBE_SYMBOL(rp_stub_at);

/**
 * relpoline_orc_find - the unwind state at @ip, if it is in a stub
 * @ip:		a text address
 *
 * A stub has the unwind state of its site (rp_capture_orc()), plus one
 * word where its code has pushed its scratch register. Any context: the
 * unwinder only asks about a stub that some task is in, which is not
 * freed before the RCU-tasks grace periods.
 *
 * Return: the ORC entry, or NULL when @ip is not in a live stub.
 */
struct orc_entry *relpoline_orc_find(unsigned long ip)
{
	struct relpoline_stub *stub;
	unsigned long off;
	unsigned int i;

	if (!is_relpoline_stub(ip))
		return NULL;
	stub = rp_stub_at(ip);
	off = ip - (unsigned long)(stub ? stub->text : NULL);
	if (!stub || off >= stub->len)
		return NULL;
	for (i = 0; i < stub->nr_pushed; i++)
		if (off >= stub->pushed[i].start && off < stub->pushed[i].end)
			return &stub->orc_pushed;
	return &stub->site->orc;
}

NOKPROBE_SYMBOL(relpoline_orc_find);

/**
 * relpoline_address_lookup - name the stub code at @addr (for kallsyms)
 * @addr:	a text address
 * @size:	out: the stub's length
 * @off:	out: @addr's offset in it
 * @modname:	out: "__builtin__relpoline"
 * @namebuf:	out: the stub's name, KSYM_NAME_LEN bytes
 *
 * Any context: the stub is found without locks and its name read under
 * RCU.
 *
 * Return: the length of the name, or 0 when @addr is not in a stub.
 */
int relpoline_address_lookup(unsigned long addr, unsigned long *size,
			     unsigned long *off, char **modname, char *namebuf)
{
	struct relpoline_stub *stub;
	int ret = 0;

	if (!is_relpoline_stub(addr))
		return 0;
	rcu_read_lock();
	stub = rp_stub_at(addr);
	if (stub && stub->name && addr - (unsigned long)stub->text < stub->len) {
		if (size)
			*size = stub->len;
		if (off)
			*off = addr - (unsigned long)stub->text;
		if (modname)
			*modname = "__builtin__relpoline";
		ret = strscpy(namebuf, stub->name, KSYM_NAME_LEN);
		if (ret < 0)
			ret = KSYM_NAME_LEN - 1;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * relpoline_get_kallsym - the @symnum-th stub, for /proc/kallsyms
 * @symnum:	index
 * @value:	out: address
 * @type:	out: 't'
 * @name:	out: KSYM_NAME_LEN bytes
 *
 * Return: 0, or -ERANGE past the last stub.
 */
int relpoline_get_kallsym(unsigned int symnum, unsigned long *value, char *type, char *name)
{
	struct relpoline_stub *stub;
	int ret = -ERANGE;

	rcu_read_lock();
	list_for_each_entry_rcu(stub, &rp_stubs, node) {
		if (symnum--)
			continue;
		*value = (unsigned long)stub->text;
		*type = 't';
		strscpy(name, stub->name, KSYM_NAME_LEN);
		ret = 0;
		break;
	}
	rcu_read_unlock();
	return ret;
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
 * memory. The copy is made to branch to the site's thunk instead (its
 * boot thunk, or for an inlined site the retpoline thunk of its register,
 * whose body is the mode's indirect branch): the same branch, without the
 * promoted fast path.
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

/* ---- memory ---- */

static int rp_chunk_add(void)
{
	struct rp_chunk *c;
	void *base;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS && rp_chunks[i]; i++)
		;
	if (i == RP_MAX_CHUNKS)
		return -ENOSPC;
	c = kvzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	base = execmem_alloc(EXECMEM_MODULE_TEXT, RP_CHUNK_SIZE);
	if (!base) {
		kvfree(c);
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

/*
 * Does a stub at @text suit @site? With a landing, byte 1 of the rel32
 * from the end of the site to the stub (bits 8..15 of the distance) must
 * be 0xcc.
 */
static bool rp_text_suits(const struct relpoline_site *site, unsigned long text)
{
	u64 rel = text - (site->addr + site->len);

	return !site->landing || ((rel >> 8) & 0xff) == INT3_INSN_OPCODE;
}

/* @g free granules from @j in @c? */
static bool rp_granules_free(struct rp_chunk *c, unsigned int j, unsigned int g)
{
	return j + g <= RP_GRANULES && find_next_bit(c->map, j + g, j) == j + g;
}

/* The first granule of @g free ones in @c that suit @site, or -1. */
static int rp_chunk_fit(struct rp_chunk *c, const struct relpoline_site *site, unsigned int g)
{
	unsigned long base = (unsigned long)c->base, t, j;
	unsigned int k;

	if (!site->landing) {
		j = bitmap_find_next_zero_area(c->map, RP_GRANULES, 0, g, 0);
		return j < RP_GRANULES ? j : -1;
	}
	/* The granule starts in the 256-byte window (chunk offset t..t+255). */
	t = (site->addr + site->len + (INT3_INSN_OPCODE << 8) - base) & (RP_CHUNK_SIZE - 1);
	for (k = 0; k < 256 / RP_GRANULE + 1; k++) {
		j = (DIV_ROUND_UP(t, RP_GRANULE) + k) % RP_GRANULES;
		if (rp_text_suits(site, base + j * RP_GRANULE) && rp_granules_free(c, j, g))
			return j;
	}
	return -1;
}

/* Stub memory for @stub: @size bytes where they suit its site. */
static void *rp_text_alloc(struct relpoline_stub *stub, unsigned int size)
{
	unsigned int g = DIV_ROUND_UP(size, RP_GRANULE), k;
	struct rp_chunk *c = NULL;
	int i, j = -1;

	for (i = 0; i < RP_MAX_CHUNKS && j < 0; i++) {
		c = rp_chunks[i];
		if (c && c->used + g <= RP_GRANULES)
			j = rp_chunk_fit(c, stub->site, g);
	}
	if (j < 0) {
		i = rp_chunk_add();
		if (i < 0)
			return NULL;
		c = rp_chunks[i];
		j = rp_chunk_fit(c, stub->site, g);
		if (WARN_ON_ONCE(j < 0))
			return NULL;
	}
	bitmap_set(c->map, j, g);
	c->used += g;
	for (k = 0; k < g; k++)
		WRITE_ONCE(c->owner[j + k], stub);
	stub->granules = g;
	rp_stats.stub_bytes += g * RP_GRANULE;
	return c->base + j * RP_GRANULE;
}

/* The memory must be unreachable: never published, or after the grace periods. */
static void rp_text_free(struct relpoline_stub *stub)
{
	unsigned long text = (unsigned long)stub->text;
	unsigned int j, k;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		struct rp_chunk *c = rp_chunks[i];

		if (!c || text - (unsigned long)c->base >= RP_CHUNK_SIZE)
			continue;
		j = (text - (unsigned long)c->base) / RP_GRANULE;
		text_poke_set(stub->text, INT3_INSN_OPCODE, stub->granules * RP_GRANULE);
		for (k = 0; k < stub->granules; k++)
			WRITE_ONCE(c->owner[j + k], NULL);
		bitmap_clear(c->map, j, stub->granules);
		c->used -= stub->granules;
		rp_stats.stub_bytes -= stub->granules * RP_GRANULE;
		return;
	}
}

/**
 * rp_stub_trim - give back the chunks that hold no stub
 *
 * relpoline_mutex held, no stub published.
 */
void rp_stub_trim(void)
{
	DECLARE_BITMAP(gone, RP_MAX_CHUNKS);
	int i;

	lockdep_assert_held(&relpoline_mutex);
	bitmap_zero(gone, RP_MAX_CHUNKS);
	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		if (!rp_chunks[i] || rp_chunks[i]->used)
			continue;
		WRITE_ONCE(rp_chunk_base[i], 0);
		__set_bit(i, gone);
	}
	if (bitmap_empty(gone, RP_MAX_CHUNKS))
		return;
	/* is_relpoline_stub() and the lookups run with preemption disabled. */
	synchronize_rcu();
	for_each_set_bit(i, gone, RP_MAX_CHUNKS) {
		struct rp_chunk *c = rp_chunks[i];

		WRITE_ONCE(rp_chunks[i], NULL);
		execmem_free(c->base);
		kvfree(c);
		rp_stats.stub_pool_bytes -= RP_CHUNK_SIZE;
	}
}

/* ---- counters ---- */

static u64 rp_ctr_sum(const struct relpoline_stub *stub, unsigned int off)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*(u64 *)((void *)per_cpu_ptr(stub->ctrs, cpu) + off));
	return sum;
}

/**
 * rp_stub_misses - calls that took @stub's slow path, summed over CPUs
 * @stub:	the stub
 *
 * Return: the count since the stub was made or its counts reset.
 */
u64 rp_stub_misses(const struct relpoline_stub *stub)
{
	return rp_ctr_sum(stub, RP_CTR_MISSES);
}

/**
 * rp_stub_hits - calls that took target @i of @stub, summed over CPUs
 * @stub:	the stub; counts hits
 * @i:		the target's slot
 *
 * Return: the count since the stub was made or its counts reset.
 */
u64 rp_stub_hits(const struct relpoline_stub *stub, unsigned int i)
{
	return rp_ctr_sum(stub, RP_CTR_HIT(i));
}

/**
 * rp_stub_reset_counts - zero @stub's counters
 * @stub:	the stub
 *
 * Increments racing with the reset on other CPUs may survive it.
 */
void rp_stub_reset_counts(struct relpoline_stub *stub)
{
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct rp_ctr_block *b = per_cpu_ptr(stub->ctrs, cpu);

		WRITE_ONCE(b->misses, 0);
		for (i = 0; stub->count_hits && i < stub->nr_targets; i++)
			WRITE_ONCE(b->hits[i], 0);
	}
	memset(stub->folded, 0, sizeof(stub->folded));
}

/**
 * rp_acc_slot - the slot of @acc's per-target hits that holds @target
 * @acc:	what a site's earlier stubs counted
 * @target:	a target
 *
 * Return: the slot, or -1.
 */
int rp_acc_slot(const struct rp_site_acc *acc, unsigned long target)
{
	int i;

	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		if (acc->target[i] == target)
			return i;
	return -1;
}

/* Add the per-target hits @n of @target to @acc. */
static void rp_acc_add(struct rp_site_acc *acc, unsigned long target, u64 n)
{
	int i = rp_acc_slot(acc, target), j;

	if (i < 0) {
		/* A free slot, else the one with the fewest hits. */
		for (i = 0, j = 0; j < RELPOLINE_MAX_TARGETS; j++) {
			if (!acc->target[j]) {
				i = j;
				break;
			}
			if (acc->thits[j] < acc->thits[i])
				i = j;
		}
		acc->target[i] = target;
		acc->thits[i] = 0;
	}
	acc->thits[i] += n;
}

/**
 * rp_stub_fold - add what @stub counted since it was last folded to its site
 * @stub:	the stub
 *
 * Called when the stub is retired, so that the site's counts never drop,
 * and when it is freed, for the calls that were still in it meanwhile.
 */
void rp_stub_fold(struct relpoline_stub *stub)
{
	struct rp_site_acc *acc = stub->site->acc;
	u64 n;
	int i;

	n = rp_stub_misses(stub);
	acc->misses += n - stub->folded[0];
	stub->folded[0] = n;
	if (!stub->count_hits)
		return;
	for (i = 0; i < stub->nr_targets; i++) {
		n = rp_stub_hits(stub, i) - stub->folded[1 + i];
		stub->folded[1 + i] += n;
		acc->hits += n;
		if (n)
			rp_acc_add(acc, stub->targets[i], n);
	}
}

/**
 * rp_stubs_set_countdown - restart every stub's sampling countdown
 *
 * On every CPU, with what a new stub starts with: rp_sample_first().
 * relpoline_mutex held.
 */
void rp_stubs_set_countdown(void)
{
	struct relpoline_stub *stub;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(stub, &rp_stubs, node) {
		unsigned int first = rp_sample_first(stub);

		for_each_possible_cpu(cpu) {
			WRITE_ONCE(per_cpu_ptr(stub->ctrs, cpu)->countdown, first);
			WRITE_ONCE(per_cpu_ptr(stub->ctrs, cpu)->loaded, first);
		}
	}
}

/* ---- code ---- */

extern void relpoline_sample_thunk(void);

/*
 * Where a stub's slow path goes: what the site did before, for the
 * spectre_v2 mode. Retpolines: a jump to the thunk the site called at boot
 * (with call depth tracking, the thunk that accounts the call). Otherwise
 * an indirect JMP of the stub's own, behind an LFENCE for retpoline,lfence,
 * and placed where ITS needs no thunk, so that the misses of different
 * sites do not share one indirect branch and its prediction as they would
 * through a thunk.
 */
static void rp_desc_slow_path(const struct relpoline_site *site, struct rp_stub_desc *d)
{
	if (cpu_feature_enabled(X86_FEATURE_RETPOLINE) &&
	    !cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE)) {
		d->slow_kind = RP_SLOW_REL32;
		d->slow_target = site->slow;
		return;
	}
	d->slow_kind = RP_SLOW_INDIRECT;
	d->slow_lfence = cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE);
	d->its_safe = cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS);
}

/*
 * Call depth tracking (retbleed=stuff): the site's CALL to the stub is not
 * accounted, so every way out of a CALL site's stub accounts once: a hit
 * through the target's call thunk, or the accounting instruction when the
 * target has none; a miss through the accounting thunk of the slow path.
 * The sample call is a call of its own, for every form.
 */
static void rp_desc_call_depth(const struct relpoline_site *site, struct rp_stub_desc *d)
{
#ifdef CONFIG_MITIGATION_CALL_DEPTH_TRACKING
	unsigned long t;
	unsigned int i;

	if (!cpu_feature_enabled(X86_FEATURE_CALL_DEPTH))
		return;
	/* %gs:disp32, as the kernel's own INCREMENT_CALL_DEPTH addresses it */
	d->call_depth = (s32)(unsigned long)(const void __force *)&pcpu_hot.call_depth;
	t = (unsigned long)callthunks_translate_call_dest((void *)d->sample_fn);
	if (t == d->sample_fn)
		d->sample_account = true;
	d->sample_fn = t;
	if (site->form != RELPOLINE_FORM_CALL)
		return;
	for (i = 0; i < d->nr_targets; i++) {
		t = (unsigned long)callthunks_translate_call_dest((void *)d->targets[i]);
		d->dests[i] = t;
		d->dest_account[i] = t == d->targets[i];
	}
#endif
}

/**
 * rp_stub_describe - the encoder's description of the code @stub needs
 * @stub:	the stub: its site, targets, count_hits, sample and ctrs set
 * @text:	where the code will run
 * @d:		out: the description
 */
void rp_stub_describe(const struct relpoline_stub *stub, unsigned long text,
		      struct rp_stub_desc *d)
{
	const struct relpoline_site *site = stub->site;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->stub_addr = text;
	d->reg = site->reg;
	d->nr_targets = stub->nr_targets;
	for (i = 0; i < stub->nr_targets; i++) {
		d->targets[i] = stub->targets[i];
		d->dests[i] = stub->targets[i];
	}
	d->count_hits = stub->count_hits;
	d->count_misses = true;
	d->sample = stub->sample;
	d->sample_fn = (unsigned long)relpoline_sample_thunk;
	d->ctr_base = (unsigned long)(void __force *)stub->ctrs;
	rp_desc_slow_path(site, d);
	rp_desc_call_depth(site, d);
}

/* The unwind state inside the ranges where the code has pushed a word. */
static void rp_stub_orc(struct relpoline_stub *stub, const struct rp_stub_layout *l)
{
	stub->orc_pushed = stub->site->orc;
	if (stub->orc_pushed.sp_reg == ORC_REG_SP)
		stub->orc_pushed.sp_offset += sizeof(long);
	stub->nr_pushed = l->nr_pushed;
	memcpy(stub->pushed, l->pushed, sizeof(stub->pushed));
}

/* "relpoline_stub:<function>+0x<offset>" of @site, or NULL. */
static char *rp_stub_name(const struct relpoline_site *site)
{
	char name[KSYM_NAME_LEN];
	unsigned long off;

	if (relpoline_sym_lookup(site->addr, name, &off))
		return NULL;
	return kasprintf(GFP_KERNEL, "relpoline_stub:%s+0x%lx", name, off);
}

/*
 * Name a new stub after its site, and tell perf about its code as it does
 * for BPF programs and ftrace trampolines: a ksymbol and a text_poke
 * event, so that samples in it resolve and Intel PT decodes through it.
 */
static int rp_stub_publish(struct relpoline_stub *stub, const u8 *buf)
{
	stub->name = rp_stub_name(stub->site);
	if (!stub->name)
		stub->name = kasprintf(GFP_KERNEL, "relpoline_stub:%u", stub->site->id);
	if (!stub->name)
		return -ENOMEM;
	list_add_tail_rcu(&stub->node, &rp_stubs);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL, (unsigned long)stub->text,
			   stub->len, false, stub->name);
	perf_event_text_poke(stub->text, NULL, 0, buf, stub->len);
	return 0;
}

/* Counters, memory and code of a new stub. */
static int rp_stub_build(struct relpoline_stub *stub)
{
	struct rp_stub_layout layout;
	struct rp_stub_desc d;
	u8 buf[RP_STUB_MAX_SIZE];
	unsigned int size;
	int ret, cpu;

	stub->ctr_size = RP_CTR_SIZE(stub->count_hits ? stub->nr_targets : 0);
	stub->ctrs = __alloc_percpu(stub->ctr_size, __alignof__(u64));
	if (!stub->ctrs)
		return -ENOMEM;
	rp_stats.percpu_bytes += stub->ctr_size;
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(stub->ctrs, cpu)->countdown = rp_sample_first(stub);
		per_cpu_ptr(stub->ctrs, cpu)->loaded = rp_sample_first(stub);
	}
	rp_stub_describe(stub, 0, &d);
	ret = rp_stub_size(&d);
	if (ret < 0)
		return ret;
	/* ITS-safe padding depends on the address: room for the most of it. */
	size = ret + (d.its_safe ? 32 : 0);
	stub->text = rp_text_alloc(stub, size);
	if (!stub->text)
		return -ENOSPC;
	rp_stub_describe(stub, (unsigned long)stub->text, &d);
	ret = rp_encode_stub(&d, buf, min_t(unsigned int, size, sizeof(buf)), &layout);
	if (ret < 0)
		return ret;
	stub->len = ret;
	rp_stub_orc(stub, &layout);
	text_poke_copy(stub->text, buf, stub->len);
	return rp_stub_publish(stub, buf);
}

/**
 * rp_stub_create - build (but do not publish) a stub for @req
 * @req:	the change; its site and targets are valid
 * @out:	out: the stub
 *
 * relpoline_mutex held.
 *
 * Return: 0, -ENOMEM, -ENOSPC (no stub memory), -ERANGE (a target or the
 * slow path out of rel32 reach).
 */
int rp_stub_create(const struct relpoline_req *req, struct relpoline_stub **out)
{
	struct relpoline_stub *stub;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	/* The site's counts outlive its stubs: from its first stub on. */
	if (!req->site->acc) {
		req->site->acc = kzalloc(sizeof(*req->site->acc), GFP_KERNEL);
		if (!req->site->acc)
			return -ENOMEM;
	}
	stub = kzalloc(sizeof(*stub), GFP_KERNEL);
	if (!stub)
		return -ENOMEM;
	INIT_LIST_HEAD(&stub->node);
	stub->site = req->site;
	stub->nr_targets = req->nr_targets;
	memcpy(stub->targets, req->targets, sizeof(stub->targets));
	stub->count_hits = req->count_hits && req->nr_targets;
	stub->sample = req->sample;
	rp_stub_boost_init(stub, req);
	ret = rp_stub_build(stub);
	if (ret) {
		rp_stub_destroy(stub);
		return ret;
	}
	*out = stub;
	return 0;
}

static void rp_stub_free_rcu(struct rcu_head *rcu)
{
	struct relpoline_stub *stub = container_of(rcu, struct relpoline_stub, rcu);

	kfree(stub->name);
	kfree(stub);
}

/**
 * rp_stub_destroy - free a stub that nothing can reach any more
 * @stub:	never published, or after the RCU-tasks grace periods
 *
 * relpoline_mutex held.
 */
void rp_stub_destroy(struct relpoline_stub *stub)
{
	lockdep_assert_held(&relpoline_mutex);
	if (stub->name) {
		perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL, (unsigned long)stub->text,
				   stub->len, true, stub->name);
		list_del_rcu(&stub->node);
	}
	if (stub->text)
		rp_text_free(stub);
	if (stub->ctrs)
		rp_stats.percpu_bytes -= stub->ctr_size;
	free_percpu(stub->ctrs);
	call_rcu(&stub->rcu, rp_stub_free_rcu);
}
