// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-evtchn: the record of every event channel, irq and pirq the module set binds,
// its debugfs view, and a leak check when the set unloads.
#include "kcxx/alloc.hpp"
#include "kcxx/evtchn.h"
#include "entry.h"
#include "kcxx/debugfs.h"
#include "kcxx/log.h"
#include "kcxx/result.hpp"
#include "kcxx/sync.hpp"
#include "kcxx/xen.hpp"
#include "kcxx/xen_public.h"
#include "kcxx/xenbus.h"
#include "lib/irq_book.hpp"
#include "xpf/evtchn.h"

namespace
{

constexpr const char *kMod = "xen-pcifront-evtchn";

// One connection kept across a reload of the frontend module.
struct Parked {
	struct xenbus_device *xdev = nullptr; // referenced while parked
	struct xpf_conn conn = {};
	struct kcxx_irq_action action = {}; // our acknowledging handler, registered while parked
	int track = -1;
};

kcxx::LockClass lock_class{"xpf_evtchn.lock", {}};
kcxx::LockClass keeper_lock_class{"xpf_evtchn.keeper_lock", {}};

struct State {
	kcxx::SpinLock lock{lock_class};
	pcifront::IrqBook book;
	struct dentry *root = nullptr;
	struct kcxx_debugfs_show bindings_show = {};
	// request_irq/free_irq sleep: a mutex, not the spinlock
	kcxx::Mutex keeper_lock{keeper_lock_class};
	static constexpr int kMaxParked = 8;
	Parked parked[kMaxParked];
};

// Storage without a static constructor (modules run none): built in init, destroyed in exit.
kcxx::StaticBox<State> state;

int show_bindings(struct seq_file *m, void *)
{
	kcxx::SpinGuard g(state->lock);
	kcxx_seq_printf(m, "live %d high-water %d total %llu\n", state->book.count(),
			state->book.high_water(),
			static_cast<unsigned long long>(state->book.total_tracked()));
	kcxx_seq_printf(m, "%-6s %-11s %-7s %-5s %-5s %s\n", "handle", "kind", "evtchn", "irq",
			"pirq", "owner");
	state->book.for_each([m](int h, const pcifront::Binding &b) {
		kcxx_seq_printf(m, "%-6d %-11s %-7u %-5d %-5d %s\n", h,
				pcifront::binding_kind_name(b.kind), b.evtchn, b.irq, b.pirq,
				b.owner);
	});
	return 0;
}

// While parked nobody serves the page: acknowledge events so the late-EOI channel stays usable;
// an AER request stays flagged in the page for the frontend that adopts the connection.
enum kcxx_irqreturn parked_event(int irq, void *)
{
	kcxx_xen_irq_lateeoi(irq, false);
	return KCXX_IRQ_HANDLED;
}

// Ends a parked connection for good: tell pciback we are gone (it unmaps the page), then close
// the channel and end the grant (the kernel frees the page once the backend has unmapped it).
// When the device vanished (its xenstore directory removed or already a new device's, see
// xen::vanished), nothing is written there.
void release_parked(Parked &p, bool vanished)
{
	kcxx_log(kMod, vanished ? KCXX_LOG_WARNING : KCXX_LOG_INFO,
		 vanished ? "%s: the device vanished from xenstore: closing the connection kept "
			    "for it without writing there"
			  : "%s: closing the connection kept for a reload",
		 kcxx_xenbus_nodename(p.xdev));
	if (!vanished)
		(void)kcxx_xenbus_switch_state(p.xdev, XenbusStateClosed);
	kcxx_unbind_irq(p.conn.irq, &p.action);
	kcxx_xenbus_teardown_ring(&p.conn.page, &p.conn.gref);
	if (p.track >= 0)
		xpf_evtchn_untrack(p.track);
	kcxx_xenbus_put(p.xdev);
	p = Parked();
}

// Connections kept for devices that have since vanished are ended (keeper_lock held).
int sweep_vanished()
{
	int n = 0;
	for (Parked &p : state->parked) {
		if (p.xdev && xen::vanished(p.xdev)) {
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
		p.action.handler = parked_event;
		p.action.data = &p;
		if (const int e =
			kcxx_request_evtchn_irq(conn->irq, &p.action, "xen-pcifront-parked");
		    e < 0)
			return e;
		kcxx_xenbus_get(xdev);
		p.xdev = xdev;
		p.conn = *conn;
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
		if (p.xdev != xdev)
			continue;
		kcxx_free_irq(p.conn.irq, &p.action);
		if (p.track >= 0)
			xpf_evtchn_untrack(p.track);
		*conn = p.conn;
		kcxx_xenbus_put(p.xdev);
		p = Parked();
		return 0;
	}
	return -KCXX_ENOENT;
}

extern "C" int xpf_conn_close(struct xenbus_device *xdev)
{
	kcxx::MutexGuard g(state->keeper_lock);
	for (Parked &p : state->parked) {
		if (p.xdev != xdev)
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
	return state->root;
}

extern "C" int xpf_evtchn_init(void)
{
	state.create();
	state->root = kcxx_debugfs_create_dir("xen-pcifront-cxx", nullptr);
	state->bindings_show.show = show_bindings;
	kcxx_debugfs_create_show("bindings", state->root, &state->bindings_show);
	kcxx_log(kMod, KCXX_LOG_INFO, "binding bookkeeping ready (up to %d slots, allocated on use)",
		 pcifront::IrqBook::kCapacity);
	// Which clock a bounded event-channel poll can use for Xen's absolute deadline.
	uint64_t now = 0;
	const int r = kcxx_xen_system_time_ns(&now);
	if (r == 0)
		kcxx_log(kMod, KCXX_LOG_INFO, "Xen system time from vCPU0's pvclock: %llu ns",
			 static_cast<unsigned long long>(now));
	else
		kcxx_log(kMod, KCXX_LOG_INFO, "no Xen system time from pvclock (%d)", r);
	return 0;
}

extern "C" void xpf_evtchn_exit(void)
{
	{
		kcxx::MutexGuard g(state->keeper_lock);
		for (Parked &p : state->parked)
			if (p.xdev)
				release_parked(p, xen::vanished(p.xdev));
	}
	// The modules that track bindings depend on this one, so they are gone by now: anything
	// still recorded leaked.
	state->book.for_each([](int h, const pcifront::Binding &b) {
		kcxx_log(kMod, KCXX_LOG_ERR, "leak: %s evtchn %u irq %d pirq %d of %s (handle %d)",
			 pcifront::binding_kind_name(b.kind), b.evtchn, b.irq, b.pirq, b.owner, h);
	});
	kcxx_debugfs_remove(state->root);
	state.destroy();
}
