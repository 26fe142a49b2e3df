/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/timekeeping.h> and <linux/delay.h>. */
#ifndef KCXX_TIME_H
#define KCXX_TIME_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

uint64_t kcxx_ktime_get_ns(void);
/*
 * The current clocksource's counter, CLOCK_MONOTONIC_RAW and the timekeeper's count of
 * clocksource changes (it moves whenever the clocksource is switched), read together.
 */
void kcxx_ktime_get_snapshot(uint64_t *cycles, uint64_t *raw_ns, uint32_t *cs_seq);
void kcxx_msleep(unsigned int ms);
void kcxx_cpu_relax(void);

KCXX_EXTERN_C_END

#endif /* KCXX_TIME_H */
