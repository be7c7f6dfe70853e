// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A very small JSON writer: flat objects, one per line. */
#include "json.h"

void json_begin(struct json_obj *j, FILE *out)
{
	j->out = out;
	j->fields = 0;
	fputc('{', out);
}

static void json_key(struct json_obj *j, const char *key)
{
	if (j->fields++)
		fputc(',', j->out);
	fprintf(j->out, "\"%s\":", key);
}

/*
 * Escapes what RFC 8259 requires, and bytes from 0x80 up as the code
 * points of the same value: a comm is bytes, not necessarily UTF-8, and
 * the output must stay valid JSON.
 */
static void json_quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x80)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void json_str(struct json_obj *j, const char *key, const char *val)
{
	json_key(j, key);
	json_quote(j->out, val);
}

void json_u64(struct json_obj *j, const char *key, unsigned long long val)
{
	json_key(j, key);
	fprintf(j->out, "%llu", val);
}

void json_s64(struct json_obj *j, const char *key, long long val)
{
	json_key(j, key);
	fprintf(j->out, "%lld", val);
}

/* Addresses as strings: JSON numbers lose precision above 2^53. */
void json_hex(struct json_obj *j, const char *key, unsigned long long val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", val);
	json_str(j, key, buf);
}

void json_hex_array(struct json_obj *j, const char *key,
		    const unsigned long long *vals, int n)
{
	int i;

	json_key(j, key);
	fputc('[', j->out);
	for (i = 0; i < n; i++)
		fprintf(j->out, "%s\"0x%llx\"", i ? "," : "", vals[i]);
	fputc(']', j->out);
}

void json_end(struct json_obj *j)
{
	fputs("}\n", j->out);
	fflush(j->out);
}
