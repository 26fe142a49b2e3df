// SPDX-License-Identifier: GPL-2.0
// Spinlock and mutex with scope guards.
#pragma once

#include "kcxx/lock.h"
#include "kcxx/utility.hpp"

namespace kcxx {

// A lock's lockdep class: its name in lockdep's reports and /proc/lockdep, and its key. Declare
// one per lock, at namespace scope (static storage, constant-initialised, as lockdep requires):
//   kcxx::LockClass op_lock_class{"xpf_frontend.op_lock", {}};
struct LockClass {
	const char *name;
	struct kcxx_lock_key key;
};

class SpinLock : NoCopy {
      public:
	explicit SpinLock(LockClass &c) { kcxx_spin_lock_init(&lock_, c.name, &c.key); }
	SpinLock(SpinLock &&) = delete;

      private:
	friend class SpinGuard;
	struct kcxx_spinlock lock_;
};

// Holds the lock with local interrupts off for its scope.
class [[nodiscard]] SpinGuard : NoCopy {
      public:
	explicit SpinGuard(SpinLock &l) : lock_(l), flags_(kcxx_spin_lock_irqsave(&l.lock_)) {}
	SpinGuard(SpinGuard &&) = delete;
	~SpinGuard() { kcxx_spin_unlock_irqrestore(&lock_.lock_, flags_); }

      private:
	SpinLock &lock_;
	unsigned long flags_;
};

class Mutex : NoCopy {
      public:
	explicit Mutex(LockClass &c) { kcxx_mutex_init(&lock_, c.name, &c.key); }
	Mutex(Mutex &&) = delete;

      private:
	friend class MutexGuard;
	struct kcxx_mutex lock_;
};

class [[nodiscard]] MutexGuard : NoCopy {
      public:
	explicit MutexGuard(Mutex &m) : m_(m) { kcxx_mutex_lock(&m.lock_); }
	MutexGuard(MutexGuard &&) = delete;
	~MutexGuard() { kcxx_mutex_unlock(&m_.lock_); }

      private:
	Mutex &m_;
};

} // namespace kcxx
