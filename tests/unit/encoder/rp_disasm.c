// SPDX-License-Identifier: GPL-2.0
/*
 * Strict classifier on top of the kernel's x86 instruction decoder.
 * Built with -I tools/include -I tools/arch/x86/include of the pristine
 * kernel tree; see Makefile.
 */
#include <string.h>

#include <asm/insn.h>

#include "rp_disasm.h"

#define SIB_DISP32_ONLY 0x25	/* scale 0, index none, base none */

static int no_prefixes(const struct insn *insn)
{
	return insn->prefixes.nbytes == 0 && insn->rex_prefix.nbytes == 0 &&
	       insn->vex_prefix.nbytes == 0;
}

/* no legacy prefix (REX allowed) */
static int no_legacy_prefixes(const struct insn *insn)
{
	return insn->prefixes.nbytes == 0 && insn->vex_prefix.nbytes == 0;
}

/* NOP: 90, 66 90 or 0F 1F /0 with only 66 / 2E prefixes, no REX */
static int is_nop(const struct insn *insn)
{
	int i;

	if (insn->rex_prefix.nbytes || insn->vex_prefix.nbytes)
		return 0;
	/* bytes[] holds each distinct prefix once, nbytes counts them all */
	for (i = 0; i < 4 && insn->prefixes.bytes[i]; i++)
		if (insn->prefixes.bytes[i] != 0x66 &&
		    insn->prefixes.bytes[i] != 0x2e)
			return 0;
	if (insn->opcode.nbytes == 1 && insn->opcode.bytes[0] == 0x90)
		return insn->prefixes.nbytes == 0 ||
		       (insn->prefixes.nbytes == 1 &&
			insn->prefixes.bytes[0] == 0x66);
	return insn->opcode.nbytes == 2 && insn->opcode.bytes[0] == 0x0f &&
	       insn->opcode.bytes[1] == 0x1f &&
	       X86_MODRM_REG(insn->modrm.value) == 0;
}

static int only_gs_prefix(const struct insn *insn)
{
	return insn->prefixes.nbytes == 1 && insn->prefixes.bytes[0] == 0x65 &&
	       insn->vex_prefix.nbytes == 0;
}

static int rex(const struct insn *insn)
{
	return insn->rex_prefix.nbytes ? insn->rex_prefix.bytes[0] : 0;
}

static uint64_t rel_dest(const struct insn *insn, uint64_t addr)
{
	/* immediate.value is the sign-extended rel8 / rel32 */
	return addr + insn->length + (int64_t)insn->immediate.value;
}

static void classify(const struct insn *insn, uint64_t addr,
		     struct rpd_insn *o)
{
	unsigned char op0 = insn->opcode.bytes[0];
	unsigned char op1 = insn->opcode.bytes[1];
	unsigned char modrm = insn->modrm.value;
	int mod = X86_MODRM_MOD(modrm), regf = X86_MODRM_REG(modrm);
	int rm = X86_MODRM_RM(modrm);
	int r = rex(insn);

	o->kind = RPD_OTHER;

	if (insn->opcode.nbytes == 1 && op0 == 0x3d && r == 0x48 &&
	    insn->prefixes.nbytes == 0 && insn->immediate.nbytes == 4) {
		o->kind = RPD_CMP_IMM;
		o->reg = 0;
		o->short_form = 1;
		o->imm = (uint64_t)(int64_t)(int32_t)insn->immediate.value;
		return;
	}
	if (insn->opcode.nbytes == 1 && op0 == 0x81 && (r & ~1) == 0x48 &&
	    insn->prefixes.nbytes == 0 && mod == 3 && regf == 7 &&
	    insn->immediate.nbytes == 4) {
		o->kind = RPD_CMP_IMM;
		o->reg = rm | ((r & 1) << 3);
		o->imm = (uint64_t)(int64_t)(int32_t)insn->immediate.value;
		return;
	}
	if (no_prefixes(insn) && insn->opcode.nbytes == 2 && op0 == 0x0f &&
	    (op1 & 0xf0) == 0x80 && insn->immediate.nbytes == 4) {
		o->kind = RPD_JCC32;
		o->cc = op1 & 0xf;
		o->dest = rel_dest(insn, addr);
		return;
	}
	if (no_prefixes(insn) && insn->opcode.nbytes == 1 &&
	    (op0 & 0xf0) == 0x70 && insn->immediate.nbytes == 1) {
		o->kind = RPD_JCC8;
		o->cc = op0 & 0xf;
		o->dest = rel_dest(insn, addr);
		return;
	}
	if (no_prefixes(insn) && insn->opcode.nbytes == 1 &&
	    (op0 == 0xe8 || op0 == 0xe9) && insn->immediate.nbytes == 4) {
		o->kind = op0 == 0xe8 ? RPD_CALL32 : RPD_JMP32;
		o->dest = rel_dest(insn, addr);
		return;
	}
	if (no_legacy_prefixes(insn) && insn->opcode.nbytes == 1 &&
	    (op0 & 0xf8) == 0x50 && (r == 0 || r == 0x41)) {
		o->kind = RPD_PUSH;
		o->reg = (op0 & 7) | ((r & 1) << 3);
		return;
	}
	if (no_legacy_prefixes(insn) && insn->opcode.nbytes == 1 &&
	    (op0 & 0xf8) == 0x58 && (r == 0 || r == 0x41)) {
		o->kind = RPD_POP;
		o->reg = (op0 & 7) | ((r & 1) << 3);
		return;
	}
	if (no_legacy_prefixes(insn) && insn->opcode.nbytes == 1 &&
	    (op0 & 0xf8) == 0xb8 && (r & ~1) == 0x48 &&
	    insn->immediate1.nbytes == 4 && insn->immediate2.nbytes == 4) {
		o->kind = RPD_MOVABS;
		o->reg = (op0 & 7) | ((r & 1) << 3);
		o->imm = (uint32_t)insn->immediate1.value |
			 (uint64_t)(uint32_t)insn->immediate2.value << 32;
		return;
	}
	if (only_gs_prefix(insn) && insn->opcode.nbytes == 1 && mod == 0 &&
	    rm == 4 && insn->sib.nbytes == 1 &&
	    insn->sib.bytes[0] == SIB_DISP32_ONLY &&
	    insn->displacement.nbytes == 4) {
		o->disp = insn->displacement.value;
		if (op0 == 0xc1 && r == 0x48 && regf == 7 &&
		    insn->immediate.nbytes == 1) {
			o->kind = RPD_SAR_GS;
			o->imm = (uint8_t)insn->immediate.value;
		}
		return;
	}
	if (only_gs_prefix(insn) && insn->opcode.nbytes == 1 &&
	    op0 == 0xff && (mod == 0 || mod == 1) && rm != 4 &&
	    !(mod == 0 && rm == 5) && (r & ~1) == (regf == 0 ? 0x48 : 0)) {
		if (regf == 0)
			o->kind = RPD_INC_GS64;
		else if (regf == 1)
			o->kind = RPD_DEC_GS32;
		else
			return;
		o->reg = rm | ((r & 1) << 3);
		o->disp = mod ? insn->displacement.value : 0;
		return;
	}
	if (insn->prefixes.nbytes == 0 && insn->vex_prefix.nbytes == 0 &&
	    insn->opcode.nbytes == 1 && op0 == 0xff && mod == 3 && regf == 4 &&
	    (r == 0 || r == 0x41)) {
		o->kind = RPD_JMP_REG;
		o->reg = rm | ((r & 1) << 3);
		return;
	}
	if (no_prefixes(insn) && insn->opcode.nbytes == 2 && op0 == 0x0f &&
	    op1 == 0xae && modrm == 0xe8 && insn->length == 3) {
		o->kind = RPD_LFENCE;
		return;
	}
	if (no_prefixes(insn) && insn->length == 1 && op0 == 0xcc) {
		o->kind = RPD_INT3;
		return;
	}
	if (is_nop(insn))
		o->kind = RPD_NOP;
}

unsigned int rpd_decode(const uint8_t *buf, size_t avail, uint64_t addr,
			struct rpd_insn *out)
{
	struct insn insn;
	int len = avail > MAX_INSN_SIZE ? MAX_INSN_SIZE : (int)avail;

	memset(out, 0, sizeof(*out));
	out->kind = RPD_BAD;
	if (len <= 0 || insn_decode(&insn, buf, len, INSN_MODE_64) < 0)
		return 0;
	if (!insn.length || insn.length > avail)
		return 0;
	out->len = insn.length;
	classify(&insn, addr, out);
	return out->len;
}

const char *rpd_kind_name(enum rpd_kind kind)
{
	static const char * const names[] = {
		[RPD_BAD] = "bad", [RPD_OTHER] = "other",
		[RPD_CMP_IMM] = "cmp", [RPD_JCC32] = "jcc32",
		[RPD_JCC8] = "jcc8", [RPD_JMP32] = "jmp32",
		[RPD_CALL32] = "call32", [RPD_PUSH] = "push", [RPD_POP] = "pop",
		[RPD_MOVABS] = "movabs",
		[RPD_INC_GS64] = "incq%gs:(reg)", [RPD_DEC_GS32] = "decl%gs:(reg)",
		[RPD_SAR_GS] = "sarq%gs", [RPD_LFENCE] = "lfence",
		[RPD_JMP_REG] = "jmp*reg", [RPD_INT3] = "int3",
		[RPD_NOP] = "nop",
	};

	if ((unsigned int)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
