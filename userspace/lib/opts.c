// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Validation of extensible *_opts structs (libbpf's OPTS_VALID rule). */
#include "internal.h"

bool bpfrb_opts_valid(const void *opts, size_t lib_sz)
{
	const unsigned char *tail;
	size_t user_sz, i;

	if (!opts)
		return true;
	user_sz = *(const size_t *)opts;
	if (user_sz < sizeof(size_t))
		return false;
	/* A newer caller may pass a bigger struct; what we do not know must be 0. */
	tail = (const unsigned char *)opts;
	for (i = lib_sz; i < user_sz; i++)
		if (tail[i])
			return false;
	return true;
}
