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
/*
 * A lockdep class: lockdep tells locks apart by the address of a struct lock_class_key in static
 * storage (a module's data or bss; never the heap). Every lock of the set is initialised with a
 * key and a name of its own (kcxx::LockClass), so that a report names the lock, and locks of
 * different jobs are never one class, whichever module's copy of this shim initialised them.
 * Without lockdep the key is empty: one byte, unused.
 */
#ifdef CONFIG_LOCKDEP
#define KCXX_LOCK_KEY_BYTES 16
#else
#define KCXX_LOCK_KEY_BYTES 1
#endif
struct kcxx_lock_key {
	unsigned char storage[KCXX_LOCK_KEY_BYTES] __attribute__((__aligned__(8)));
};

struct kcxx_spinlock {
	unsigned char storage[KCXX_SPINLOCK_BYTES] __attribute__((__aligned__(8)));
};
struct kcxx_mutex {
	unsigned char storage[KCXX_MUTEX_BYTES] __attribute__((__aligned__(8)));
};

#define kcxx_spin_lock_init \
	KCXX_SIZED2(kcxx_spin_lock_init_, KCXX_SPINLOCK_BYTES, KCXX_LOCK_KEY_BYTES)
#define kcxx_mutex_init KCXX_SIZED2(kcxx_mutex_init_, KCXX_MUTEX_BYTES, KCXX_LOCK_KEY_BYTES)
/* name: what lockdep prints for the lock's class; key: that class, in static storage. */
void kcxx_spin_lock_init(struct kcxx_spinlock *lock, const char *name, struct kcxx_lock_key *key);
unsigned long kcxx_spin_lock_irqsave(struct kcxx_spinlock *lock);
void kcxx_spin_unlock_irqrestore(struct kcxx_spinlock *lock, unsigned long flags);

void kcxx_mutex_init(struct kcxx_mutex *lock, const char *name, struct kcxx_lock_key *key);
void kcxx_mutex_lock(struct kcxx_mutex *lock);
void kcxx_mutex_unlock(struct kcxx_mutex *lock);

KCXX_EXTERN_C_END

#endif /* KCXX_LOCK_H */
