// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy bandwidth in user space, in the same guest as the ring figures:
 * blocks of SIZE bytes copied from one hot source into a destination
 * larger than the caches, as records are copied into a ring. Prints one
 * JSON line. The module's "memcpy" peer measures the same in the kernel,
 * on the same trigger as the rings.
 *
 *   memcpy_bw [SIZE [SECONDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbbench.h"

#define DST_BYTES	(4UL << 20)

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	int secs = argc > 2 ? atoi(argv[2]) : 2;
	unsigned char *src, *dst;
	uint64_t start, end, bytes = 0;
	size_t off = 0;
	int i;

	if (!size || size > 65536 || secs < 1)
		return 2;
	src = malloc(size);
	dst = malloc(DST_BYTES);
	if (!src || !dst)
		return 1;
	memset(src, 0x5a, size);
	memset(dst, 0, DST_BYTES);

	start = now_ns();
	end = start + (uint64_t)secs * 1000000000ull;
	do {
		for (i = 0; i < 1024; i++) {
			memcpy(dst + off, src, size);
			/* Keep the copy: the compiler may not drop it. */
			__asm__ volatile("" : : "r"(dst + off) : "memory");
			off += (size + 15) & ~(size_t)7;
			if (off > DST_BYTES - size)
				off = 0;
			bytes += size;
		}
	} while (now_ns() < end);

	printf("{\"peer\":\"memcpy-user\",\"size\":%zu,\"mbps\":%.2f}\n", size,
	       bytes / ((now_ns() - start) / 1e9) / 1e6);
	return 0;
}
