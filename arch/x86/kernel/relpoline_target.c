// SPDX-License-Identifier: GPL-2.0
/*
 * Which addresses may be promoted: the rules for a relpoline target.
 *
 * A promoted site reaches its target by a direct "je target" in the stub.
 * The indirect call it replaces was checked twice on a hardened kernel,
 * and promotion must keep both checks:
 *
 * kCFI (clang's -fsanitize=kcfi, cfi=kcfi).  The caller checks the type
 * hash stored before the target, then calls the retpoline thunk:
 *
 *	movl	$-hash, %r10d
 *	addl	-15(%r11), %r10d
 *	je	1f
 *	ud2
 *   1:	call	__x86_indirect_thunk_r11	<- the site
 *
 * The check runs before the site, so a site that calls a stub instead of
 * the thunk still traps on a wrong hash: promotion keeps kCFI as it is.
 *
 * FineIBT (cfi=fineibt, or cfi=auto on a CPU with IBT).  The caller loads
 * the hash and calls 16 bytes before the function, at its __cfi_ preamble,
 * which checks the hash before the function's own code:
 *
 *	caller:				__cfi_func:
 *	movl	$hash, %r10d		endbr64
 *	sub	$16, %r11		subl	$hash, %r10d
 *	nop4				je	func
 *	call	__x86_indirect_thunk_r11	ud2
 *
 * The register holds the preamble's address, so that is what relpoline
 * learns, compares and jumps to: a hit runs the preamble's check as the
 * indirect call would.  The stub clobbers only the flags (and a register
 * it restores), so %r10d still holds the caller's hash.
 *
 * IBT (CONFIG_X86_KERNEL_IBT).  An indirect branch must land on ENDBR; at
 * boot the kernel seals the functions never called indirectly (their
 * ENDBR becomes a NOP) and, under FineIBT, removes the ENDBR of every
 * function that has a preamble.  A direct jump is not checked, so a stub
 * could reach an address the indirect call would have trapped on: with
 * IBT built in, a target must start with ENDBR.  Under FineIBT that is
 * the __cfi_ preamble of a C function (its first byte has none left) or
 * an assembler function that assembler callers reach directly.  The rule
 * follows the kernel's build, not the CPU: a target that IBT hardware
 * would refuse is refused on every CPU.
 *
 * Whatever the mode, a target is the entry of a function in core kernel
 * text or in a live module's text, and never the padding before one
 * (__pfx_) or, outside FineIBT, its kCFI hash (__cfi_).
 */

#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cfi.h>
#include <asm/ibt.h>
#include <asm/relpoline.h>
#include <asm/sections.h>

#include "relpoline_internal.h"

/* The size of FineIBT's preamble: __apply_fineibt() insists on 16. */
#define RP_FINEIBT_PREAMBLE	16

static bool rp_fineibt(void)
{
	return IS_ENABLED(CONFIG_FINEIBT) && cfi_mode == CFI_FINEIBT;
}

static bool rp_in_text(unsigned long t)
{
	struct module *mod;
	bool ok;

	if (core_kernel_text(t))
		return !is_kernel_inittext(t);
	preempt_disable();
	mod = __module_text_address(t);
	ok = mod && mod->state == MODULE_STATE_LIVE &&
	     within_module_mem_type(t, mod, MOD_TEXT);
	preempt_enable();
	return ok;
}

#ifdef CONFIG_X86_KERNEL_IBT
#define RP_NO_ENDBR	"target has no ENDBR (IBT): "

/* IBT: does @t start the way an indirect branch may land? */
static const char *rp_ibt_refusal(unsigned long t)
{
	u32 endbr;

	if (copy_from_kernel_nofault(&endbr, (void *)t, sizeof(endbr)))
		return "target text cannot be read";
	if (endbr == gen_endbr())
		return NULL;
	if (rp_fineibt())
		return RP_NO_ENDBR "under FineIBT, name the __cfi_ preamble the callers reach";
	return RP_NO_ENDBR "the function is sealed or not an indirect-call target";
}
#else
static const char *rp_ibt_refusal(unsigned long t)
{
	return NULL;
}
#endif

/**
 * relpoline_target_refusal - why may @t not be promoted?
 * @t:		an address
 *
 * See the rules at the top of this file. Sleeps: a module's symbols are
 * looked up with relpoline_sym_lookup().
 *
 * Return: NULL when @t may be promoted, else the reason, a constant
 * string for error_log.
 */
const char *relpoline_target_refusal(unsigned long t)
{
	char name[KSYM_NAME_LEN];
	unsigned long off;

	if (!rp_in_text(t) || relpoline_sym_lookup(t, name, &off) || off)
		return "target is not a function entry in kernel or module text";
	if (str_has_prefix(name, "__pfx_"))
		return "target is the padding before a function (__pfx_), not its entry";
	if (str_has_prefix(name, "__cfi_") && !rp_fineibt())
		return "target is a kCFI hash (__cfi_), not a function entry";
	return rp_ibt_refusal(t);
}
EXPORT_SYMBOL_NS_GPL(relpoline_target_refusal, RELPOLINE_INTERNAL);

/**
 * relpoline_target_entry - where an indirect call of @fn enters it
 * @fn:		the address of a function
 *
 * Under FineIBT the callers enter at the function's __cfi_ preamble, 16
 * bytes before it, and that is what their register holds: a target named
 * by its function is that preamble when the function has one.
 *
 * Return: the address a site's register holds when it calls @fn.
 */
unsigned long relpoline_target_entry(unsigned long fn)
{
	unsigned long pre = fn - RP_FINEIBT_PREAMBLE;

	if (!rp_fineibt() || !relpoline_target_refusal(fn))
		return fn;
	return relpoline_target_refusal(pre) ? fn : pre;
}
EXPORT_SYMBOL_NS_GPL(relpoline_target_entry, RELPOLINE_INTERNAL);

/**
 * relpoline_valid_target - may @t be promoted?
 * @t:		an address
 *
 * Return: true when relpoline_target_refusal() has no objection.
 */
bool relpoline_valid_target(unsigned long t)
{
	return !relpoline_target_refusal(t);
}
EXPORT_SYMBOL_NS_GPL(relpoline_valid_target, RELPOLINE_INTERNAL);
