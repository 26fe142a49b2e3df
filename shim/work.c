// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/workqueue.h>. */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/workqueue.h>

#include "kcxx/work.h"

static_assert(sizeof(struct work_struct) <= sizeof(((struct kcxx_work *)0)->storage) &&
	      __alignof__(struct work_struct) <= 8);
static_assert(offsetof(struct kcxx_work, storage) == 0);

/* The storage is only ever used as a work_struct, at offset 0 of its kcxx_work. */
static struct work_struct *kcxx_ws(struct kcxx_work *work)
{
	return (struct work_struct *)work->storage;
}

static void kcxx_work_trampoline(struct work_struct *ws)
{
	struct kcxx_work *work = (struct kcxx_work *)ws;

	work->fn(work->data);
}

void kcxx_work_init(struct kcxx_work *work, void (*fn)(void *data), void *data)
{
	work->fn = fn;
	work->data = data;
	INIT_WORK(kcxx_ws(work), kcxx_work_trampoline);
}

bool kcxx_schedule_work(struct kcxx_work *work)
{
	return schedule_work(kcxx_ws(work));
}

bool kcxx_cancel_work_sync(struct kcxx_work *work)
{
	return cancel_work_sync(kcxx_ws(work));
}
