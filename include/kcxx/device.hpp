// SPDX-License-Identifier: GPL-2.0
// Log lines against a struct device, and the seq_file a debugfs read prints into: typed views
// of kernel objects the driver does not own, with printf-checked methods. The variadic ones
// are defined in lib/printf.cpp (one copy per module: an inline variadic function cannot be
// inlined, and its COMDAT copies would leave __mcount_loc entries dangling when merged).
#pragma once

#include "kcxx/debugfs.h"
#include "kcxx/log.h"

namespace kcxx
{

// printk at @level, prefixed with the module's name (for lines about no device).
KCXX_PRINTF(3, 4) void log(const char *modname, int level, const char *fmt, ...);
// snprintf: never past @size, always terminated; the length it wanted.
KCXX_PRINTF(3, 4) int format(char *buf, size_t size, const char *fmt, ...);

class Device
{
      public:
	explicit Device(struct device *d) : d_(d) {}
	struct device *raw() const { return d_; }

	// dev_printk at @level: the line names the driver and the device.
	KCXX_PRINTF(3, 4) void log(int level, const char *fmt, ...) const;
	// As above, rate-limited: for lines a misbehaving backend could repeat without end.
	KCXX_PRINTF(3, 4) void log_ratelimited(int level, const char *fmt, ...) const;

      private:
	struct device *d_;
};

// The seq_file of one debugfs read (valid during the show callback only).
class Seq
{
      public:
	explicit Seq(struct seq_file *m) : m_(m) {}
	KCXX_PRINTF(2, 3) void print(const char *fmt, ...);

      private:
	struct seq_file *m_;
};

} // namespace kcxx
