// SPDX-License-Identifier: GPL-2.0
// One XEN_PCI_OP_* at a time through the shared page, with a bounded wait, and a guarantee that
// a reply arriving after we gave up can never be taken as the answer to a later op.
// Portable: built unchanged for the kernel and for the host tests.
//
// The protocol has one op slot and no request id. If the backend answers after our deadline, its
// reply lands in the page later; so a timed-out channel is "wedged": no new op is written until
// the backend has cleared _XEN_PCIF_active for the old one (the late reply is then discarded).
// Every reply is also checked against the request it answers (check_conf_reply).
#pragma once

#include "kcxx/result.hpp"
#include "kcxx/xen_public.h"

namespace pcifront {

struct OpStats {
	uint64_t ops = 0;
	uint64_t timeouts = 0;
	uint64_t late_replies = 0; // replies discarded after a timeout
	uint64_t refused_wedged = 0; // ops refused while the backend still held a timed-out op
};

// Transport: what the channel needs from the kernel (or the host simulation).
//   xen_pci_sharedinfo *page();
//   bool active();        // _XEN_PCIF_active is set (read with acquire semantics)
//   void set_active();    // after a write barrier, atomically set _XEN_PCIF_active
//   void notify();        // kick the backend's event channel, then take our port's event
//                         // (before the first look at the flag, so a reply after it is seen)
//   uint64_t now_ns();    // a clock in the same time base as wait()'s deadline
//   void wait(uint64_t sent_ns, uint64_t now_ns, uint64_t deadline_ns);
//                         // block until an event or the deadline (@sent_ns: when the op was
//                         // sent; @now_ns: the channel's reading of now_ns()); may return early
// Which events of the channel were worth an interrupt, for Xen's late-EOI throttle: a backend
// that notifies without end gets its events counted as spurious and the channel masked for
// growing spans. The flags cannot tell: pciback clears _XEN_PCIF_active before it notifies, so
// every honest reply arrives with the flag already clear. Instead each op sent earns one credit,
// and an event is honest when it takes a credit or carries an AER request. A reply whose event
// the op wait takes off the port itself (no handler runs) leaves its credit standing: the next
// event is then counted honest whatever it carries, so a flooding backend gets at most one
// uncounted event per op sent.
class EventCredit {
      public:
	// The sender, before it raises _XEN_PCIF_active.
	void op_sent() { __atomic_store_n(&credit_, true, __ATOMIC_RELEASE); }
	// The event handler, once per event: true when the event carried nothing.
	bool spurious(bool aer_request)
	{
		const bool reply = __atomic_exchange_n(&credit_, false, __ATOMIC_ACQ_REL);
		return !reply && !aer_request;
	}

      private:
	bool credit_ = false;
};

template <typename Transport> class OpChannel {
      public:
	explicit OpChannel(Transport &t) : t_(t) {}

	// Sends @req and copies the backend's answer into @reply (read once). -ETIMEDOUT when no
	// answer by @timeout_ns; -EBUSY while an earlier timed-out op is still held by the backend.
	kcxx::Result<void> call(const xen_pci_op &req, xen_pci_op *reply, uint64_t timeout_ns)
	{
		last_ns_ = 0;
		if (wedged_) {
			if (t_.active()) {
				++stats_.refused_wedged;
				return kcxx::err(-KCXX_EBUSY);
			}
			// The backend finished the op we gave up on: its reply is stale, drop it.
			wedged_ = false;
			++stats_.late_replies;
		}
		++stats_.ops;
		t_.page()->op = req;
		t_.set_active();
		t_.notify();
		// The clock is read once before the first wait and once after each, as the in-tree
		// frontend does: no fewer can bound the wait, and a read may cost a trap to Xen (a PV
		// guest whose TSC Xen emulates). The last read is also the op's end.
		const uint64_t sent = t_.now_ns();
		const uint64_t deadline = sent + timeout_ns;
		uint64_t now = sent;
		while (t_.active()) {
			if (now >= deadline) {
				last_ns_ = now - sent;
				wedged_ = true;
				++stats_.timeouts;
				return kcxx::err(-KCXX_ETIMEDOUT);
			}
			t_.wait(sent, now, deadline);
			now = t_.now_ns();
		}
		last_ns_ = now - sent;
		*reply = t_.page()->op;
		return kcxx::ok();
	}

	// How long the last call() waited, from the op sent to its reply seen or the wait given
	// up (0 when it sent nothing).
	uint64_t last_ns() const { return last_ns_; }

	bool wedged() const { return wedged_; }
	// A page taken over from an earlier channel (a module reload) with an op still pending:
	// its reply belongs to nobody.
	void assume_wedged() { wedged_ = true; }
	const OpStats &stats() const { return stats_; }

      private:
	Transport &t_;
	bool wedged_ = false;
	uint64_t last_ns_ = 0;
	OpStats stats_;
};

} // namespace pcifront
