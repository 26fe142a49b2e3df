// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/spinlock.h> and <linux/mutex.h>. */
#include <linux/build_bug.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "kcxx/lock.h"

static_assert(sizeof(spinlock_t) <= sizeof(struct kcxx_spinlock) &&
	      __alignof__(spinlock_t) <= __alignof__(struct kcxx_spinlock));
static_assert(sizeof(struct mutex) <= sizeof(struct kcxx_mutex) &&
	      __alignof__(struct mutex) <= __alignof__(struct kcxx_mutex));
static_assert(sizeof(struct lock_class_key) <= sizeof(struct kcxx_lock_key) &&
	      __alignof__(struct lock_class_key) <= __alignof__(struct kcxx_lock_key));

/* The storage is only ever used as the one kernel type each wrapper names. */
static struct lock_class_key *kcxx_key(struct kcxx_lock_key *key)
{
	return (struct lock_class_key *)key->storage;
}

static spinlock_t *kcxx_spin(struct kcxx_spinlock *lock)
{
	return (spinlock_t *)lock->storage;
}

static struct mutex *kcxx_mtx(struct kcxx_mutex *lock)
{
	return (struct mutex *)lock->storage;
}

/* The caller's key is static storage (kcxx::LockClass), as lockdep requires of a class key. */
void kcxx_spin_lock_init(struct kcxx_spinlock *lock, const char *name, struct kcxx_lock_key *key)
{
	spin_lock_init(kcxx_spin(lock));
	lockdep_set_class_and_name(kcxx_spin(lock), kcxx_key(key), name);
}

unsigned long kcxx_spin_lock_irqsave(struct kcxx_spinlock *lock) __acquires(lock)
{
	unsigned long flags;

	spin_lock_irqsave(kcxx_spin(lock), flags);
	return flags;
}

void kcxx_spin_unlock_irqrestore(struct kcxx_spinlock *lock, unsigned long flags)
	__releases(lock)
{
	spin_unlock_irqrestore(kcxx_spin(lock), flags);
}

void kcxx_mutex_init(struct kcxx_mutex *lock, const char *name, struct kcxx_lock_key *key)
{
	mutex_init(kcxx_mtx(lock));
	lockdep_set_class_and_name(kcxx_mtx(lock), kcxx_key(key), name);
}

void kcxx_mutex_lock(struct kcxx_mutex *lock)
{
	mutex_lock(kcxx_mtx(lock));
}

void kcxx_mutex_unlock(struct kcxx_mutex *lock)
{
	mutex_unlock(kcxx_mtx(lock));
}
