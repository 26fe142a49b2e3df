// SPDX-License-Identifier: GPL-2.0
// The connection to one pciback instance: the granted page, the event channel bound to our
// handler, their xenstore keys, the bookkeeping entry, and their hand-over to the keeper of
// xen-pcifront-evtchn across a reload of this module.
#pragma once

#include "kcxx/result.hpp"
#include "kcxx/xen.hpp"
#include "lib/pciif.hpp"
#include "xpf/evtchn.h"

namespace pcifront
{

class Connection : kcxx::NoCopy
{
      public:
	using Handler = xen::IrqReturn (*)(int irq, void *data);

	Connection(xen::XenbusDevice xdev, Handler on_event, void *data)
	    : xdev_(xdev), on_event_(on_event), data_(data)
	{
	}
	Connection(Connection &&) = delete;
	~Connection()
	{
		untrack();
		unbind();
		release();
	}

	// Grants a page (AER handler flag set), binds a channel (late EOI), and publishes both
	// and the protocol magic in one xenstore transaction, retried while it races.
	kcxx::Result<void> publish();
	// Takes over the connection the keeper holds for our device (-ENOENT: none).
	kcxx::Result<void> adopt();
	// Hands a live connection to the keeper in two steps: stop_events() removes our handler
	// (the channel stays bound, its events pending), so the caller can then wait for work the
	// handler queued; hand_over() gives page and channel away. When the keeper refuses, the
	// connection is ours again (handler back) and false is returned.
	void stop_events();
	bool hand_over();
	// In teardown order: no more events (the channel closed), then the page ended.
	void unbind() { irq_.unbind(); }
	void release() { page_.reset(); }
	// The bookkeeping entry in xen-pcifront-evtchn (debugfs "bindings", the unload check).
	void track(const char *owner);
	void untrack();

	// The shared page. Its flags word is written by both ends: atomics only, through these.
	xen_pci_sharedinfo *shared() const { return page_.as<xen_pci_sharedinfo>(); }
	bool op_in_flight() const { return flags() & kActive; }
	void set_op_in_flight();
	bool aer_requested() const { return flags() & kAerActive; }
	void aer_answered();
	// Kicks the backend: through the irq (op path), or the port (paths that race unbinding).
	void notify() const { irq_.notify(); }
	void notify_port() const { irq_.notify_port(); }
	// The op wait: the pending bit cleared after the notify and after each poll, each time
	// before a look at the flag; the poll lasts until an event or @xen_deadline_ns
	// (IrqBinding::poll).
	void clear_pending() const { irq_.clear_pending(); }
	void poll(uint64_t xen_deadline_ns) const { irq_.poll(xen_deadline_ns); }
	// The end of one event for our handler (late EOI): @spurious when it carried nothing.
	static void ack(int irq, bool spurious) { xen::IrqBinding::lateeoi(irq, spurious); }

	uint32_t port() const { return irq_.port(); }
	uint32_t gref() const { return page_.gref(); }
	bool up() const { return static_cast<bool>(irq_); }

      private:
	static constexpr uint32_t kActive = 1u << _XEN_PCIF_active;
	static constexpr uint32_t kAerHandler = 1u << _XEN_PCIB_AERHANDLER;
	static constexpr uint32_t kAerActive = 1u << _XEN_PCIB_active;
	static constexpr const char *kIrqName = "xen-pcifront-cxx";

	uint32_t flags() const { return __atomic_load_n(&shared()->flags, __ATOMIC_ACQUIRE); }
	kcxx::Result<void> write_keys();
	// A kept connection we will not use: back to the keeper (which closes it with its
	// device), or, if the keeper will not hold it, into this connection (take_back), so that
	// teardown closes the channel and ends the grant.
	void give_back(const struct xpf_conn &c);
	void take_back(const struct xpf_conn &c);

	xen::XenbusDevice xdev_;
	Handler on_event_;
	void *data_;
	// In set-up order; the destructor releases them bottom-up.
	xen::SharedPage page_;
	xen::IrqBinding irq_;
	int track_handle_ = -1;
	struct xpf_conn parked_ = {}; // between stop_events() and hand_over()
};

} // namespace pcifront
