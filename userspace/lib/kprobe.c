// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Kprobe producers: thin wrappers over BPFRB_IOC_KPROBE_ATTACH / DETACH. */
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

int bpfrb_kprobe_attach(int fd, const char *symbol,
			const struct bpfrb_kprobe_opts *opts)
{
	struct bpfrb_kprobe req;
	size_t len;

	if (!BPFRB_OPTS_VALID(opts, bpfrb_kprobe_opts, maxactive) || !symbol || !*symbol)
		return bpfrb_err(-EINVAL);
	len = strlen(symbol);
	if (len >= BPFRB_SYM_LEN)
		return bpfrb_err(-ENAMETOOLONG);

	memset(&req, 0, sizeof(req));
	memcpy(req.symbol, symbol, len + 1);
	req.offset = BPFRB_OPTS_GET(opts, offset, 0);
	req.flags = BPFRB_OPTS_GET(opts, flags, 0);
	req.nargs = BPFRB_OPTS_GET(opts, nargs, 0);
	req.maxactive = BPFRB_OPTS_GET(opts, maxactive, 0);

	if (ioctl(fd, BPFRB_IOC_KPROBE_ATTACH, &req) < 0)
		return bpfrb_err(-errno);
	/*
	 * The id comes back as an int. Ids count up per ring and pass
	 * INT_MAX only after 2^31 attachments; such a probe is detached
	 * again rather than left writing with no id to detach it by.
	 */
	if (req.id > INT_MAX) {
		ioctl(fd, BPFRB_IOC_KPROBE_DETACH, &req.id);
		return bpfrb_err(-EOVERFLOW);
	}
	return (int)req.id;
}

int bpfrb_kprobe_detach(int fd, __u32 probe_id)
{
	if (ioctl(fd, BPFRB_IOC_KPROBE_DETACH, &probe_id) < 0)
		return bpfrb_err(-errno);
	return 0;
}
