// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The smallest libbpfrb consumer: attach to a ring by name and print the
 * size of every record until interrupted. The README shows this program.
 *
 *	simple_consumer <ring name>
 */
#include <stdio.h>
#include <string.h>
#include <libbpfrb.h>

static int on_record(void *ctx, void *data, size_t size)
{
	printf("record of %zu bytes\n", size);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpfrb_ring_buffer *rb;
	int fd, err = 0;

	/* A line per record as it comes, into a pipe or a file too. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = bpfrb_attach_name(argc > 1 ? argv[1] : "events");
	if (fd < 0)
		return perror("bpfrb_attach_name"), 1;
	rb = bpfrb_ring_buffer__new(fd, on_record, NULL, NULL);
	if (!rb)
		return perror("bpfrb_ring_buffer__new"), 1;
	while (err >= 0)
		err = bpfrb_ring_buffer__poll(rb, -1);
	/* Only an error ends the loop: say which (Ctrl-C ends the program). */
	fprintf(stderr, "bpfrb_ring_buffer__poll: %s\n", strerror(-err));
	bpfrb_ring_buffer__free(rb);
	return 1;
}
