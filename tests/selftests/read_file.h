/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a program the tests ran wrote into a file, read back.
 */
#ifndef READ_FILE_H
#define READ_FILE_H

#include <stdio.h>

/* Up to len - 1 bytes of the file into buf, NUL-terminated; "" if unreadable. */
static inline void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

#endif /* READ_FILE_H */
