/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/debugfs.h> and <linux/seq_file.h>. */
#ifndef KCXX_DEBUGFS_H
#define KCXX_DEBUGFS_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct dentry;
struct seq_file;

/* A file whose content @show prints on each read. shim/debugfs.c owns the fops. */
struct kcxx_debugfs_show {
	int (*show)(struct seq_file *m, void *data);
	void *data;
};

/* Like debugfs itself, these return an ERR_PTR on failure, and callers may ignore it. */
struct dentry *kcxx_debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *kcxx_debugfs_lookup(const char *name, struct dentry *parent);
void kcxx_debugfs_create_u64(const char *name, struct dentry *parent, const uint64_t *value);
/* The file's dentry (for kcxx_debugfs_remove), or an ERR_PTR. */
struct dentry *kcxx_debugfs_create_show(const char *name, struct dentry *parent,
					struct kcxx_debugfs_show *show);
void kcxx_debugfs_remove(struct dentry *dentry);
void kcxx_dput(struct dentry *dentry);
void kcxx_seq_vprintf(struct seq_file *m, const char *fmt, __builtin_va_list *args)
	KCXX_PRINTF(2, 0);

KCXX_EXTERN_C_END

#endif /* KCXX_DEBUGFS_H */
