// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/printk.h>, <linux/dev_printk.h> and the C++ runtime's failure hooks. */
#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/printk.h>

#include "kcxx/log.h"
#include "kcxx/runtime.h"

static_assert(KCXX_LOG_ERR == LOGLEVEL_ERR && KCXX_LOG_WARNING == LOGLEVEL_WARNING &&
	      KCXX_LOG_NOTICE == LOGLEVEL_NOTICE && KCXX_LOG_INFO == LOGLEVEL_INFO &&
	      KCXX_LOG_DEBUG == LOGLEVEL_DEBUG);

static const char *const kcxx_levels[] = {
	[LOGLEVEL_ERR] = KERN_ERR,	   [LOGLEVEL_WARNING] = KERN_WARNING,
	[LOGLEVEL_NOTICE] = KERN_NOTICE, [LOGLEVEL_INFO] = KERN_INFO,
	[LOGLEVEL_DEBUG] = KERN_DEBUG,
};

static const char *kcxx_level(int level)
{
	if (level < LOGLEVEL_ERR || level > LOGLEVEL_DEBUG)
		level = LOGLEVEL_ERR;
	return kcxx_levels[level];
}

void kcxx_vlog(const char *modname, int level, const char *fmt, __builtin_va_list *args)
{
	struct va_format vaf = { .fmt = fmt, .va = args };

	printk("%s%s: %pV\n", kcxx_level(level), modname, &vaf);
}

int kcxx_vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list *args)
{
	return vsnprintf(buf, size, fmt, *args);
}

void kcxx_dev_vlog(const struct device *dev, int level, const char *fmt, __builtin_va_list *args)
{
	struct va_format vaf = { .fmt = fmt, .va = args };

	dev_printk(kcxx_level(level), dev, "%pV\n", &vaf);
}

void kcxx_bad_errno(int value)
{
	WARN_ONCE(1, "kcxx: %d is not a negative errno; using -EINVAL\n", value);
}

void kcxx_bug(const char *why)
{
	pr_crit("kcxx: %s\n", why);
	BUG();
}
