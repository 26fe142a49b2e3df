/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/printk.h> and <linux/dev_printk.h>. */
#ifndef KCXX_LOG_H
#define KCXX_LOG_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct device;

/* printk levels, as in <linux/kern_levels.h>. */
enum kcxx_log_level {
	KCXX_LOG_ERR = 3,
	KCXX_LOG_WARNING = 4,
	KCXX_LOG_NOTICE = 5,
	KCXX_LOG_INFO = 6,
	KCXX_LOG_DEBUG = 7,
};

/*
 * printk at @level, prefixed with the calling module's name (kcxx_vlog), or dev_printk naming
 * the driver and the device; snprintf. They take the caller's arguments: the C++ owners'
 * printf-checked variadic methods (lib/printf.cpp) forward theirs, and rate-limit the lines a
 * misbehaving backend could repeat without end (lib/log_limit.hpp).
 */
void kcxx_vlog(const char *modname, int level, const char *fmt, __builtin_va_list *args)
	KCXX_PRINTF(3, 0);
int kcxx_vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list *args)
	KCXX_PRINTF(3, 0);
void kcxx_dev_vlog(const struct device *dev, int level, const char *fmt, __builtin_va_list *args)
	KCXX_PRINTF(3, 0);

KCXX_EXTERN_C_END

#endif /* KCXX_LOG_H */
