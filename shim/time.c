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

/*
 * The snapshot's clocksource-change count is a u8; a snapshot the kernel marks invalid (7.x:
 * timekeeping suspended) reports 256, which no valid one equals, so the caller treats it as a
 * clocksource change and stops trusting the counter.
 */
void kcxx_ktime_get_snapshot(uint64_t *cycles, uint64_t *raw_ns, uint32_t *cs_seq)
{
	struct system_time_snapshot snap = {};

#ifdef KCXX_SNAPSHOT_ID
	ktime_get_snapshot_id(CLOCK_MONOTONIC, &snap);
	if (!snap.valid) {
		*cycles = 0;
		*raw_ns = 0;
		*cs_seq = 256;
		return;
	}
#else
	ktime_get_snapshot(&snap);
#endif
	*cycles = snap.cycles;
#ifdef KCXX_SNAPSHOT_MONORAW
	*raw_ns = ktime_to_ns(snap.monoraw);
#else
	*raw_ns = ktime_to_ns(snap.raw);
#endif
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
