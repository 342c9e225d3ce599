/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classify instructions decoded by the kernel's own x86 instruction decoder
 * (tools/arch/x86/lib/insn.c, built from the pristine kernel tree) into the
 * few instruction kinds a relpoline stub may contain.  Anything else, or any
 * unexpected prefix / REX / ModRM / SIB detail, is reported as RPD_OTHER.
 * Uses only standard C types so that it does not clash with the shim.
 */
#ifndef RP_DISASM_H
#define RP_DISASM_H

#include <stddef.h>
#include <stdint.h>

enum rpd_kind {
	RPD_BAD,	/* decoder failure / truncated */
	RPD_OTHER,	/* valid instruction of no expected kind */
	RPD_CMP_IMM,	/* cmp $simm32, %r64 (81 /7 or 3D for rax) */
	RPD_JCC32,	/* 0F 8x rel32 */
	RPD_JCC8,	/* 7x rel8 */
	RPD_JMP32,	/* E9 rel32 */
	RPD_CALL32,	/* E8 rel32 */
	RPD_PUSH,	/* push %r64 ([41] 50+r) */
	RPD_POP,	/* pop %r64 ([41] 58+r) */
	RPD_MOVABS,	/* movabs $imm64, %r64 (REX.W B8+r) */
	RPD_INC_GS64,	/* incq %gs:disp(%r64) (65 REX.W FF /0, mod 0 or disp8) */
	RPD_DEC_GS32,	/* decl %gs:disp(%r64) (65 FF /1, mod 0 or disp8) */
	RPD_SAR_GS,	/* sarq $imm8, %gs:disp32 (65 48 C1 /7, SIB 25) */
	RPD_LFENCE,	/* 0F AE E8 */
	RPD_JMP_REG,	/* jmp *%r64 (FF /4, mod 3) */
	RPD_INT3,	/* CC */
	RPD_NOP,	/* 90, 66 90, [66|2E]* 0F 1F /0 */
};

struct rpd_insn {
	enum rpd_kind kind;
	unsigned int len;
	int reg;		/* register operand / memory base: 0..15 */
	int cc;			/* JCC32, JCC8: condition code */
	int short_form;		/* CMP_IMM: 48 3D form */
	uint64_t imm;		/* CMP_IMM (sign-extended), MOVABS, SAR_GS */
	uint64_t dest;		/* branches: absolute destination */
	int32_t disp;		/* SAR_GS, INC/DEC_GS: displacement */
};

/* Decode one instruction at @buf (which runs at @addr); returns its length,
 * or 0 on failure (kind RPD_BAD).
 */
unsigned int rpd_decode(const uint8_t *buf, size_t avail, uint64_t addr,
			struct rpd_insn *out);

const char *rpd_kind_name(enum rpd_kind kind);

#endif /* RP_DISASM_H */
