// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-evtchn: the record of every event channel, irq and pirq the module set binds,
// its debugfs view, and a leak check when the set unloads.
#include "xpf/evtchn.h"
#include "entry.h"
#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.hpp"
#include "kcxx/result.hpp"
#include "kcxx/sync.hpp"
#include "kcxx/xen.hpp"
#include "lib/irq_book.hpp"

namespace
{

constexpr const char *kMod = "xen-pcifront-evtchn";

// One connection kept across a reload of the frontend module.
struct Parked {
	xen::XenbusRef xdev; // set while a connection is parked here
	xen::SharedPage page;
	xen::IrqBinding irq; // the channel, with our acknowledging handler while parked
	int track = -1;
};

kcxx::LockClass lock_class{"xpf_evtchn.lock", {}};
kcxx::LockClass keeper_lock_class{"xpf_evtchn.keeper_lock", {}};

struct State {
	kcxx::SpinLock lock{lock_class};
	pcifront::IrqBook book;
	kcxx::DebugfsDir root;	    // xen-pcifront-cxx/: the set's, before the file in it
	kcxx::DebugfsFile bindings; // xen-pcifront-cxx/bindings
	// request_irq/free_irq sleep: a mutex, not the spinlock
	kcxx::Mutex keeper_lock{keeper_lock_class};
	static constexpr int kMaxParked = 8;
	Parked parked[kMaxParked];
};

// Storage without a static constructor (modules run none): built in init, destroyed in exit.
kcxx::StaticBox<State> state;

void show_bindings(kcxx::Seq &seq)
{
	kcxx::SpinGuard g(state->lock);
	seq.print("live %d high-water %d total %llu\n", state->book.count(),
		  state->book.high_water(),
		  static_cast<unsigned long long>(state->book.total_tracked()));
	seq.print("%-6s %-11s %-7s %-5s %-5s %s\n", "handle", "kind", "evtchn", "irq", "pirq",
		  "owner");
	state->book.for_each([&seq](int h, const pcifront::Binding &b) {
		seq.print("%-6d %-11s %-7u %-5d %-5d %s\n", h, pcifront::binding_kind_name(b.kind),
			  b.evtchn, b.irq, b.pirq, b.owner);
	});
}

// While parked nobody serves the page: acknowledge events so the late-EOI channel stays usable;
// an AER request stays flagged in the page for the frontend that adopts the connection. No op
// is outstanding, so no event is worth an interrupt: each counts as spurious, and Linux's
// late-EOI throttle slows a backend that notifies without end (an honest one sends at most an
// AER request's one event, which the throttle lets through at once).
xen::IrqReturn parked_event(int irq, void *)
{
	xen::IrqBinding::lateeoi(irq, true);
	return xen::kIrqHandled;
}

// Ends a parked connection for good: tell pciback we are gone (it unmaps the page), then close
// the channel and end the grant (the kernel frees the page once the backend has unmapped it).
// When the device vanished (its xenstore directory removed or already a new device's, see
// xen::vanished), nothing is written there.
void release_parked(Parked &p, bool vanished)
{
	const xen::XenbusDevice x(p.xdev.get());
	kcxx::log(kMod, vanished ? KCXX_LOG_WARNING : KCXX_LOG_INFO,
		  vanished ? "%s: the device vanished from xenstore: closing the connection kept "
			     "for it without writing there"
			   : "%s: closing the connection kept for a reload",
		  x.nodename());
	if (!vanished)
		(void)x.switch_state(XenbusStateClosed);
	p.irq.unbind(); // closes the channel
	p.page.reset(); // ends the grant
	if (p.track >= 0)
		xpf_evtchn_untrack(p.track);
	p.track = -1;
	p.xdev.reset();
}

// Connections kept for devices that have since vanished are ended (keeper_lock held).
int sweep_vanished()
{
	int n = 0;
	for (Parked &p : state->parked) {
		if (p.xdev && xen::vanished(p.xdev.get())) {
			release_parked(p, true);
			++n;
		}
	}
	return n;
}

} // namespace

extern "C" int xpf_conn_sweep(void)
{
	kcxx::MutexGuard g(state->keeper_lock);
	return sweep_vanished();
}

extern "C" int xpf_conn_park(struct xenbus_device *xdev, const struct xpf_conn *conn)
{
	kcxx::MutexGuard g(state->keeper_lock);
	(void)sweep_vanished();
	for (Parked &p : state->parked) {
		if (p.xdev)
			continue;
		if (auto r =
			p.irq.adopt(conn->irq, conn->port, "xen-pcifront-parked", parked_event, &p);
		    !r.ok())
			return r.error();
		p.page = xen::SharedPage::adopt(conn->page, conn->gref);
		p.xdev = xen::XenbusRef(xdev);
		const int h =
		    xpf_evtchn_track(XPF_BINDING_OP_CHANNEL, conn->port, conn->irq, -1, "parked");
		p.track = h >= 0 ? h : -1;
		return 0;
	}
	return -KCXX_ENOSPC;
}

extern "C" int xpf_conn_unpark(struct xenbus_device *xdev, struct xpf_conn *conn)
{
	kcxx::MutexGuard g(state->keeper_lock);
	(void)sweep_vanished();
	for (Parked &p : state->parked) {
		if (p.xdev.get() != xdev)
			continue;
		p.irq.park(&conn->irq, &conn->port); // our handler off, the channel still bound
		p.page.release(&conn->page, &conn->gref);
		if (p.track >= 0)
			xpf_evtchn_untrack(p.track);
		p.track = -1;
		p.xdev.reset();
		return 0;
	}
	return -KCXX_ENOENT;
}

extern "C" int xpf_conn_close(struct xenbus_device *xdev)
{
	kcxx::MutexGuard g(state->keeper_lock);
	for (Parked &p : state->parked) {
		if (p.xdev.get() != xdev)
			continue;
		release_parked(p, xen::vanished(xdev));
		return 0;
	}
	return -KCXX_ENOENT;
}

extern "C" int xpf_evtchn_track(enum xpf_binding_kind kind, uint32_t evtchn, int irq, int pirq,
				const char *owner)
{
	// Callers are in process context: a chunk of slots is allocated here, outside the lock,
	// when the book has no free slot, and then added under it (or freed when another caller
	// added one first). Declared before the guard: freed after the unlock.
	kcxx::Box<pcifront::BindingChunk> spare;
	for (;;) {
		{
			kcxx::SpinGuard g(state->lock);
			if (spare)
				(void)state->book.grow(spare);
			auto r = state->book.track(static_cast<pcifront::BindingKind>(kind), evtchn,
						   irq, pirq, owner);
			if (r.ok())
				return *r.get();
			if (r.error() != -KCXX_ENOSPC || state->book.full() || spare)
				return r.error();
		}
		auto c = kcxx::try_make_box<pcifront::BindingChunk>(KCXX_GFP_KERNEL);
		if (!c.ok())
			return c.error();
		spare = kcxx::move(c).value_assumed_ok_or_bug();
	}
}

extern "C" int xpf_evtchn_untrack(int handle)
{
	kcxx::SpinGuard g(state->lock);
	return state->book.untrack(handle).error();
}

extern "C" int xpf_evtchn_count(void)
{
	kcxx::SpinGuard g(state->lock);
	return state->book.count();
}

extern "C" struct dentry *xpf_debugfs_root(void)
{
	return state->root.get();
}

extern "C" int xpf_evtchn_init(void)
{
	state.create();
	if (state->root.create_top("xen-pcifront-cxx"))
		state->bindings.create<show_bindings>("bindings", state->root.get());
	kcxx::log(kMod, KCXX_LOG_INFO,
		  "binding bookkeeping ready (up to %d slots, allocated on use)",
		  pcifront::IrqBook::kCapacity);
	// Which clock a bounded event-channel poll can use for Xen's absolute deadline.
	uint64_t now = 0;
	if (xen::system_time_ns(&now))
		kcxx::log(kMod, KCXX_LOG_INFO, "Xen system time from vCPU0's pvclock: %llu ns",
			  static_cast<unsigned long long>(now));
	else
		kcxx::log(kMod, KCXX_LOG_INFO, "no Xen system time from pvclock");
	return 0;
}

extern "C" void xpf_evtchn_exit(void)
{
	{
		kcxx::MutexGuard g(state->keeper_lock);
		for (Parked &p : state->parked)
			if (p.xdev)
				release_parked(p, xen::vanished(p.xdev.get()));
	}
	// The modules that track bindings depend on this one, so they are gone by now: anything
	// still recorded leaked.
	state->book.for_each([](int h, const pcifront::Binding &b) {
		kcxx::log(kMod, KCXX_LOG_ERR, "leak: %s evtchn %u irq %d pirq %d of %s (handle %d)",
			  pcifront::binding_kind_name(b.kind), b.evtchn, b.irq, b.pirq, b.owner, h);
	});
	state.destroy(); // its debugfs file, then its directory, go first
}
