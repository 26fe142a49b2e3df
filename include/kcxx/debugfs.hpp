// SPDX-License-Identifier: GPL-2.0
// debugfs entries a driver made, removed when their owner goes. debugfs_remove() waits for a
// read in flight, so the data a file shows may go right after. A file must be reset before
// the directory it is in (removing a directory removes what is below it): declare the
// directory first, so that the file's destructor runs first.
#pragma once

#include "kcxx/debugfs.h"
#include "kcxx/device.hpp"
#include "kcxx/result.hpp"

namespace kcxx
{

class DebugfsDir : NoCopy
{
      public:
	DebugfsDir() = default;
	DebugfsDir(DebugfsDir &&) = delete;
	~DebugfsDir() { reset(); }

	// Creates @name under @parent (null: debugfs is off). Like debugfs itself this may fail,
	// and then the directory is simply not there.
	bool create(const char *name, struct dentry *parent)
	{
		reset();
		if (!parent)
			return false;
		struct dentry *d = kcxx_debugfs_create_dir(name, parent);
		if (!d || !from_err_ptr(d).ok())
			return false;
		d_ = d;
		return true;
	}
	// A directory at debugfs's top level (the module set's own).
	bool create_top(const char *name)
	{
		reset();
		struct dentry *d = kcxx_debugfs_create_dir(name, nullptr);
		if (!d || !from_err_ptr(d).ok())
			return false;
		d_ = d;
		return true;
	}
	struct dentry *get() const { return d_; }
	void reset()
	{
		kcxx_debugfs_remove(d_); // ignores NULL
		d_ = nullptr;
	}

      private:
	struct dentry *d_ = nullptr;
};

// A file whose content a callback prints on each read.
class DebugfsFile : NoCopy
{
      public:
	DebugfsFile() = default;
	DebugfsFile(DebugfsFile &&) = delete;
	~DebugfsFile() { reset(); }

	// @obj->Fn(seq) prints the file.
	template <class T, void (T::*Fn)(Seq &)>
	void create(const char *name, struct dentry *dir, T *obj)
	{
		install(name, dir, obj, [](struct seq_file *m, void *data) {
			Seq seq(m);
			(static_cast<T *>(data)->*Fn)(seq);
			return 0;
		});
	}
	// Fn(seq) prints the file.
	template <void (*Fn)(Seq &)> void create(const char *name, struct dentry *dir)
	{
		install(name, dir, nullptr, [](struct seq_file *m, void *) {
			Seq seq(m);
			Fn(seq);
			return 0;
		});
	}
	void reset()
	{
		kcxx_debugfs_remove(d_); // ignores NULL and ERR_PTRs
		d_ = nullptr;
	}

      private:
	void install(const char *name, struct dentry *dir, void *data,
		     int (*show)(struct seq_file *m, void *data))
	{
		reset();
		if (!dir)
			return;
		show_.show = show;
		show_.data = data;
		d_ = kcxx_debugfs_create_show(name, dir, &show_);
	}

	struct kcxx_debugfs_show show_ = {};
	struct dentry *d_ = nullptr;
};

} // namespace kcxx
