/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/spinlock.h> and <linux/mutex.h>. */
#ifndef KCXX_LOCK_H
#define KCXX_LOCK_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/*
 * Storage for a spinlock_t or a struct mutex inside C++ objects, which cannot see their
 * definitions. shim/lock.c asserts that the real types fit. Sized from the kernel's own config
 * (kbuild-cxx.mk gives C++ objects the kernel's autoconf.h, as C ones have it): a production
 * config (Debian's) needs 4 and 32 bytes; lock debugging (DEBUG_SPINLOCK, DEBUG_MUTEXES),
 * lockdep's map in every lock (DEBUG_LOCK_ALLOC, with LOCK_STAT's fields) and PREEMPT_RT's
 * sleeping spinlocks need more. The init functions carry the sizes in their names
 * (KCXX_SIZED): C and C++ that disagree do not link.
 */
#if defined(CONFIG_DEBUG_LOCK_ALLOC) || defined(CONFIG_DEBUG_SPINLOCK) || defined(CONFIG_PREEMPT_RT)
#define KCXX_SPINLOCK_BYTES 128
#else
#define KCXX_SPINLOCK_BYTES 8
#endif
#if defined(CONFIG_DEBUG_LOCK_ALLOC) || defined(CONFIG_DEBUG_MUTEXES) || \
	defined(CONFIG_DEBUG_SPINLOCK) || defined(CONFIG_PREEMPT_RT)
#define KCXX_MUTEX_BYTES 256
#else
#define KCXX_MUTEX_BYTES 32
#endif
struct kcxx_spinlock {
	unsigned char storage[KCXX_SPINLOCK_BYTES] __attribute__((__aligned__(8)));
};
struct kcxx_mutex {
	unsigned char storage[KCXX_MUTEX_BYTES] __attribute__((__aligned__(8)));
};

#define kcxx_spin_lock_init KCXX_SIZED(kcxx_spin_lock_init_, KCXX_SPINLOCK_BYTES)
#define kcxx_mutex_init KCXX_SIZED(kcxx_mutex_init_, KCXX_MUTEX_BYTES)
void kcxx_spin_lock_init(struct kcxx_spinlock *lock);
unsigned long kcxx_spin_lock_irqsave(struct kcxx_spinlock *lock);
void kcxx_spin_unlock_irqrestore(struct kcxx_spinlock *lock, unsigned long flags);

void kcxx_mutex_init(struct kcxx_mutex *lock);
void kcxx_mutex_lock(struct kcxx_mutex *lock);
void kcxx_mutex_unlock(struct kcxx_mutex *lock);

KCXX_EXTERN_C_END

#endif /* KCXX_LOCK_H */
