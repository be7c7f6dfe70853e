/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/bpfrb/rings: a listing of every ring, for bpfrb(8) and humans.
 */
#ifndef _BPFRB_PROCFS_H
#define _BPFRB_PROCFS_H

int bpfrb_procfs_init(void);
void bpfrb_procfs_exit(void);

#endif /* _BPFRB_PROCFS_H */
