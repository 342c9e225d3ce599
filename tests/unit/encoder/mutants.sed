# Each line is a sed expression applied to relpoline_encode.c; the test
# suite must fail for every one of them ("make mutants").
s/^#define RP_CC_E\t\t\t0x4/#define RP_CC_E\t\t\t0x5/
s/^#define RP_REX_B\t\t0x01/#define RP_REX_B\t\t0x00/
s/rp_put8(e, RP_OP_INT3);//
s/e->addr + e->len + 4/e->addr + e->len/
s/dest - next > RP_REL32_FWD_MAX/dest - next > 0xffffffffULL/
s/next - dest > RP_REL32_BWD_MAX/next - dest > 0xffffffffULL/
s/(u32)(dest - next)/(u32)(next - dest)/
s/^#define RP_EXT_DEC\t\t1/#define RP_EXT_DEC\t\t0/
s/RP_REX_W | ((reg \& 8) ? RP_REX_B : 0)/RP_REX | ((reg \& 8) ? RP_REX_B : 0)/
s/e->buf\[at + 1\] = (u8)dist;/e->buf[at + 1] = (u8)(dist + 1);/
s/if (e.len > size || !buf)/if (e.len > size + 1 || !buf)/
s/if (d->stub_addr + e.len < d->stub_addr)/if (0)/
s/d->reg == RP_REG_RSP/0/
s/val >= RP_SIMM32_NEG_MIN/val >= 0xffffffff00000000ULL/
s/if (d->slow_lfence) {/if (0) {/
s/RP_OP_CALL32, d->sample_fn/RP_OP_JMP32, d->sample_fn/
s/rp_modrm(3, RP_EXT_JMP, d->reg)/rp_modrm(3, 2, d->reg)/
s/if (w || (rm \& 8))$/if (w)/
s/site_addr + len < site_addr ||/0 ||/
s/if (form == RELPOLINE_FORM_JCC \&\& jcc_cc > RP_CC_MAX)/if (0)/
s/rp_emit_jcc32(\&e, jcc_cc, dest)/rp_emit_jcc32(\&e, jcc_cc \& 7, dest)/
s/e->err = -ERANGE;/e->err = 0;/
# stub touches the stack (push %rax; pop %rax) on the hit / slow path
s/^\trp_put8(e, RP_OP_ESC);$/\trp_put8(e, 0x50); rp_put8(e, 0x58); rp_put8(e, RP_OP_ESC);/
s/^\t\trp_emit_rel32_insn(e, RP_OP_JMP32, d->slow_target);$/\t\trp_put8(e, 0x50); rp_put8(e, 0x58); rp_emit_rel32_insn(e, RP_OP_JMP32, d->slow_target);/
# stub clobbers the upper half of %rcx (mov %ecx, %ecx) before je
s/^\trp_put8(e, RP_OP_ESC);$/\trp_put8(e, 0x89); rp_put8(e, 0xc9); rp_put8(e, RP_OP_ESC);/
# per-CPU counter blocks
s/rp_emit_ctr(e, d, true, RP_EXT_INC, RP_CTR_HIT(i))/rp_emit_ctr(e, d, false, RP_EXT_INC, RP_CTR_HIT(i))/
s/RP_EXT_INC, RP_CTR_HIT(i)/RP_EXT_INC, RP_CTR_HIT(0)/
s/rp_emit_ctr(e, d, false, RP_EXT_DEC/rp_emit_ctr(e, d, true, RP_EXT_DEC/
s/RP_EXT_INC, RP_CTR_MISSES)/RP_EXT_INC, RP_CTR_COUNTDOWN)/
s/RP_EXT_DEC, RP_CTR_COUNTDOWN)/RP_EXT_DEC, RP_CTR_MISSES)/
s/if (d->count_misses)$/if (0)/
s/rp_modrm(RP_MOD_DISP8, ext, scr)/rp_modrm(2, ext, scr)/
s/rp_put8(e, (u8)(d->ctr_base >> (8 \* i)));/rp_put8(e, (u8)(i < 4 ? d->ctr_base >> (8 * i) : 0));/
s/rp_put8(e, (u8)(d->ctr_base >> (8 \* i)));/rp_put8(e, (u8)((d->ctr_base + 8) >> (8 * i)));/
# counters are %gs-relative: no prefix, %fs, the prefix after REX (REX.W
# ignored), 32-bit addressing
/^static void rp_emit_ctr/,/^}/s/^\trp_put8(e, RP_PFX_GS);$//
/^static void rp_emit_ctr/,/^}/s/^\trp_put8(e, RP_PFX_GS);$/\trp_put8(e, 0x64);/
/^static void rp_emit_ctr/,/^}/{s/^\trp_put8(e, RP_PFX_GS);$//;s/^\trp_put8(e, RP_OP_GRP5);$/\trp_put8(e, RP_PFX_GS); rp_put8(e, RP_OP_GRP5);/}
/^static void rp_emit_ctr/,/^}/s/^\trp_put8(e, RP_PFX_GS);$/\trp_put8(e, RP_PFX_GS); rp_put8(e, 0x67);/
# the scratch register must never be the target register
s/return reg == RP_REG_RAX ? RP_REG_RCX : RP_REG_RAX;/return reg ? RP_REG_RAX : RP_REG_RAX;/
s/return reg == RP_REG_RAX ? RP_REG_RCX : RP_REG_RAX;/return reg == RP_REG_RAX ? RP_REG_RCX : RP_REG_RCX;/
# push / pop
s/rp_put8(e, RP_OP_PUSH + scr);//
s/rp_put8(e, RP_OP_POP + rp_scratch(d->reg));/rp_put8(e, RP_OP_POP + rp_scratch(d->reg) + 2);/
s/bool early = d->count_hits \&\& d->nr_targets;/bool early = d->count_hits;/
s/bool late = !early \&\& (d->count_misses || d->sample);/bool late = !early \&\& d->count_misses;/
# the layout
s/l->pushed\[l->nr_pushed\].start = e->len;/l->pushed[l->nr_pushed].start = e->len + 1;/
s/l->pushed\[l->nr_pushed++\].end = e->len;/l->pushed[l->nr_pushed++].end = e->len - 1;/
/the jne lands here/{n;n;s/^\t\trp_range_open(e);$/\t\t(void)0;/}
s/e->lay->scratch = scr;/e->lay->scratch = 0;/
s/e->lay->sample_ret = e->len;/e->lay->sample_ret = e->len - 5;/
s/e->lay->indirect = e->len;/e->lay->indirect = e->len + 1;/
s/\t\t\*layout = lay;/\t\tlayout->len = lay.len;/
# call depth accounting and dests
/if (d->dest_account\[i\])$/{n;s/.*/\t\t(void)0;/}
/if (d->sample_account)$/{n;s/.*/\t\t(void)0;/}
s/if (!counted \&\& !d->dest_account\[i\]) {/if (!counted) {/
s/rp_emit_jcc32(e, RP_CC_E, d->dests\[i\]);/rp_emit_jcc32(e, RP_CC_E, d->targets[i]);/
s/rp_emit_rel32_insn(e, RP_OP_JMP32, d->dests\[i\]);/rp_emit_rel32_insn(e, RP_OP_JMP32, d->targets[i]);/
s/^#define RP_CALL_DEPTH_SHIFT\t5/#define RP_CALL_DEPTH_SHIFT\t4/
s/^#define RP_EXT_SAR\t\t7/#define RP_EXT_SAR\t\t5/
s/rp_put32(e, (u32)d->call_depth);/rp_put32(e, (u32)d->call_depth + 8);/
# ITS placement of the indirect jump
s/^\tif (d->its_safe)$/\tif (0)/
s/if (!(last \& RP_ITS_HALF))/if (last \& RP_ITS_HALF)/
s/u64 last = e->addr + e->len + skip + 1 + (d->reg >> 3);/u64 last = e->addr + e->len + skip + 1 + (d->reg >> 4);/
s/rp_emit_its_pad(e, d, d->slow_lfence ? 3 : 0);/rp_emit_its_pad(e, d, 0);/
s/RP_ITS_HALF - (u32)(last \& (RP_ITS_HALF - 1))/RP_ITS_HALF + 1 - (u32)(last \& (RP_ITS_HALF - 1))/
s/0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84,/0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x80,/
s/n = len > RP_NOP_MAX ? RP_NOP_MAX : len;/n = len > RP_NOP_MAX - 1 ? RP_NOP_MAX - 1 : len;/
s/.addr = d ? d->stub_addr : 0 }/.addr = 0 }/
s/at = rp_put_jcc8(e, RP_CC_G);/at = rp_put_jcc8(e, RP_CC_NE);/
