// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: decoding a retpoline site as boot patching left it.
 *
 * Boot patching (patch_retpoline(), as upstream has it) leaves each site
 * objtool listed either as a rel32 branch to a thunk (retpoline mode, call
 * depth tracking, ITS thunks, and what does not fit inline) or inlined
 * into "[LFENCE;] CALL/JMP *%reg" plus padding (spectre_v2=off, eIBRS,
 * IBRS, retpoline,lfence, ITS where the branch is safe). This file turns
 * those bytes back into what relpoline needs to manage the site: form,
 * register, length, the boundaries inside the site a task can stop at,
 * and the unwind state inside its stubs. Nothing here writes text.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/module.h>
#include <asm/insn.h>
#include <asm/nops.h>
#include <asm/nospec-branch.h>
#include <asm/orc_types.h>
#include <asm/sections.h>
#include <asm/text-patching.h>
#include <asm/unwind.h>

#include "relpoline_internal.h"

/* Jcc rel32 (alternative.c's is_jcc32() is private to it). */
static bool rp_is_jcc32(struct insn *insn)
{
	return insn->opcode.bytes[0] == 0x0f && (insn->opcode.bytes[1] & 0xf0) == 0x80;
}

static bool rp_in(unsigned long a, const void *start, const void *end)
{
	return a >= (unsigned long)start && a < (unsigned long)end;
}

/* Register of a thunk at @dest, or -1. */
static int rp_thunk_reg(unsigned long dest)
{
	static retpoline_thunk_t * const arrays[] = {
		__x86_indirect_thunk_array,
#ifdef CONFIG_MITIGATION_CALL_DEPTH_TRACKING
		__x86_indirect_call_thunk_array,
		__x86_indirect_jump_thunk_array,
#endif
	};
	const u8 *p = (const u8 *)dest;
	unsigned long off;
	int i, rex = 0;

	for (i = 0; i < ARRAY_SIZE(arrays); i++) {
		off = dest - (unsigned long)arrays[i];
		if (off < 16 * sizeof(retpoline_thunk_t) && !(off % sizeof(retpoline_thunk_t)))
			return off / sizeof(retpoline_thunk_t);
	}
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

/*
 * A site boot patching left as a rel32 branch to a thunk (retpoline mode,
 * call depth tracking, ITS thunks, and whatever did not fit inline): the
 * managed form is the same instruction to a stub, with the same
 * boundaries. A 6-byte CALL/JMP keeps its CS prefix.
 */
static const char *rp_capture_thunk(struct relpoline_site *s, const u8 *p, struct insn *insn)
{
	unsigned long dest;
	int reg;

	if (rp_is_jcc32(insn))
		s->form = RELPOLINE_FORM_JCC;
	else if (insn->opcode.bytes[0] == CALL_INSN_OPCODE)
		s->form = RELPOLINE_FORM_CALL;
	else if (insn->opcode.bytes[0] == JMP32_INSN_OPCODE)
		s->form = RELPOLINE_FORM_JMP;
	else
		return "not a branch boot patching leaves";
	if (s->form == RELPOLINE_FORM_JCC ? insn->length != 6 :
	    !(insn->length == 5 || (insn->length == 6 && p[0] == 0x2e)))
		return "unexpected instruction layout";
	dest = (unsigned long)p + insn->length + insn->immediate.value;
	reg = rp_thunk_reg(dest);
	if (reg < 0 || reg == 4)
		return "branch target is not a retpoline or ITS thunk";
	s->cc = s->form == RELPOLINE_FORM_JCC ? insn->opcode.bytes[1] & 0xf : 0;
	s->reg = reg;
	s->len = insn->length;
	s->slow = dest;
	return NULL;
}

/*
 * The bytes patch_retpoline() and optimize_nops() give a site of @len
 * bytes whose branch they inline: [Jncc.d8 1f] [LFENCE] CALL/JMP *%reg,
 * an INT3 behind a JMP when there is room, then one NOP to the end.
 * Return: the number of bytes before the padding, or -1 if it does not fit.
 */
static int rp_inline_bytes(u8 *buf, int len, int form, u8 cc, bool lfence, int reg)
{
	int i = 0;

	if (form == RELPOLINE_FORM_JCC) {
		buf[i++] = 0x70 + (cc ^ 1);
		buf[i++] = len - 2;
	}
	if (lfence) {
		buf[i++] = 0x0f;
		buf[i++] = 0xae;
		buf[i++] = 0xe8;
	}
	if (reg >= 8)
		buf[i++] = 0x41;
	buf[i++] = 0xff;
	buf[i++] = (form == RELPOLINE_FORM_CALL ? 0xd0 : 0xe0) + (reg & 7);
	if (i > len)
		return -1;
	if (form != RELPOLINE_FORM_CALL && i < len)
		buf[i++] = INT3_INSN_OPCODE;
	if (i < len)
		memcpy(buf + i, x86_nops[len - i], len - i);
	return i;
}

/* "[REX.B] CALL/JMP *%reg" at @p: the register, and whether it is a CALL. */
static int rp_indirect_at(const u8 *p, bool *call)
{
	int rex = p[0] == 0x41;
	u8 modrm = p[rex + 1];

	if (p[rex] != 0xff || (modrm & 0xc0) != 0xc0)
		return -1;
	if ((modrm & 0x38) != 0x10 && (modrm & 0x38) != 0x20)
		return -1;
	*call = (modrm & 0x38) == 0x10;
	return (modrm & 7) + (rex ? 8 : 0);
}

/*
 * A site boot patching inlined (patch_retpoline(): spectre_v2=off, eIBRS,
 * IBRS, retpoline,lfence where it fits, ITS where the branch is safe):
 *
 *	[LFENCE] CALL *%reg  NOP				a call
 *	[LFENCE] JMP *%reg  [INT3] [NOP]			a jump
 *	Jncc.d8 1f  JMP *%reg  [INT3] [NOP]  1:		a Jcc
 *
 * The site's length is not in the text any more: a Jcc.d32 was 6 bytes,
 * a CALL/JMP to %rax..%rdi 5 (compilers CS-prefix only r8-r15 thunk
 * calls), one to r8-r15 5 or 6, which the length of the padding tells.
 * The bytes are then checked against what boot patching writes for that
 * length. The managed form is one CALL/JMP/Jcc rel32 (rp_site_bytes()).
 *
 * Where a task can stop inside the site: after an LFENCE, at the JMP
 * behind the Jcc.d8 (@quiesce: text_poke_sites() waits for tasks to
 * leave), and where an inlined CALL returns when padding follows it
 * (@landing: the byte stays INT3 while the site is managed, so that a
 * task still in that callee returns to an INT3 and relpoline_landing()
 * moves it to the end of the site).
 */
static const char *rp_capture_inline(struct relpoline_site *s, const u8 *p)
{
	u8 want[TEXT_POKE_SITE_MAX];
	bool call, lfence = false;
	int off = 0, reg, len, end;

	if (p[0] >= 0x70 && p[0] <= 0x7f) {
		s->form = RELPOLINE_FORM_JCC;
		s->cc = (p[0] & 0xf) ^ 1;
		off = 2;
	}
	if (p[off] == 0x0f && p[off + 1] == 0xae && p[off + 2] == 0xe8) {
		lfence = true;
		off += 3;
	}
	reg = rp_indirect_at(p + off, &call);
	if (reg < 0 || reg == 4)
		return "not a retpoline site as boot patching leaves it";
	if (s->form == RELPOLINE_FORM_JCC) {
		if (call)
			return "not a retpoline site as boot patching leaves it";
		len = 6;
	} else {
		s->form = call ? RELPOLINE_FORM_CALL : RELPOLINE_FORM_JMP;
		end = off + 2 + (reg >= 8);
		if (reg < 8 || lfence)
			len = reg < 8 ? 5 : end;
		else if (!call && p[end] == INT3_INSN_OPCODE)
			len = p[end + 1] == 0x90 ? 5 : 6;
		else
			len = p[end] == 0x66 ? 5 : 6;
	}
	end = rp_inline_bytes(want, len, s->form, s->cc, lfence, reg);
	if (end < 0 || memcmp(p, want, len))
		return "not a retpoline site as boot patching leaves it";
	s->reg = reg;
	s->len = len;
	s->inlined = true;
	/* What a kprobe's copy of the managed form branches to. */
	s->slow = (unsigned long)&__x86_indirect_thunk_array[reg];
	s->quiesce = lfence || s->form == RELPOLINE_FORM_JCC;
	if (call && end < len)
		s->landing = end;
	/* The landing is kept in a byte of the managed form's rel32 that stubs choose. */
	if (s->landing && s->landing - (len - 4) != 1)
		return "a callee returns into the managed form's rel32";
	return NULL;
}

/* The unwind state inside a stub of a CALL site: a function entry. */
static const struct orc_entry rp_entry_orc = {
	.sp_offset	= sizeof(long),
	.sp_reg		= ORC_REG_SP,
	.bp_reg		= ORC_REG_UNDEFINED,
	.type		= ORC_TYPE_CALL,
};

/* Text where a stub's per-CPU accesses and sampling call are not allowed. */
static bool rp_noinstr(struct module *mod, unsigned long addr)
{
	/* .noinstr.text includes .cpuidle.text. */
	if (mod)
		return addr - (unsigned long)mod->noinstr_text_start < mod->noinstr_text_size;
	return rp_in(addr, __noinstr_text_start, __noinstr_text_end) ||
	       rp_in(addr, __entry_text_start, __entry_text_end);
}

/**
 * rp_capture_orc - record the unwind state inside the stubs of @s
 * @s:		a site; refused if its JMP or Jcc has no usable unwind state
 *
 * A function entry for a CALL, and the state at the site for a JMP or Jcc,
 * which need not be a tail call: a computed goto jumps with the function's
 * frame in place. Stubs push a word, which the unwinder can account for
 * when the frame is found from the stack or frame pointer.
 */
void rp_capture_orc(struct relpoline_site *s)
{
	struct orc_entry *orc;

	if (s->refused)
		return;
	if (s->form == RELPOLINE_FORM_CALL) {
		s->orc = rp_entry_orc;
		return;
	}
	orc = unwind_orc_entry(s->addr);
	if (!orc || orc->type == ORC_TYPE_UNDEFINED ||
	    (orc->sp_reg != ORC_REG_SP && orc->sp_reg != ORC_REG_BP)) {
		s->refused = "no usable unwind state at the site";
		return;
	}
	s->orc = *orc;
}

/**
 * rp_capture - record a site as boot patching left it
 * @s:		the record to fill
 * @mod:	the site's module, NULL for vmlinux
 * @addr:	the site, as objtool listed it in .retpoline_sites
 * @text_ok:	the site is in text that can be patched (not init text)
 *
 * A module's unwind state is read later, when it is coming
 * (rp_capture_orc()).
 *
 * Return: why the site can never be managed (also in @s->refused), or NULL.
 */
const char *rp_capture(struct relpoline_site *s, struct module *mod, unsigned long addr,
		       bool text_ok)
{
	const u8 *p = (const u8 *)addr;
	struct insn insn;
	const char *why;

	s->addr = addr;
	if (!text_ok)
		return s->refused = "not in patchable text";
	if (rp_noinstr(mod, addr))
		return s->refused = "noinstr/entry text";
	if (insn_decode_kernel(&insn, p) < 0)
		return s->refused = "undecodable";
	if (insn.immediate.nbytes == 4 && insn.length >= 5 &&
	    (insn.opcode.bytes[0] == CALL_INSN_OPCODE ||
	     insn.opcode.bytes[0] == JMP32_INSN_OPCODE || rp_is_jcc32(&insn)))
		why = rp_capture_thunk(s, p, &insn);
	else
		why = rp_capture_inline(s, p);
	if (why)
		return s->refused = why;
	memcpy(s->idle, p, s->len);
	if (!mod)
		rp_capture_orc(s);
	return s->refused;
}
