// SPDX-License-Identifier: GPL-2.0
// AER requests from pciback (the shared page's aer_op): each read once, vetted, handed to the
// bound driver's error handler of a device on our buses, and answered.
#pragma once

#include "connection.hpp"
#include "kcxx/work.hpp"
#include "lib/aer_budget.hpp"

namespace pcifront
{

class Aer : kcxx::NoCopy
{
      public:
	Aer(Connection &conn, xen::XenbusDevice xdev);
	Aer(Aer &&) = delete;

	// Requests are answered only while our devices are in place. Before a connection's scan,
	// and from the moment its devices go for a reload, a request waits in the page (as it does
	// while the connection is kept for a reload): answered then, it would be 'none' for a
	// device merely not added yet, and pciback kills the domain on 'none'.
	// serve(): the devices are in place; answer what is pending. Process context.
	void serve();
	// serve_ending(): the connection ends; requests are answered until finish(), those for a
	// device already removed as the AER core answers for a device without a driver (not
	// 'none', on which pciback flags the domain's AER as failed). Process context.
	void serve_ending();
	// hold(): requests wait from now on; returns once a running handler has finished.
	// Process context.
	void hold();
	// finish(): hold(), then what is pending is answered if serve_ending() was called.
	// Process context.
	void finish();
	// If a request is pending on the page, handle it in process context. Any context. True
	// when this queued the handler for one (so the event that told us was worth an
	// interrupt); false when none is pending, while held, or when it was queued already.
	bool poke();
	uint64_t requests() const { return __atomic_load_n(&requests_, __ATOMIC_RELAXED); }
	uint64_t unhandled() const { return __atomic_load_n(&unhandled_, __ATOMIC_RELAXED); }

      private:
	void start(bool ending);
	static void on_work(void *data);
	void work();
	bool reply();	    // answers the pending request, if any and within budget: true if it did
	void over_budget(); // says that a request waits for want of budget
	// What to answer @op: the driver's own verdict, or the AER core's for a device without one.
	uint32_t answer(const xen_pcie_aer_op &op);
	// The answer for a device not under our buses.
	uint32_t absent(const xen_pcie_aer_op &op, AerStep step);
	void count(uint64_t *c) { __atomic_add_fetch(c, 1, __ATOMIC_RELAXED); }

	Connection &conn_;
	xen::XenbusDevice xdev_;
	kcxx::Work work_{on_work, this}; // set up with the object: a live handler may queue it
	bool serving_ = false;		 // serve() .. hold()
	bool ending_ = false;		 // serve_ending() .. serve() or finish()
	AerBudget budget_;
	uint64_t requests_ = 0;
	uint64_t unhandled_ = 0;
};

} // namespace pcifront
