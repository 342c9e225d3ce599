// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for arch/x86/kernel/relpoline_encode.c.
 *
 * - "decode" (test_decode.c): every stub/site encoding is decoded with the
 *   kernel's own x86 instruction decoder (built from the pristine kernel
 *   tree) and compared with the instruction sequence the stub layout
 *   prescribes; the stack depth is followed along every path of every
 *   stub and compared with the pushed ranges the encoder reports; the ITS
 *   placement of the indirect jump is checked at every address mod 64.
 * - "errors" (test_errors.c): sizes, -EINVAL / -ERANGE / -ENOSPC, buffers
 *   left untouched.
 * - "exec" (test_exec.c): stubs and sites are executed natively from a low
 *   (< 2 GiB) RWX area, on two emulated CPUs (two %gs bases, each CPU's
 *   counter block at its %gs base + ctr_base), single-stepped for the
 *   stack depth.
 */
#include <stdlib.h>

#include "te.h"

const u8 valid_regs[NR_VALID_REGS] = {
	0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

const char *const reg_names[NREGS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

const char *const form_names[3] = { "call", "jmp", "jcc" };

int main(void)
{
	Suite *s = suite_create("relpoline_encode");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, te_decode_tcase());
	suite_add_tcase(s, te_errors_tcase());
	suite_add_tcase(s, te_exec_tcase());
	suite_add_tcase(s, te_exec_step_tcase());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
