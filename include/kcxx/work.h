/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/workqueue.h>. */
#ifndef KCXX_WORK_H
#define KCXX_WORK_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/*
 * A work item inside a C++ object: storage for a struct work_struct (shim/work.c asserts that
 * it fits) and the function it runs. The shim's trampoline finds @fn and @data from the work.
 * Sized from the kernel's config, as kcxx/lock.h is: 32 bytes on a production kernel; lockdep
 * (CONFIG_LOCKDEP) puts a lockdep_map in every work item.
 */
#ifdef CONFIG_LOCKDEP
#define KCXX_WORK_BYTES 128
#else
#define KCXX_WORK_BYTES 32
#endif
struct kcxx_work {
	unsigned char storage[KCXX_WORK_BYTES] __attribute__((__aligned__(8)));
	void (*fn)(void *data);
	void *data;
};

#define kcxx_work_init KCXX_SIZED(kcxx_work_init_, KCXX_WORK_BYTES) /* kcxx/types.h */
void kcxx_work_init(struct kcxx_work *work, void (*fn)(void *data), void *data);
/* Queues on the system workqueue; false when it was already queued. */
bool kcxx_schedule_work(struct kcxx_work *work);
/* Waits for a running instance and cancels a queued one; true when one was pending. */
bool kcxx_cancel_work_sync(struct kcxx_work *work);

KCXX_EXTERN_C_END

#endif /* KCXX_WORK_H */
