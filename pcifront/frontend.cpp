// SPDX-License-Identifier: GPL-2.0
// The xenbus "pci" frontend: connection, root buses, config ops, AER requests, debugfs.
#include "frontend.hpp"

#include "entry.h"
#include "kcxx/alloc.hpp"
#include "kcxx/evtchn.h"
#include "kcxx/log.h"
#include "kcxx/pci.h"
#include "kcxx/pci_ref.hpp"
#include "kcxx/time.h"
#include "lib/xsparse.hpp"
#include "xpf/evtchn.h"
#include "xpf/hotplug.h"

namespace pcifront
{

using kcxx::Result;

namespace
{

constexpr uint32_t kActive = 1u << _XEN_PCIF_active;
constexpr uint32_t kAerHandler = 1u << _XEN_PCIB_AERHANDLER;
constexpr uint32_t kAerActive = 1u << _XEN_PCIB_active;
constexpr int kPublishAttempts = 16;
constexpr int kFsmRounds = 4;

// The shared page's flags word is written by both ends: atomics, never plain accesses.
uint32_t load_flags(const xen_pci_sharedinfo *p)
{
	return __atomic_load_n(&p->flags, __ATOMIC_ACQUIRE);
}

// Keeps the compiler from re-reading shared memory in place of a copy we already validated.
inline void compiler_barrier()
{
	__asm__ __volatile__("" ::: "memory");
}

struct device *dev_of(struct xenbus_device *xdev)
{
	return kcxx_xenbus_to_device(xdev);
}

// What this module holds right now, for debugfs "objects": after any number of attach and
// detach cycles these must come back to where they were.
long live_frontends;
long live_roots;

void count(long *c, long d)
{
	__atomic_add_fetch(c, d, __ATOMIC_RELAXED);
}

// The shim's name for an AER step: the two enums list the steps in the same order.
static_assert(static_cast<int>(AerStep::ErrorDetected) == KCXX_AER_ERROR_DETECTED &&
		  static_cast<int>(AerStep::MmioEnabled) == KCXX_AER_MMIO_ENABLED &&
		  static_cast<int>(AerStep::SlotReset) == KCXX_AER_SLOT_RESET &&
		  static_cast<int>(AerStep::Resume) == KCXX_AER_RESUME,
	      "AerStep mirrors kcxx_pci_aer_step");
kcxx_pci_aer_step aer_step_kernel(AerStep s)
{
	return static_cast<kcxx_pci_aer_step>(s);
}

} // namespace


// ---- transport --------------------------------------------------------------------------------

xen_pci_sharedinfo *KernelTransport::page()
{
	return fe_.page_.as<xen_pci_sharedinfo>();
}

bool KernelTransport::active()
{
	return load_flags(page()) & kActive;
}

void KernelTransport::set_active()
{
	fe_.events_.op_sent();
	// A full barrier: the op we just wrote is visible before the backend can see the flag.
	__atomic_fetch_or(&page()->flags, kActive, __ATOMIC_SEQ_CST);
}

void KernelTransport::notify()
{
	kcxx_notify_remote_via_irq(fe_.irq_.irq());
}

uint64_t KernelTransport::now_ns()
{
	return kcxx_ktime_get_ns();
}

void KernelTransport::wait(uint64_t sent, uint64_t now, uint64_t deadline_ns)
{
	// Clear the port's pending bit before the last look at the flag: a reply that lands after
	// this look sets it again and ends the poll at once (unless another vCPU's handler
	// acknowledged it first: hence a poll never sleeps more than kPollSliceNs).
	kcxx_xen_clear_irq_pending(fe_.irq_.irq());
	if (!active())
		return;
	const uint64_t d = op_poll_deadline(fe_.clock_, sent, now, deadline_ns, fe_.spin_ns_);
	if (fe_.clock_.take_dropped())
		kcxx_dev_log(dev_of(fe_.xdev_), KCXX_LOG_WARNING,
			     "the clocksource changed: the 'xen' counter checked at connect is gone, "
			     "so config-op waits poll from now on (bounded by op_timeout_ms) until "
			     "the next connection");
	// d == 1 (spinning, or no Xen clock): a deadline Xen has passed, so the poll returns at
	// once (bounded by the caller's ktime deadline), as the in-tree frontend's always does; it
	// still yields the pCPU to Xen, which may run the backend on it.
	kcxx_xen_poll_irq_timeout(fe_.irq_.irq(), d);
	if (d == 1)
		kcxx_cpu_relax();
}

bool KernelClockSource::pvclock_ns(uint64_t *t)
{
	return kcxx_xen_system_time_ns(t) == 0;
}

ClockSample KernelClockSource::snapshot()
{
	ClockSample s;
	kcxx_ktime_get_snapshot(&s.cycles, &s.raw_ns, &s.cs_seq);
	return s;
}

bool KernelClockSource::runstate_entry_ns(uint64_t *t)
{
	return kcxx_xen_runstate_entry_ns(t) == 0;
}

void KernelClockSource::sleep_ms(unsigned int ms)
{
	kcxx_msleep(ms);
}

// ---- object life --------------------------------------------------------------------------------

kcxx::LockClass Frontend::state_lock_class_{"xpf_frontend.state_lock", {}};
kcxx::LockClass Frontend::op_lock_class_{"xpf_frontend.op_lock", {}};

Frontend::Frontend(struct xenbus_device *xdev)
    : xdev_(xdev), name_(kcxx_xenbus_nodename(xdev)),
      timeout_ns_(static_cast<uint64_t>(xpf_op_timeout_ms) * 1000000ull),
      spin_ns_(static_cast<uint64_t>(xpf_op_spin_us) * 1000ull)
{
	kcxx_work_init(&aer_work_, on_aer_work, this);
	count(&live_frontends, 1);
}

Frontend::~Frontend()
{
	teardown();
	count(&live_frontends, -1);
}

void Frontend::teardown()
{
	// Devices first: their drivers' remove paths still use config space.
	remove_roots();
	stop_serving();
	// No handler can queue AER work once the irq is unbound; then wait for a running one.
	irq_.unbind();
	kcxx_cancel_work_sync(&aer_work_);
	page_.reset();
}

// ---- xenbus state machine
// ------------------------------------------------------------------------

void Frontend::otherend_changed(int backend_state)
{
	kcxx::MutexGuard g(state_lock_);
	int be = backend_state;
	bool live;
	{
		kcxx::SpinGuard sg(op_lock_);
		live = live_;
	}
	if (!live && kcxx_xenbus_state(xdev_) == XenbusStateConnected) {
		// A previous load of this module left us Connected: take over its connection.
		auto r = be == XenbusStateConnected ? resume()
						    : kcxx::Result<void>(kcxx::err(-KCXX_ENOTCONN));
		if (!r.ok()) {
			// We close below: a connection still in the keeper (the backend is not
			// Connected, or resume() gave it back) is ended too, not left there (its
			// slots are few, and its page and channel would leak).
			(void)xpf_conn_close(xdev_);
			kcxx_dev_log(
			    dev_of(xdev_), KCXX_LOG_ERR,
			    "xenstore says we are Connected but %s (%d): closing. pciback "
			    "cannot reconnect by itself; detach and attach the device again "
			    "in the backend domain (xl pci-detach / pci-attach)",
			    r.error() == -KCXX_ENOENT
				? "no connection was kept from an earlier load"
				: "the kept connection cannot be used",
			    r.error());
			disconnect();
			return;
		}
		be = kcxx_xenbus_read_otherend_state(xdev_);
	}
	// Re-decide after each action with the backend's current state, so a state we missed
	// (the watch coalesces changes) is acted on now rather than never.
	for (int round = 0; round < kFsmRounds; ++round) {
		const int ours = kcxx_xenbus_state(xdev_);
		const FsmAction a = decide(ours, be);
		if (a == FsmAction::None)
			return;
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_DEBUG, "backend %s, we are %s: %s",
			     xenbus_state_name(be), xenbus_state_name(ours), fsm_action_name(a));
		switch (a) {
		case FsmAction::None:
			return;
		case FsmAction::Publish:
			if (auto r = publish(); !r.ok()) {
				kcxx_xenbus_dev_fatal(
				    xdev_, r.error(),
				    "publishing the shared page and event channel");
				teardown();
				return;
			}
			break;
		case FsmAction::Connect:
			if (auto r = connect(); !r.ok()) {
				kcxx_xenbus_dev_fatal(xdev_, r.error(), "connecting to pciback");
				teardown();
				return;
			}
			break;
		case FsmAction::Reconfigure:
			if (auto r = reconfigure(); !r.ok()) {
				kcxx_xenbus_dev_fatal(xdev_, r.error(),
						      "answering the backend's Reconfiguring");
				return;
			}
			break;
		case FsmAction::Reconfigured:
			if (auto r = reconfigured(); !r.ok()) {
				kcxx_xenbus_dev_fatal(xdev_, r.error(),
						      "answering the backend's Reconfigured");
				return;
			}
			break;
		case FsmAction::Close:
			close();
			return;
		case FsmAction::Protocol:
			++protocol_events_;
			kcxx_dev_log_ratelimited(dev_of(xdev_), KCXX_LOG_WARNING,
						 "backend went to state %d (%s) while we are %s: "
						 "ignored",
						 be, xenbus_state_name(be),
						 xenbus_state_name(ours));
			return;
		}
		be = kcxx_xenbus_read_otherend_state(xdev_);
	}
}

Result<void> Frontend::publish()
{
	page_ = TRY(xen::SharedPage::create(xdev_));
	// We handle AER requests: tell pciback before it maps the page.
	__atomic_store_n(&page_.as<xen_pci_sharedinfo>()->flags, kAerHandler, __ATOMIC_RELEASE);

	{
		auto ch = TRY(xen::EventChannel::create(xdev_));
		// Late EOI: the backend can notify without end; each event is acknowledged only
		// after our handler looked at it.
		TRY(irq_.bind(ch, xen::Eoi::Late, "xen-pcifront-cxx", on_event, this));
	}
	char ref[16], port[16];
	kcxx_snprintf(ref, sizeof(ref), "%u", page_.gref());
	kcxx_snprintf(port, sizeof(port), "%u", irq_.port());
	for (int attempt = 0;; ++attempt) {
		auto t = TRY(xen::Transaction::start());
		TRY(kcxx::to_result(kcxx_xenbus_write(t.id(), name_, "pci-op-ref", ref)));
		TRY(kcxx::to_result(kcxx_xenbus_write(t.id(), name_, "event-channel", port)));
		TRY(kcxx::to_result(kcxx_xenbus_write(t.id(), name_, "magic", XEN_PCI_MAGIC)));
		auto c = t.commit();
		if (c.ok())
			break;
		// -EAGAIN: another xenstore writer raced the transaction; redo all of it.
		if (c.error() != -KCXX_EAGAIN || attempt + 1 >= kPublishAttempts)
			return kcxx::err(c.error());
	}
	start_serving();
	TRY(kcxx::to_result(kcxx_xenbus_switch_state(xdev_, XenbusStateInitialised)));
	kcxx_dev_log(
	    dev_of(xdev_), KCXX_LOG_INFO,
	    "published page (grant %u) and event channel %u; Xen clock for the op wait: %s",
	    page_.gref(), irq_.port(), xen_clock_kind_name(clock_.kind()));
	return kcxx::ok();
}

// Common to a new connection and one taken over after a reload: AER work, bookkeeping, the
// clock, then config ops may flow.
void Frontend::start_serving()
{
	const int h = xpf_evtchn_track(XPF_BINDING_OP_CHANNEL, irq_.port(), irq_.irq(), -1, name_);
	track_handle_ = h >= 0 ? h : -1;
	detect_clock();
	{
		kcxx::SpinGuard g(op_lock_);
		// An op the previous load gave up on may still be in the backend's hands.
		if (load_flags(page_.as<xen_pci_sharedinfo>()) & kActive)
			chan_.assume_wedged();
		forget_functions(); // a new connection: whatever is behind it is read anew
		exported_ = ExportedSet{};
		live_ = true;
	}
	// Before any device is added: drivers enable MSI in their probe.
	msi_transport_.call = on_msi_call;
	msi_transport_.ctx = this;
	msi_transport_.name = name_;
	if (const int e = xpf_msi_attach(&msi_transport_); e == 0)
		msi_attached_ = true;
	else
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_WARNING,
			     "MSI/MSI-X unavailable (%d); drivers use INTx", e);
	debugfs_create();
	// An AER request may have arrived while nobody served the page.
	if (load_flags(page_.as<xen_pci_sharedinfo>()) & kAerActive)
		kcxx_schedule_work(&aer_work_);
}

// The reverse of start_serving(), up to the connection itself: no more ops, no counters view,
// no bookkeeping entry. Idempotent.
void Frontend::stop_serving()
{
	// Waits for an MSI op in flight; the devices (and so their vectors) are gone by now.
	if (msi_attached_) {
		xpf_msi_detach(&msi_transport_);
		msi_attached_ = false;
	}
	{
		kcxx::SpinGuard g(op_lock_);
		live_ = false;
	}
	if (debugfs_) {
		kcxx_debugfs_remove(debugfs_);
		debugfs_ = nullptr;
	}
	if (track_handle_ >= 0) {
		xpf_evtchn_untrack(track_handle_);
		track_handle_ = -1;
	}
}

Result<void> Frontend::resume()
{
	struct xpf_conn c;
	TRY(kcxx::to_result(xpf_conn_unpark(xdev_, &c)));
	page_ = xen::SharedPage::adopt(c.page, c.gref);
	if (auto r = irq_.adopt(c.irq, c.port, "xen-pcifront-cxx", on_event, this); !r.ok()) {
		// Give it back rather than lose a channel pciback still uses.
		page_.release(&c.page, &c.gref);
		if (xpf_conn_park(xdev_, &c) < 0)
			kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
				     "cannot take over or return the kept connection (irq %d)",
				     c.irq);
		return kcxx::err(r.error());
	}
	start_serving();
	kcxx_dev_log(
	    dev_of(xdev_), KCXX_LOG_INFO,
	    "took over the connection kept from the previous load (grant %u, event channel "
	    "%u); Xen clock for the op wait: %s",
	    page_.gref(), irq_.port(), xen_clock_kind_name(clock_.kind()));
	return connect();
}

void Frontend::remove()
{
	kcxx::MutexGuard g(state_lock_);
	if (xen::vanished(xdev_)) {
		// The directory may already be a new device's: nothing of ours is written there,
		// and a connection to a backend that is gone is not kept for a reload.
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_WARNING,
			     "our xenstore directory was removed or reset (the backend domain died, "
			     "or the toolstack forced the device out): removing the devices and "
			     "closing the connection without writing to xenstore");
		(void)xpf_conn_close(xdev_);
		teardown();
		return;
	}
	const int be = kcxx_xenbus_read_otherend_state(xdev_);
	bool keep = false;
	{
		kcxx::SpinGuard sg(op_lock_);
		keep = live_ && !chan_.wedged() && be == XenbusStateConnected &&
		       kcxx_xenbus_state(xdev_) == XenbusStateConnected;
	}
	if (keep) {
		// Devices go first (drivers unbound while config space still works), then the
		// connection is handed to the keeper in xen-pcifront-evtchn, still mapped by
		// pciback.
		remove_roots();
		stop_serving();
		struct xpf_conn c = {};
		irq_.park(&c.irq, &c.port);
		kcxx_cancel_work_sync(&aer_work_);
		page_.release(&c.page, &c.gref);
		if (const int e = xpf_conn_park(xdev_, &c); e == 0) {
			kcxx_dev_log(
			    dev_of(xdev_), KCXX_LOG_INFO,
			    "devices removed; connection to pciback kept for the next load");
			return;
		} else {
			kcxx_dev_log(dev_of(xdev_), KCXX_LOG_WARNING,
				     "cannot keep the connection for a reload (%d): closing it", e);
			// Take the pieces back so that teardown releases them.
			page_ = xen::SharedPage::adopt(c.page, c.gref);
			if (!irq_.adopt(c.irq, c.port, "xen-pcifront-cxx", on_event, this).ok())
				kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
					     "irq %d left bound without a handler", c.irq);
		}
	}
	disconnect();
}

Result<void> Frontend::read_roots(Bdf *roots, int *count)
{
	const char *be = kcxx_xenbus_otherend(xdev_);
	auto num = xen::XsString::read(KCXX_XBT_NIL, be, "root_num");
	if (!num.ok()) {
		if (num.error() != -KCXX_ENOENT)
			return kcxx::err(num.error());
		// Old backends publish no roots: the single root 0000:00.
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_INFO,
			     "backend lists no root_num: using 0000:00");
		roots[0] = Bdf{};
		*count = 1;
		return kcxx::ok();
	}
	auto listed = parse_count(num.get()->c_str(), num.get()->size(), kMaxRootBuses);
	if (!listed.ok()) {
		// The value itself is not printed: it is the backend's, and may be anything.
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
			     "backend's root_num is not a decimal count of at most %d: refusing the "
			     "connection",
			     kMaxRootBuses);
		return kcxx::err(listed.error());
	}
	const uint32_t n = *listed.get();
	for (uint32_t i = 0; i < n; ++i) {
		char key[16];
		kcxx_snprintf(key, sizeof(key), "root-%u", i);
		auto v = xen::XsString::read(KCXX_XBT_NIL, be, key);
		if (!v.ok()) {
			kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
				     "backend lists %u roots but %s/%s cannot be read (%d)", n, be,
				     key, v.error());
			return kcxx::err(v.error());
		}
		auto root = parse_root(v.get()->c_str(), v.get()->size());
		if (!root.ok()) {
			kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
				     "backend's %s is not \"segment:bus\" in hex within range: "
				     "refusing the connection",
				     key);
			return kcxx::err(root.error());
		}
		const Bdf r = *root.get();
		for (uint32_t j = 0; j < i; ++j)
			if (roots[j] == r) {
				kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
					     "backend lists root %04x:%02x twice", r.domain, r.bus);
				return kcxx::err(-KCXX_EINVAL);
			}
		roots[i] = r;
	}
	*count = static_cast<int>(n);
	return kcxx::ok();
}

Result<void> Frontend::connect()
{
	if (int e = kcxx_pci_xen_swiotlb_init_late(dev_of(xdev_)); e < 0) {
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
			     "cannot set up xen-swiotlb (%d): devices could not DMA; try booting "
			     "the domain with swiotlb=force or more memory",
			     e);
		return kcxx::err(e);
	}
	// Without xen-swiotlb no device is added: the connection stays up, ready for a reboot
	// of the domain with the fix the log line names.
	if (dma_ready())
		TRY(scan_roots());
	TRY(kcxx::to_result(kcxx_xenbus_switch_state(xdev_, XenbusStateConnected)));
	kcxx_dev_log(dev_of(xdev_), KCXX_LOG_INFO, "connected: %d root bus%s", nr_roots_,
		     nr_roots_ == 1 ? "" : "es");
	return kcxx::ok();
}

Result<void> Frontend::learn_exported(const Bdf *roots, int n)
{
	// 256 entries: not for the stack. Without memory the set stays unknown (round trips).
	auto list = kcxx::try_make_box<HotplugList>(KCXX_GFP_KERNEL);
	if (!list.ok()) {
		exported_next_.forget();
		return kcxx::err(list.error());
	}
	HotplugList *l = list.get()->get(); // the Result's Box, alive to the end
	if (auto r = xen::read_consistent(kcxx_xenbus_otherend(xdev_),
					  [l](xen::XsDir &rd) { return read_hotplug_list(rd, l); });
	    !r.ok()) {
		exported_next_.forget();
		return r;
	}
	return exported_next_.learn(*l, roots, n);
}

Result<void> Frontend::scan_roots()
{
	Bdf roots[kMaxRootBuses];
	int n = 0;
	TRY(read_roots(roots, &n));
	// The functions the backend lists: the scan's probes of every other function of a root
	// are then answered here. A list that is not whole leaves them all to the backend.
	if (auto r = learn_exported(roots, n); !r.ok())
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_INFO,
			     "the backend's device list (num_devs, state-N, vdev-N) is not whole "
			     "(%d): every function of the root buses is probed at the backend",
			     r.error());
	{
		kcxx::SpinGuard g(op_lock_);
		exported_ = exported_next_;
	}
	for (int i = 0; i < n; ++i)
		TRY(scan_root(roots[i]));
	return kcxx::ok();
}

// ---- PCI hotplug (xl pci-attach / pci-detach): the work is xen-pcifront-hotplug's ---------------

int Frontend::on_rescan(void *ctx)
{
	auto *fe = static_cast<Frontend *>(ctx);
	if (!fe->dma_ready())
		return -KCXX_ENODEV;
	return fe->scan_roots().error();
}

bool Frontend::dma_ready()
{
	if (kcxx_pci_xen_dma_ready())
		return true;
	// Since 6.5 only the kernel sets xen-swiotlb up, at boot, and only for a PV domain that
	// may get PCI devices (built with the in-tree frontend's option, and booted with a
	// device or with the host's memory map): a module cannot do it later.
	kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
		     "devices refused: this domain's kernel did not set up xen-swiotlb at boot, so "
		     "their DMA would reach the wrong memory. Add e820_host=1 to the domain's "
		     "config (or give it a PCI device at creation) and restart it");
	return false;
}

Result<void> Frontend::reconfigure()
{
	const struct xpf_hotplug_frontend hp = {xdev_, on_rescan, this};
	// Devices the backend is detaching go before we answer: pciback stops exporting them
	// when it sees Reconfiguring, and their drivers' remove paths still use config space.
	// Fail closed: a detach request we could not read is not answered. The caller reports
	// it (xenbus_dev_fatal), as the in-tree frontend does; answering would let pciback reset
	// a device whose driver is still bound.
	if (const int e = xpf_hotplug_reconfiguring(&hp); e < 0) {
		++protocol_events_;
		return kcxx::err(e);
	}
	{
		kcxx::SpinGuard g(op_lock_);
		++hotplug_rounds_;
		forget_functions(); // the detached devices' addresses may come back with others
	}
	return kcxx::to_result(kcxx_xenbus_switch_state(xdev_, XenbusStateReconfiguring));
}

Result<void> Frontend::reconfigured()
{
	const struct xpf_hotplug_frontend hp = {xdev_, on_rescan, this};
	{
		// Again before the rescan: a backend may attach without a Reconfiguring round first.
		kcxx::SpinGuard g(op_lock_);
		forget_functions();
	}
	if (const int e = xpf_hotplug_reconfigured(&hp); e < 0) {
		++protocol_events_;
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_WARNING,
			     "hotplug: not every device the backend attached could be added "
			     "(%d); the others are in use",
			     e);
	}
	return kcxx::to_result(kcxx_xenbus_switch_state(xdev_, XenbusStateConnected));
}

bool Frontend::owns(struct pci_bus *bus)
{
	// By the host bridge's parent, which is safe for any bus: a foreign bus's sysdata is not
	// ours to read (kcxx_pci_bus_owner). xen-pcifront-hotplug checks the same way.
	return kcxx_pci_bus_host_parent(bus) == dev_of(xdev_);
}

int Frontend::claim_one(struct pci_dev *pdev, void *data)
{
	auto *fe = static_cast<Frontend *>(data);
	const int nres = kcxx_pci_num_resources();
	for (int bar = 0; bar < nres; ++bar) {
		if (!kcxx_pci_resource_unclaimed(pdev, bar))
			continue;
		const int e = kcxx_pci_claim_resource(pdev, bar);
		if (e)
			kcxx_dev_log(
			    dev_of(fe->xdev_), KCXX_LOG_ERR,
			    "%s: BAR %d [%#llx, %llu bytes] cannot be claimed (%d): it "
			    "overlaps guest RAM or another device. The device stays "
			    "offline; add e820_host=1 to the domain's config",
			    kcxx_pci_name(pdev), bar,
			    static_cast<unsigned long long>(kcxx_pci_resource_start(pdev, bar)),
			    static_cast<unsigned long long>(kcxx_pci_resource_len(pdev, bar)), e);
	}
	return 0;
}

Result<void> Frontend::scan_root(const Bdf &root)
{
	kcxx_pci_lock_rescan_remove();
	struct pci_bus *bus =
	    kcxx_pci_find_bus(static_cast<int>(root.domain), static_cast<int>(root.bus));
	if (bus && !owns(bus)) {
		kcxx_pci_unlock_rescan_remove();
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR,
			     "PCI bus %04x:%02x already exists and is not ours: is another PCI "
			     "frontend loaded?",
			     root.domain, root.bus);
		return kcxx::err(-KCXX_EEXIST);
	}
	if (!bus) {
		if (nr_roots_ >= kMaxRootBuses) {
			kcxx_pci_unlock_rescan_remove();
			return kcxx::err(-KCXX_ENOSPC);
		}
		bus = kcxx_pci_scan_root_bus(dev_of(xdev_), static_cast<int>(root.domain), root.bus,
					     &xpf_pci_ops, this);
		if (!bus) {
			kcxx_pci_unlock_rescan_remove();
			kcxx_dev_log(dev_of(xdev_), KCXX_LOG_ERR, "cannot create PCI bus %04x:%02x",
				     root.domain, root.bus);
			return kcxx::err(-KCXX_ENOMEM);
		}
		roots_[nr_roots_++] = bus;
		count(&live_roots, 1);
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_INFO, "PCI bus %04x:%02x created", root.domain,
			     root.bus);
	}
	// pci_scan_root_bus() looks at function 0 of each slot only; pciback may export other
	// functions alone, so probe every devfn not yet known.
	for (unsigned int devfn = 0; devfn < 256; ++devfn) {
		if (struct pci_dev *d = kcxx_pci_get_slot(bus, devfn)) {
			kcxx_pci_dev_put(d);
			continue;
		}
		if (kcxx_pci_scan_single_device(bus, devfn))
			kcxx_dev_log(dev_of(xdev_), KCXX_LOG_INFO, "found %s",
				     bdf_name({root.domain, root.bus, devfn}).text);
	}
	// BARs are fixed by the backend: claim them as they are before the devices go live.
	kcxx_pci_walk_bus(bus, claim_one, this);
	kcxx_pci_bus_add_devices(bus);
	kcxx_pci_unlock_rescan_remove();
	return kcxx::ok();
}

void Frontend::remove_roots()
{
	if (!nr_roots_)
		return;
	kcxx_pci_lock_rescan_remove();
	while (nr_roots_ > 0) {
		struct pci_bus *bus = roots_[--nr_roots_];
		roots_[nr_roots_] = nullptr;
		kcxx_pci_remove_root_bus(bus);
		count(&live_roots, -1);
	}
	kcxx_pci_unlock_rescan_remove();
}

void Frontend::close()
{
	kcxx_dev_log(dev_of(xdev_), KCXX_LOG_WARNING,
		     "backend is going away: removing its devices and disconnecting");
	disconnect();
}

void Frontend::disconnect()
{
	teardown();
	// allow_rebind keeps the xenbus core from writing Closed on remove: we always say it.
	(void)kcxx_xenbus_switch_state(xdev_, XenbusStateClosed);
}

// ---- time
// ----------------------------------------------------------------------------------------

void Frontend::detect_clock()
{
	if (clock_.detect() == XenClockKind::None)
		kcxx_dev_log(dev_of(xdev_), KCXX_LOG_NOTICE,
			     "no Xen system time source (TSC not stable and the clocksource is "
			     "not 'xen'): waits for the backend spin instead of blocking");
}

// ---- config ops
// ----------------------------------------------------------------------------------

void Frontend::forget_functions()
{
	cache_.clear();
	vet_.clear();
}

int Frontend::conf_op(uint32_t cmd, struct pci_bus *bus, unsigned int devfn, int where, int size,
		      uint32_t *val)
{
	const bool read = cmd == XEN_PCI_OP_conf_read;
	Bdf bdf;
	bdf.domain = static_cast<uint32_t>(kcxx_pci_bus_domain_nr(bus));
	bdf.bus = kcxx_pci_bus_number(bus);
	bdf.devfn = devfn;
	auto req = make_conf_op(cmd, bdf, where, size, read ? 0 : *val);
	if (!req.ok())
		return KCXX_PCIBIOS_BAD_REGISTER_NUMBER;

	kcxx::SpinGuard g(op_lock_);
	if (!live_)
		return KCXX_PCIBIOS_DEVICE_NOT_FOUND;
	const bool cache_on = __atomic_load_n(&xpf_config_cache, __ATOMIC_RELAXED);
	if (read && cache_on && exported_.absent(bdf)) {
		// What pciback answers for a function it does not export (dev_not_found).
		++absent_answered_;
		return xen_pci_err_to_pcibios(XEN_PCI_ERR_dev_not_found);
	}
	if (read && where == 0) {
		if (vet_.hidden(bdf))
			return xen_pci_err_to_pcibios(XEN_PCI_ERR_dev_not_found);
		if (vet_.vet_needed(bdf, where)) {
			uint32_t hdr = 0;
			auto hreq = make_conf_op(XEN_PCI_OP_conf_read, bdf, HeaderVet::kHeaderTypeReg,
						 1, 0);
			const int rc = hreq.ok() ? round_trip(*hreq.get(), &hdr, cache_on)
						 : KCXX_PCIBIOS_BAD_REGISTER_NUMBER;
			if (rc != KCXX_PCIBIOS_SUCCESSFUL)
				return rc; // the core, reading the header itself, would skip it
			if (!vet_.vet(bdf, hdr)) {
				kcxx_dev_log_ratelimited(
				    dev_of(xdev_), KCXX_LOG_ERR,
				    "%s has header type %#04x, none the PCI core knows (0, 1, 2): "
				    "hidden from the scan. Check what dom0 exports",
				    bdf_name(bdf).text, hdr & 0xff);
				return xen_pci_err_to_pcibios(XEN_PCI_ERR_dev_not_found);
			}
		}
	}
	if (read && cache_on && cache_.lookup(bdf, where, size, val))
		return KCXX_PCIBIOS_SUCCESSFUL;
	if (!read)
		cache_.on_write(bdf, where, size); // whether it then succeeds or not
	return round_trip(*req.get(), val, cache_on);
}

int Frontend::round_trip(const xen_pci_op &req, uint32_t *val, bool cache_on)
{
	const bool read = req.cmd == XEN_PCI_OP_conf_read;
	const Bdf bdf{req.domain, req.bus, req.devfn};
	const int where = static_cast<int>(req.offset);
	const int size = static_cast<int>(req.size);
	xen_pci_op reply;
	const uint64_t t0 = kcxx_ktime_get_ns();
	auto r = chan_.call(req, &reply, timeout_ns_);
	compiler_barrier();
	latency_.record(kcxx_ktime_get_ns() - t0);
	if (!r.ok()) {
		++devices_.get(bdf).timeouts;
		kcxx_dev_log_ratelimited(
		    dev_of(xdev_), KCXX_LOG_ERR,
		    "config %s of %s at %#x (%d bytes): %s; the access fails. "
		    "Check pciback in the backend domain (xl dmesg, dom0 dmesg)",
		    read ? "read" : "write", bdf_name(bdf).text, where, size,
		    r.error() == -KCXX_EBUSY ? "pciback still holds an earlier op that timed out"
					     : "no answer from pciback in op_timeout_ms");
		return KCXX_PCIBIOS_DEVICE_NOT_FOUND;
	}
	ReplyFault fault = ReplyFault::None;
	auto c = check_conf_reply(req, reply, &fault);
	if (!c.ok()) {
		++devices_.get(bdf).faults;
		++op_faults_;
		kcxx_dev_log_ratelimited(dev_of(xdev_), KCXX_LOG_ERR,
					 "config %s of %s at %#x: backend reply refused (%s); "
					 "the access fails",
					 read ? "read" : "write", bdf_name(bdf).text, where,
					 reply_fault_name(fault));
		return KCXX_PCIBIOS_DEVICE_NOT_FOUND;
	}
	const ConfReply cr = *c.get();
	// dev_not_found is the normal answer while the PCI core probes empty slots: such probes
	// get no row of their own.
	if (cr.err == XEN_PCI_ERR_dev_not_found)
		return xen_pci_err_to_pcibios(cr.err);
	DeviceCounters &dc = devices_.get(bdf);
	++(read ? dc.reads : dc.writes);
	if (cr.err != XEN_PCI_ERR_success) {
		++dc.errors;
		++op_errors_;
		return xen_pci_err_to_pcibios(cr.err);
	}
	if (read) {
		*val = cr.value;
		if (cache_on)
			cache_.fill(bdf, where, size, cr.value);
	}
	return KCXX_PCIBIOS_SUCCESSFUL;
}

int Frontend::conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t *val)
{
	return conf_op(XEN_PCI_OP_conf_read, bus, devfn, where, size, val);
}

int Frontend::conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t val)
{
	return conf_op(XEN_PCI_OP_conf_write, bus, devfn, where, size, &val);
}

int Frontend::on_msi_call(void *ctx, struct pci_dev *pdev, const struct xen_pci_op *req,
			  struct xen_pci_op *reply)
{
	return static_cast<Frontend *>(ctx)->msi_call(pdev, *req, reply);
}

int Frontend::msi_call(struct pci_dev *pdev, const xen_pci_op &req, xen_pci_op *reply)
{
	// Only devices on our own root buses or below them.
	if (!owns(kcxx_pci_dev_bus(pdev)))
		return -KCXX_ENODEV;
	const Bdf bdf{req.domain, req.bus, req.devfn};
	kcxx::SpinGuard g(op_lock_);
	if (!live_)
		return -KCXX_ENOTCONN;
	const uint64_t t0 = kcxx_ktime_get_ns();
	auto r = chan_.call(req, reply, timeout_ns_);
	compiler_barrier();
	latency_.record(kcxx_ktime_get_ns() - t0);
	if (!r.ok()) {
		++devices_.get(bdf).timeouts;
		kcxx_dev_log_ratelimited(dev_of(xdev_), KCXX_LOG_ERR,
					 "MSI op %u for %s: %s", req.cmd, bdf_name(bdf).text,
					 r.error() == -KCXX_EBUSY
					     ? "pciback still holds an earlier op that timed out"
					     : "no answer from pciback in op_timeout_ms");
		return r.error();
	}
	ReplyFault fault = ReplyFault::None;
	if (!check_conf_reply(req, *reply, &fault).ok()) {
		++devices_.get(bdf).faults;
		++op_faults_;
		kcxx_dev_log_ratelimited(dev_of(xdev_), KCXX_LOG_ERR,
					 "MSI op %u for %s: backend reply refused (%s)", req.cmd,
					 bdf_name(bdf).text, reply_fault_name(fault));
		return -KCXX_EPROTO;
	}
	++msi_ops_;
	return 0;
}

// ---- events and AER
// ------------------------------------------------------------------------------

enum kcxx_irqreturn Frontend::on_event(int irq, void *data)
{
	auto *fe = static_cast<Frontend *>(data);
	const uint32_t flags = load_flags(fe->page_.as<xen_pci_sharedinfo>());
	const bool aer = flags & kAerActive;
	if (aer)
		kcxx_schedule_work(&fe->aer_work_);
	// Op replies are consumed by the poller; an event that is neither the reply to an op we
	// sent nor an AER request counts as spurious, which makes Xen's late-EOI throttle a
	// flooding backend (EventCredit).
	kcxx_xen_irq_lateeoi(irq, fe->events_.spurious(aer));
	return KCXX_IRQ_HANDLED;
}

void Frontend::on_aer_work(void *data)
{
	static_cast<Frontend *>(data)->aer_work();
}

void Frontend::aer_work()
{
	auto *sh = page_.as<xen_pci_sharedinfo>();
	if (!(load_flags(sh) & kAerActive))
		return;
	// Read the request once; everything below uses the copy.
	xen_pcie_aer_op op = sh->aer_op;
	compiler_barrier();
	++aer_requests_;

	AerStep step = AerStep::Resume;
	uint32_t result = KCXX_PCI_ERS_RESULT_NONE;
	if (!aer_step_of(op.cmd, &step) || op.domain > 0xffff || op.bus > 0xff || op.devfn > 0xff) {
		++aer_unhandled_;
		kcxx_dev_log_ratelimited(dev_of(xdev_), KCXX_LOG_ERR,
					 "backend sent a malformed AER request (cmd %u, device "
					 "%x:%x:%x): answered 'none'",
					 op.cmd, op.domain, op.bus, op.devfn);
	} else {
		// Only devices on our own root buses: the backend cannot reach other drivers.
		const kcxx::PciDevRef ref =
		    kcxx::PciDevRef::find_under(dev_of(xdev_), op.domain, op.bus, op.devfn);
		struct pci_dev *pdev = ref.get();
		if (!pdev) {
			++aer_unhandled_;
			kcxx_dev_log_ratelimited(dev_of(xdev_), KCXX_LOG_WARNING,
						 "AER request %u for %s: no such device of ours; "
						 "answered 'none'",
						 op.cmd, bdf_name({op.domain, op.bus, op.devfn}).text);
		} else {
			uint32_t driver_result = KCXX_PCI_ERS_RESULT_NONE;
			const int e = kcxx_pci_aer_call(pdev, aer_step_kernel(step), op.err,
							&driver_result);
			const AerOutcome o = e == 0		  ? AerOutcome::Called
					     : e == -KCXX_ENODEV ? AerOutcome::NoDriver
								  : AerOutcome::NoCallback;
			result = aer_answer(step, o, driver_result);
			if (o != AerOutcome::Called) {
				++aer_unhandled_;
				kcxx_dev_log_ratelimited(
				    dev_of(xdev_), KCXX_LOG_WARNING,
				    "AER request %u for %s: %s; answered %u as the AER core would",
				    op.cmd, kcxx_pci_name(pdev),
				    o == AerOutcome::NoDriver ? "no driver bound"
							      : "the driver has no handler for this step",
				    result);
			}
		}
	}
	sh->aer_op.err = static_cast<int32_t>(result);
	__atomic_fetch_and(&sh->flags, ~kAerActive, __ATOMIC_SEQ_CST);
	kcxx_notify_remote_via_evtchn(irq_.port());
	// A request that arrived while we worked (its event found the work still queued).
	if (load_flags(sh) & kAerActive)
		kcxx_schedule_work(&aer_work_);
}

// ---- debugfs
// -------------------------------------------------------------------------------------

void Frontend::debugfs_create()
{
	struct dentry *root = xpf_debugfs_root();
	if (!root || debugfs_)
		return;
	// The node name is "device/pci/N": one directory per frontend, "frontend-N".
	const char *n = name_;
	for (const char *p = name_; *p; ++p)
		if (*p == '/')
			n = p + 1;
	char dir[32];
	kcxx_snprintf(dir, sizeof(dir), "frontend-%s", n);
	struct dentry *d = kcxx_debugfs_create_dir(dir, root);
	auto dr = kcxx::from_err_ptr(d);
	if (!dr.ok() || !d)
		return;
	debugfs_ = d;
	stats_show_.show = on_show_stats;
	stats_show_.data = this;
	kcxx_debugfs_create_show("stats", debugfs_, &stats_show_);
}

int Frontend::on_show_stats(struct seq_file *m, void *data)
{
	return static_cast<Frontend *>(data)->show_stats(m);
}

int Frontend::show_stats(struct seq_file *m)
{
	kcxx::SpinGuard g(op_lock_);
	const OpStats &s = chan_.stats();
	kcxx_seq_printf(m, "clock %s timeout_ms %u live %d wedged %d spin_us %u clock_changes %llu\n",
			xen_clock_kind_name(clock_.kind()), xpf_op_timeout_ms, live_ ? 1 : 0,
			chan_.wedged() ? 1 : 0, xpf_op_spin_us,
			static_cast<unsigned long long>(clock_.changes()));
	kcxx_seq_printf(m,
			"ops %llu errors %llu faults %llu timeouts %llu refused_wedged %llu "
			"late_replies %llu\n",
			static_cast<unsigned long long>(s.ops),
			static_cast<unsigned long long>(op_errors_),
			static_cast<unsigned long long>(op_faults_),
			static_cast<unsigned long long>(s.timeouts),
			static_cast<unsigned long long>(s.refused_wedged),
			static_cast<unsigned long long>(s.late_replies));
	kcxx_seq_printf(m,
			"aer_requests %llu aer_unhandled %llu protocol_events %llu msi_ops %llu "
			"hotplug_rounds %llu\n",
			static_cast<unsigned long long>(aer_requests_),
			static_cast<unsigned long long>(aer_unhandled_),
			static_cast<unsigned long long>(protocol_events_),
			static_cast<unsigned long long>(msi_ops_),
			static_cast<unsigned long long>(hotplug_rounds_));
	const ConfigCacheStats &cs = cache_.stats();
	kcxx_seq_printf(m, "cache %s hits %llu fills %llu forgets %llu\n",
			__atomic_load_n(&xpf_config_cache, __ATOMIC_RELAXED) ? "on" : "off",
			static_cast<unsigned long long>(cs.hits),
			static_cast<unsigned long long>(cs.fills),
			static_cast<unsigned long long>(cs.forgets));
	if (exported_.known())
		kcxx_seq_printf(m, "exported %d absent_answered %llu\n", exported_.listed(),
				static_cast<unsigned long long>(absent_answered_));
	else
		kcxx_seq_printf(m, "exported unknown absent_answered %llu\n",
				static_cast<unsigned long long>(absent_answered_));
	kcxx_seq_printf(m, "header_hidden %llu\n",
			static_cast<unsigned long long>(vet_.hidden_count()));
	kcxx_seq_printf(m, "latency_us");
	for (int b = 0; b < LatencyHistogram::kBuckets; ++b) {
		const uint64_t up = LatencyHistogram::upper_us(b);
		if (up)
			kcxx_seq_printf(m, " <%llu:%llu", static_cast<unsigned long long>(up),
					static_cast<unsigned long long>(latency_.count(b)));
		else
			kcxx_seq_printf(m, " more:%llu",
					static_cast<unsigned long long>(latency_.count(b)));
	}
	kcxx_seq_printf(m, "\n%-13s %10s %10s %8s %8s %8s\n", "device", "reads", "writes", "errors",
			"timeouts", "faults");
	for (int i = 0; i < devices_.used(); ++i) {
		const DeviceCounters &d = devices_.at(i);
		kcxx_seq_printf(m, "%s %10llu %10llu %8llu %8llu %8llu\n", bdf_name(d.bdf).text,
				static_cast<unsigned long long>(d.reads),
				static_cast<unsigned long long>(d.writes),
				static_cast<unsigned long long>(d.errors),
				static_cast<unsigned long long>(d.timeouts),
				static_cast<unsigned long long>(d.faults));
	}
	return 0;
}

} // namespace pcifront

// ---- C entry points
// ------------------------------------------------------------------------------

using pcifront::Frontend;

extern "C" void xpf_fe_objects(long *frontends, long *roots)
{
	*frontends = __atomic_load_n(&pcifront::live_frontends, __ATOMIC_RELAXED);
	*roots = __atomic_load_n(&pcifront::live_roots, __ATOMIC_RELAXED);
}

extern "C" int xpf_fe_probe(struct xenbus_device *xdev)
{
	// Probe only allocates; the connection is built when the backend is ready. A connection
	// kept for a device that vanished while we were unloaded is ended first.
	if (const int n = xpf_conn_sweep(); n > 0)
		kcxx_dev_log(pcifront::dev_of(xdev), KCXX_LOG_WARNING,
			     "ended %d kept connection(s) of vanished devices", n);
	auto fe = kcxx::try_make_box<Frontend>(KCXX_GFP_KERNEL, xdev);
	if (!fe.ok()) {
		kcxx_xenbus_dev_fatal(xdev, fe.error(), "allocating the frontend");
		return fe.error();
	}
	kcxx_xenbus_set_drvdata(xdev, kcxx::move(fe).value_assumed_ok_or_bug().leak());
	return 0;
}

extern "C" void xpf_fe_remove(struct xenbus_device *xdev)
{
	auto fe =
	    kcxx::Box<Frontend>::adopt(static_cast<Frontend *>(kcxx_xenbus_get_drvdata(xdev)));
	kcxx_xenbus_set_drvdata(xdev, nullptr);
	if (fe)
		fe->remove();
}

extern "C" void xpf_fe_otherend_changed(struct xenbus_device *xdev, int backend_state)
{
	if (auto *fe = static_cast<Frontend *>(kcxx_xenbus_get_drvdata(xdev)))
		fe->otherend_changed(backend_state);
}

extern "C" int xpf_fe_conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size,
				uint32_t *val)
{
	return static_cast<Frontend *>(kcxx_pci_bus_owner(bus))
	    ->conf_read(bus, devfn, where, size, val);
}

extern "C" int xpf_fe_conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size,
				 uint32_t val)
{
	return static_cast<Frontend *>(kcxx_pci_bus_owner(bus))
	    ->conf_write(bus, devfn, where, size, val);
}
