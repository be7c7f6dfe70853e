// SPDX-License-Identifier: GPL-2.0
/*
 * Draining user rings (user space produces, the kernel consumes).
 *
 * User rings are not implemented yet: creating one fails with EOPNOTSUPP,
 * so every ring is a kernel ring and draining it is invalid (SPEC §3:
 * -EINVAL for a kernel ring). The symbol is exported now so that modules
 * written against the API already link.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/errno.h>
#include "bpfrb_internal.h"
#include "compat.h"

long bpfrb_user_drain(struct bpfrb *rb, bpfrb_drain_fn fn, void *ctx, u64 flags)
{
	if (flags & ~(BPFRB_NO_WAKEUP | BPFRB_FORCE_WAKEUP))
		return -EINVAL;
	/* Every ring is a kernel ring until user rings land. */
	return -EINVAL;
}
EXPORT_SYMBOL_BPFRB(bpfrb_user_drain);
