// SPDX-License-Identifier: GPL-2.0
// Spinlock and mutex with scope guards.
#pragma once

#include "kcxx/lock.h"
#include "kcxx/utility.hpp"

namespace kcxx {

class SpinLock : NoCopy {
      public:
	SpinLock() { kcxx_spin_lock_init(&lock_); }
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
	Mutex() { kcxx_mutex_init(&lock_); }
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
