// SPDX-License-Identifier: GPL-2.0
// A work item on the system workqueue, initialised with its owner and cancelled (waiting for a
// running instance) before its owner goes.
#pragma once

#include "kcxx/utility.hpp"
#include "kcxx/work.h"

namespace kcxx
{

class Work : NoCopy
{
      public:
	// @fn(@data) runs in process context, once per schedule() that found it idle.
	Work(void (*fn)(void *data), void *data) { kcxx_work_init(&w_, fn, data); }
	Work(Work &&) = delete;
	~Work() { cancel(); }

	// Any context; false when it was queued already.
	bool schedule() { return kcxx_schedule_work(&w_); }
	// Waits for a running instance and drops a queued one: process context, and nothing may
	// schedule it again meanwhile for the wait to mean anything.
	void cancel() { (void)kcxx_cancel_work_sync(&w_); }

      private:
	struct kcxx_work w_;
};

} // namespace kcxx
