/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/spinlock.h> and <linux/mutex.h>. */
#ifndef KCXX_LOCK_H
#define KCXX_LOCK_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/*
 * Storage for a spinlock_t or a struct mutex inside C++ objects, which cannot see their
 * definitions. shim/lock.c asserts that the real types fit. Sized for Debian's configs, which
 * have neither lockdep nor mutex debugging.
 */
struct kcxx_spinlock {
	unsigned char storage[8] __attribute__((__aligned__(8)));
};
struct kcxx_mutex {
	unsigned char storage[32] __attribute__((__aligned__(8)));
};

void kcxx_spin_lock_init(struct kcxx_spinlock *lock);
unsigned long kcxx_spin_lock_irqsave(struct kcxx_spinlock *lock);
void kcxx_spin_unlock_irqrestore(struct kcxx_spinlock *lock, unsigned long flags);

void kcxx_mutex_init(struct kcxx_mutex *lock);
void kcxx_mutex_lock(struct kcxx_mutex *lock);
void kcxx_mutex_unlock(struct kcxx_mutex *lock);

KCXX_EXTERN_C_END

#endif /* KCXX_LOCK_H */
