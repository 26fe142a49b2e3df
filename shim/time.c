// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/timekeeping.h> and <linux/delay.h>. */
#include <linux/delay.h>
#include <linux/processor.h>
#include <linux/timekeeping.h>

#include "kcxx/time.h"

uint64_t kcxx_ktime_get_ns(void)
{
	return ktime_get_ns();
}

void kcxx_ktime_get_snapshot(uint64_t *cycles, uint64_t *raw_ns, uint32_t *cs_seq)
{
	struct system_time_snapshot snap;

	ktime_get_snapshot(&snap);
	*cycles = snap.cycles;
	*raw_ns = ktime_to_ns(snap.raw);
	*cs_seq = snap.cs_was_changed_seq;
}

void kcxx_msleep(unsigned int ms)
{
	msleep(ms);
}

void kcxx_cpu_relax(void)
{
	cpu_relax();
}
