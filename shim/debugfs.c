// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/debugfs.h> and <linux/seq_file.h>. */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "kcxx/debugfs.h"

static int kcxx_debugfs_show_trampoline(struct seq_file *m, void *unused)
{
	struct kcxx_debugfs_show *show = m->private;

	return show->show(m, show->data);
}

static int kcxx_debugfs_open(struct inode *inode, struct file *file)
{
	return single_open(file, kcxx_debugfs_show_trampoline, inode->i_private);
}

static const struct file_operations kcxx_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = kcxx_debugfs_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

struct dentry *kcxx_debugfs_create_dir(const char *name, struct dentry *parent)
{
	return debugfs_create_dir(name, parent);
}

struct dentry *kcxx_debugfs_lookup(const char *name, struct dentry *parent)
{
	return debugfs_lookup(name, parent);
}

void kcxx_debugfs_create_u64(const char *name, struct dentry *parent, const uint64_t *value)
{
	/* debugfs only reads through the pointer: the files are created read-only. */
	debugfs_create_u64(name, 0444, parent, (u64 *)value);
}

struct dentry *kcxx_debugfs_create_show(const char *name, struct dentry *parent,
					struct kcxx_debugfs_show *show)
{
	return debugfs_create_file(name, 0444, parent, show, &kcxx_debugfs_fops);
}

void kcxx_debugfs_remove(struct dentry *dentry)
{
	debugfs_remove(dentry);
}

void kcxx_dput(struct dentry *dentry)
{
	dput(dentry);
}

void kcxx_seq_vprintf(struct seq_file *m, const char *fmt, __builtin_va_list *args)
{
	seq_vprintf(m, fmt, *args);
}
