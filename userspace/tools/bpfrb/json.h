/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A very small JSON writer: one object per line, fields appended in
 * order. Enough for flat objects of numbers and strings.
 */
#ifndef BPFRB_CLI_JSON_H
#define BPFRB_CLI_JSON_H

#include <stdio.h>

struct json_obj {
	FILE *out;
	int fields;
};

void json_begin(struct json_obj *j, FILE *out);
void json_str(struct json_obj *j, const char *key, const char *val);
void json_u64(struct json_obj *j, const char *key, unsigned long long val);
void json_s64(struct json_obj *j, const char *key, long long val);
void json_hex(struct json_obj *j, const char *key, unsigned long long val);
/* An array of numbers as hex strings (see json_hex()). */
void json_hex_array(struct json_obj *j, const char *key,
		    const unsigned long long *vals, int n);
/* Ends the object and the line, and flushes: a reader sees whole lines. */
void json_end(struct json_obj *j);

#endif /* BPFRB_CLI_JSON_H */
