// SPDX-License-Identifier: GPL-2.0
// The xenbus "pci" frontend: the backend's states, the connection's life, hotplug rounds,
// debugfs, and the C entry points.
#include "frontend.hpp"

#include "entry.h"
#include "kcxx/alloc.hpp"
#include "kcxx/pci.hpp"
#include "xpf/evtchn.h"
#include "xpf/hotplug.h"

namespace pcifront
{

using kcxx::Result;

namespace
{
constexpr int kFsmRounds = 4;
long live_frontends;
} // namespace

// ---- object life --------------------------------------------------------------------------------

kcxx::LockClass Frontend::state_lock_class_{"xpf_frontend.state_lock", {}};

Frontend::Frontend(struct xenbus_device *xdev) : xdev_(xdev), name_(xdev_.nodename())
{
	__atomic_add_fetch(&live_frontends, 1, __ATOMIC_RELAXED);
}

Frontend::~Frontend()
{
	teardown();
	__atomic_sub_fetch(&live_frontends, 1, __ATOMIC_RELAXED);
}

long Frontend::live()
{
	return __atomic_load_n(&live_frontends, __ATOMIC_RELAXED);
}

void Frontend::teardown()
{
	// This connection ends: AER requests are answered until just before its channel goes,
	// also when its devices never came (a connect that failed) or keep() held them before a
	// hand-over that failed. Unanswered, pciback would wait 300 s holding the semaphore every
	// pciback operation takes.
	if (conn_.up())
		aer_.serve_ending();
	// Devices first: their drivers' remove paths still use config space.
	roots_.remove_all();
	stop_serving();
	// What is pending is answered, and the AER work finished, before the port is closed: a
	// handler still answering would notify a port number another driver may have by then.
	aer_.finish();
	conn_.unbind();
	conn_.release();
}

// ---- xenbus state machine -----------------------------------------------------------------------

void Frontend::otherend_changed(int backend_state)
{
	kcxx::MutexGuard g(state_lock_);
	int be = backend_state;
	if (!conn_.up() && xdev_.state() == XenbusStateConnected) {
		if (!take_over(be))
			return;
		be = xdev_.otherend_state();
	}
	// Re-decide after each action with the backend's current state, so a state we missed
	// (the watch coalesces changes) is acted on now rather than never.
	for (int round = 0; round < kFsmRounds; ++round) {
		const int ours = xdev_.state();
		const FsmAction a = decide(ours, be);
		if (a == FsmAction::None)
			return;
		xdev_.log(KCXX_LOG_DEBUG, "backend %s, we are %s: %s", xenbus_state_name(be),
			  xenbus_state_name(ours), fsm_action_name(a));
		if (!act(a, be, ours))
			return;
		be = xdev_.otherend_state();
	}
}

bool Frontend::take_over(int be)
{
	auto r = be == XenbusStateConnected ? resume() : Result<void>(kcxx::err(-KCXX_ENOTCONN));
	if (r.ok())
		return true;
	// We close below: a connection still in the keeper (the backend is not Connected, or
	// resume() gave it back) is ended too, not left there (its slots are few, and its page
	// and channel would leak).
	(void)xpf_conn_close(xdev_.raw());
	xdev_.log(KCXX_LOG_ERR,
		  "xenstore says we are Connected but %s (%d): closing. pciback cannot "
		  "reconnect by itself; detach and attach the device again in the backend "
		  "domain (xl pci-detach / pci-attach)",
		  r.error() == -KCXX_ENOENT ? "no connection was kept from an earlier load"
					    : "the kept connection cannot be used",
		  r.error());
	disconnect();
	return false;
}

bool Frontend::act(FsmAction a, int be, int ours)
{
	switch (a) {
	case FsmAction::None:
		return false;
	// A failed publish or connect is undone before the toolstack hears of it: our Closing makes
	// pciback unmap the page, and the devices a connect already added still send ops through
	// it while their drivers are removed.
	case FsmAction::Publish:
		if (auto r = publish(); !r.ok()) {
			teardown();
			xdev_.fatal(r.error(), "publishing the shared page and event channel");
			return false;
		}
		return true;
	case FsmAction::Connect:
		if (auto r = connect(); !r.ok()) {
			teardown();
			xdev_.fatal(r.error(), "connecting to pciback");
			return false;
		}
		return true;
	case FsmAction::Reconfigure:
		if (auto r = reconfigure(); !r.ok()) {
			xdev_.fatal(r.error(), "answering the backend's Reconfiguring");
			return false;
		}
		return true;
	case FsmAction::Reconfigured:
		if (auto r = reconfigured(); !r.ok()) {
			xdev_.fatal(r.error(), "answering the backend's Reconfigured");
			return false;
		}
		return true;
	case FsmAction::Close:
		close();
		return false;
	case FsmAction::Protocol:
		__atomic_add_fetch(&protocol_events_, 1, __ATOMIC_RELAXED);
		xdev_.log_ratelimited(KCXX_LOG_WARNING,
				      "backend went to state %d (%s) while we are %s: ignored", be,
				      xenbus_state_name(be), xenbus_state_name(ours));
		return false;
	}
	return false;
}

// ---- the connection's life ----------------------------------------------------------------------

Result<void> Frontend::publish()
{
	TRY(conn_.publish());
	start_serving();
	TRY(xdev_.switch_state(XenbusStateInitialised));
	xdev_.log(KCXX_LOG_INFO,
		  "published page (grant %u) and event channel %u; Xen clock for the op wait: %s",
		  conn_.gref(), conn_.port(), xen_clock_kind_name(cs_.clock_kind()));
	return kcxx::ok();
}

Result<void> Frontend::resume()
{
	TRY(conn_.adopt());
	start_serving();
	xdev_.log(KCXX_LOG_INFO,
		  "took over the connection kept from the previous load (grant %u, event channel "
		  "%u); Xen clock for the op wait: %s",
		  conn_.gref(), conn_.port(), xen_clock_kind_name(cs_.clock_kind()));
	return connect();
}

Result<void> Frontend::connect()
{
	// A device-model stubdomain needs none (RootBuses::dma_ready): on 6.1 it would take 64 MiB
	// of a small domain's memory, and failing for want of it would fail QEMU's device.
	roots_.learn_role();
	if (const int e = roots_.stubdomain() ? 0
					      : kcxx::pci::xen_swiotlb_init_late(xdev_.dev()).error();
	    e < 0) {
		xdev_.log(KCXX_LOG_ERR,
			  "cannot set up xen-swiotlb (%d): devices could not DMA; try booting "
			  "the domain with swiotlb=force or more memory",
			  e);
		return kcxx::err(e);
	}
	// Without xen-swiotlb no device is added: the connection stays up, ready for a reboot
	// of the domain with the fix the log line names.
	if (roots_.dma_ready()) {
		const RootBuses::List list = roots_.read_list();
		TRY(roots_.scan(list.get()));
	}
	TRY(xdev_.switch_state(XenbusStateConnected));
	aer_.serve(); // a request that came while nobody served the page is answered now
	xdev_.log(KCXX_LOG_INFO, "connected: %d root bus%s", roots_.count(),
		  roots_.count() == 1 ? "" : "es");
	return kcxx::ok();
}

// Common to a new connection and one taken over after a reload: bookkeeping, config ops, the
// MSI transport, debugfs. AER requests wait for the devices (connect()).
void Frontend::start_serving()
{
	conn_.track(name_);
	cs_.start();
	// Before any device is added: drivers enable MSI in their probe.
	if (const int e = xpf_msi_attach(this); e == 0)
		msi_attached_ = true;
	else
		xdev_.log(KCXX_LOG_WARNING, "MSI/MSI-X unavailable (%d); drivers use INTx", e);
	debugfs_create();
}

// The reverse of start_serving(), up to the connection itself. Idempotent.
void Frontend::stop_serving()
{
	// Waits for an MSI op in flight; the devices (and so their vectors) are gone by now.
	if (msi_attached_) {
		xpf_msi_detach(this);
		msi_attached_ = false;
	}
	cs_.stop();
	stats_.reset(); // before its directory
	debugfs_.reset();
	conn_.untrack();
}

void Frontend::remove()
{
	kcxx::MutexGuard g(state_lock_);
	if (xdev_.vanished()) {
		// The directory may already be a new device's: nothing of ours is written there,
		// and a connection to a backend that is gone is not kept for a reload.
		xdev_.log(KCXX_LOG_WARNING,
			  "our xenstore directory was removed or reset (the backend domain died, "
			  "or the toolstack forced the device out): removing the devices and "
			  "closing the connection without writing to xenstore");
		(void)xpf_conn_close(xdev_.raw());
		teardown();
		return;
	}
	const int be = xdev_.otherend_state();
	if (cs_.keepable() && be == XenbusStateConnected && xdev_.state() == XenbusStateConnected &&
	    keep())
		return;
	disconnect();
}

bool Frontend::keep()
{
	// Devices go first (drivers unbound while config space still works), then the connection
	// is handed to the keeper in xen-pcifront-evtchn, still mapped by pciback. An AER request
	// from here on waits in the page for the next load (Aer::hold).
	aer_.hold();
	roots_.remove_all();
	stop_serving();
	conn_.stop_events();
	if (!conn_.hand_over())
		return false;
	xdev_.log(KCXX_LOG_INFO, "devices removed; connection to pciback kept for the next load");
	return true;
}

void Frontend::close()
{
	xdev_.log(KCXX_LOG_WARNING,
		  "backend is going away: removing its devices and disconnecting");
	disconnect();
}

void Frontend::disconnect()
{
	teardown();
	// allow_rebind keeps the xenbus core from writing Closed on remove: we always say it.
	(void)xdev_.switch_state(XenbusStateClosed);
}

// ---- PCI hotplug (xl pci-attach / pci-detach) --------------------------------------------------

// The backend is Reconfiguring (a detach): the list read once, the devices it names as Closing
// removed by xen-pcifront-hotplug, then the answer.
Result<void> Frontend::reconfigure()
{
	const RootBuses::List list = roots_.read_list();
	// Devices the backend is detaching go before we answer: pciback stops exporting them
	// when it sees Reconfiguring, and their drivers' remove paths still use config space.
	// Fail closed: a detach request we could not read is not answered. The caller reports
	// it (xenbus_dev_fatal), as the in-tree frontend does; answering would let pciback reset
	// a device whose driver is still bound.
	if (const int e = xpf_hotplug_detach(xdev_.raw(), list.get(), list.error()); e < 0) {
		__atomic_add_fetch(&protocol_events_, 1, __ATOMIC_RELAXED);
		return kcxx::err(e);
	}
	__atomic_add_fetch(&hotplug_rounds_, 1, __ATOMIC_RELAXED);
	cs_.forget_functions(); // the detached devices' addresses may come back with others
	return xdev_.switch_state(XenbusStateReconfiguring);
}

// The backend is Reconfigured (an attach): the list read once, our roots rescanned with it, and
// xen-pcifront-hotplug checks that each device it names as exported is there.
Result<void> Frontend::reconfigured()
{
	// Before the rescan: a backend may attach without a Reconfiguring round first.
	cs_.forget_functions();
	const RootBuses::List list = roots_.read_list();
	struct xpf_hotplug_seen seen;
	xpf_hotplug_attach_begin(xdev_.raw(), list.get(), &seen);
	const int rescan = roots_.dma_ready() ? roots_.scan(list.get()).error() : -KCXX_ENODEV;
	if (const int e =
		xpf_hotplug_attach_end(xdev_.raw(), list.get(), list.error(), &seen, rescan);
	    e < 0) {
		__atomic_add_fetch(&protocol_events_, 1, __ATOMIC_RELAXED);
		xdev_.log(KCXX_LOG_WARNING,
			  "hotplug: not every device the backend attached could be added "
			  "(%d); the others are in use",
			  e);
	}
	return xdev_.switch_state(XenbusStateConnected);
}

// ---- events and MSI ops -------------------------------------------------------------------------

xen::IrqReturn Frontend::on_event(int irq, void *data)
{
	auto *fe = static_cast<Frontend *>(data);
	// An AER event is worth an interrupt only when it queued the handler for a request we
	// answer: a backend that notifies again and again with the flag set, while the handler
	// is queued or requests are held, is flooding.
	const bool aer = fe->aer_.poke();
	// Op replies are consumed by the poller; an event that is neither the reply to an op we
	// sent nor an AER request counts as spurious, which makes Linux's late-EOI throttle a
	// flooding backend (EventCredit).
	Connection::ack(irq, fe->cs_.spurious_event(aer));
	return xen::kIrqHandled;
}

int Frontend::msi_op(struct pci_dev *pdev, const struct xen_pci_op &req, struct xen_pci_op *reply)
{
	// Only devices on our own root buses or below them.
	if (!roots_.owns(kcxx::PciDev(pdev).bus().raw()))
		return -KCXX_ENODEV;
	return cs_.msi_op(req, reply);
}

// ---- debugfs ------------------------------------------------------------------------------------

void Frontend::debugfs_create()
{
	if (debugfs_.get())
		return;
	// The node name is "device/pci/N": one directory per frontend, "frontend-N".
	const char *n = name_;
	for (const char *p = name_; *p; ++p)
		if (*p == '/')
			n = p + 1;
	char dir[32];
	kcxx::format(dir, sizeof(dir), "frontend-%s", n);
	if (debugfs_.create(dir, xpf_debugfs_root()))
		stats_.create<Frontend, &Frontend::show_stats>("stats", debugfs_.get(), this);
}

void Frontend::show_stats(kcxx::Seq &seq)
{
	cs_.show_head(seq);
	seq.print(
	    "aer_requests %llu aer_unhandled %llu protocol_events %llu msi_ops %llu "
	    "hotplug_rounds %llu\n",
	    static_cast<unsigned long long>(aer_.requests()),
	    static_cast<unsigned long long>(aer_.unhandled()),
	    static_cast<unsigned long long>(__atomic_load_n(&protocol_events_, __ATOMIC_RELAXED)),
	    static_cast<unsigned long long>(cs_.msi_ops()),
	    static_cast<unsigned long long>(__atomic_load_n(&hotplug_rounds_, __ATOMIC_RELAXED)));
	cs_.show_tail(seq);
}

} // namespace pcifront
