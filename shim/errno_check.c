// SPDX-License-Identifier: GPL-2.0
/* Proves at build time that include/kcxx/errno.h matches <linux/errno.h>. */
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/errno.h>

#include "kcxx/errno.h"

static_assert(KCXX_EPERM == EPERM && KCXX_ENOENT == ENOENT && KCXX_EIO == EIO &&
	      KCXX_ENXIO == ENXIO && KCXX_E2BIG == E2BIG && KCXX_EAGAIN == EAGAIN &&
	      KCXX_ENOMEM == ENOMEM && KCXX_EACCES == EACCES && KCXX_EFAULT == EFAULT &&
	      KCXX_EBUSY == EBUSY && KCXX_EEXIST == EEXIST && KCXX_ENODEV == ENODEV &&
	      KCXX_EINVAL == EINVAL && KCXX_ENOSPC == ENOSPC && KCXX_ERANGE == ERANGE &&
	      KCXX_ENOSYS == ENOSYS && KCXX_ENODATA == ENODATA && KCXX_ETIME == ETIME &&
	      KCXX_EPROTO == EPROTO && KCXX_EBADMSG == EBADMSG && KCXX_EOVERFLOW == EOVERFLOW &&
	      KCXX_EOPNOTSUPP == EOPNOTSUPP && KCXX_ETIMEDOUT == ETIMEDOUT &&
	      KCXX_EALREADY == EALREADY && KCXX_ESHUTDOWN == ESHUTDOWN && KCXX_ENOTCONN == ENOTCONN &&
	      KCXX_ECANCELED == ECANCELED && KCXX_MAX_ERRNO == MAX_ERRNO);
