/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RELPOLINE_TEST_HELPERS_H
#define RELPOLINE_TEST_HELPERS_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "relpoline.h"

#define FIX(p)	FIXTURES_DIR "/" p

/* whole file, NUL terminated; fails the test if unreadable */
char *slurp(const char *path, size_t *len);
void spew(const char *path, const char *text);

/* copy tests/fixtures/relpoline/tracing to a new temp dir; returns the copy */
char *fake_tree(void);
void rm_tree(const char *dir);
/* path inside a tree: tree + "/" + rel (static buffer rotation) */
const char *tpath(const char *tree, const char *rel);

struct run {
	int status;		/* exit status, or 128 + signal */
	char *out;
	char *err;
};

/*
 * Run build/tools/TOOL with argv (NULL terminated, without argv[0]),
 * env RELPOLINE_TRACING_DIR = env_dir (unset if NULL), optional stdin.
 */
void run_tool(struct run *r, const char *tool, const char * const *argv,
	      const char *env_dir, const char *input);
void run_free(struct run *r);
/* if >= 0, run_tool() runs the tool with this uid/gid */
extern int run_uid;

/* minimal JSON: validate a whole document, look up keys, count arrays */
bool json_valid(const char *s);
/* value of "key" in the object starting at obj (after spaces), or NULL */
const char *json_get(const char *obj, const char *key);
/* number of elements of the array starting at arr, -1 if not an array */
int json_array_len(const char *arr);
/* element i of the array starting at arr, or NULL */
const char *json_at(const char *arr, int i);
/* parse a number value */
double json_num(const char *v);
/* true if the value at v is the literal lit (true/false/null) or "string" */
bool json_is(const char *v, const char *lit);

/* suites */
Suite *sites_suite(void);
Suite *stat_errlog_suite(void);
Suite *profile_suite(void);
Suite *cli_suite(void);
Suite *top_suite(void);
Suite *events_suite(void);
Suite *source_suite(void);
Suite *install_suite(void);

#endif
