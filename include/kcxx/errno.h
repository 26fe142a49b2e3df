/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno values the module set uses, for code that cannot include <linux/errno.h>.
 * They are Linux's ABI; shim/errno_check.c and the host tests assert that they match.
 */
#ifndef KCXX_ERRNO_H
#define KCXX_ERRNO_H

#define KCXX_EPERM 1
#define KCXX_ENOENT 2
#define KCXX_EIO 5
#define KCXX_ENXIO 6
#define KCXX_E2BIG 7
#define KCXX_EAGAIN 11
#define KCXX_ENOMEM 12
#define KCXX_EACCES 13
#define KCXX_EFAULT 14
#define KCXX_EBUSY 16
#define KCXX_EEXIST 17
#define KCXX_ENODEV 19
#define KCXX_EINVAL 22
#define KCXX_ENOSPC 28
#define KCXX_ERANGE 34
#define KCXX_ENOSYS 38
#define KCXX_ENODATA 61
#define KCXX_ETIME 62
#define KCXX_EPROTO 71
#define KCXX_EBADMSG 74
#define KCXX_EOVERFLOW 75
#define KCXX_EOPNOTSUPP 95
#define KCXX_ETIMEDOUT 110
#define KCXX_EALREADY 114
#define KCXX_ENOTCONN 107
#define KCXX_ESHUTDOWN 108
#define KCXX_ECANCELED 125

/* Largest errno an ERR_PTR or a kernel return value can carry (MAX_ERRNO). */
#define KCXX_MAX_ERRNO 4095

#endif /* KCXX_ERRNO_H */
