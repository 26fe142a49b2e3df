// SPDX-License-Identifier: GPL-2.0
// Move-only owners of Xen resources: shared page, grant reference, event channel, irq binding,
// xenstore transaction and xenstore strings. Each destructor releases only what it still holds.
// And the xenbus device a driver is bound to, as a typed view.
#pragma once

#include "kcxx/device.hpp"
#include "kcxx/evtchn.h"
#include "kcxx/grant.h"
#include "kcxx/mem.h"
#include "kcxx/result.hpp"
#include "kcxx/xen_public.h"
#include "kcxx/xenbus.h"

namespace xen
{

using kcxx::Result;

// One zeroed page granted to the other end (xenbus_setup_ring).
class SharedPage : kcxx::NoCopy
{
      public:
	static Result<SharedPage> create(struct xenbus_device *xdev)
	{
		SharedPage p;
		TRY(kcxx::to_result(kcxx_xenbus_setup_ring(xdev, &p.vaddr_, &p.gref_)));
		return p;
	}

	SharedPage() = default;
	SharedPage(SharedPage &&o)
	    : vaddr_(kcxx::exchange(o.vaddr_, static_cast<void *>(nullptr))), gref_(o.gref_)
	{
	}
	SharedPage &operator=(SharedPage &&o)
	{
		if (this != &o) {
			reset();
			vaddr_ = kcxx::exchange(o.vaddr_, static_cast<void *>(nullptr));
			gref_ = o.gref_;
		}
		return *this;
	}
	~SharedPage() { reset(); }

	void reset()
	{
		// The grant ends first; if the backend still maps the page it is freed later.
		if (vaddr_)
			kcxx_xenbus_teardown_ring(&vaddr_, &gref_);
		vaddr_ = nullptr;
	}

	// Hands the page and its grant to a keeper that outlives this owner (a module reload);
	// adopt() takes them back.
	void release(void **vaddr, uint32_t *gref)
	{
		*vaddr = kcxx::exchange(vaddr_, static_cast<void *>(nullptr));
		*gref = gref_;
	}
	static SharedPage adopt(void *vaddr, uint32_t gref)
	{
		SharedPage p;
		p.vaddr_ = vaddr;
		p.gref_ = gref;
		return p;
	}

	template <typename T> T *as() const { return static_cast<T *>(vaddr_); }
	uint32_t gref() const { return gref_; }
	explicit operator bool() const { return vaddr_ != nullptr; }

      private:
	void *vaddr_ = nullptr;
	uint32_t gref_ = 0;
};

// Access to one of our pages granted to another domain.
class GrantRef : kcxx::NoCopy
{
      public:
	static Result<GrantRef> create(uint16_t domid, const void *page, bool readonly)
	{
		return GrantRef(
		    TRY(kcxx::to_result_value(kcxx_gnttab_grant_page(domid, page, readonly))));
	}

	GrantRef() = default;
	GrantRef(GrantRef &&o) : ref_(kcxx::exchange(o.ref_, -1)) {}
	GrantRef &operator=(GrantRef &&o)
	{
		if (this != &o) {
			reset();
			ref_ = kcxx::exchange(o.ref_, -1);
		}
		return *this;
	}
	~GrantRef() { reset(); }

	void reset()
	{
		if (ref_ >= 0)
			kcxx_gnttab_end_access(static_cast<uint32_t>(ref_));
		ref_ = -1;
	}
	uint32_t ref() const { return static_cast<uint32_t>(ref_); }
	explicit operator bool() const { return ref_ >= 0; }

      private:
	explicit GrantRef(int ref) : ref_(ref) {}
	int ref_ = -1;
};

// An unbound event channel port allocated for the other end of a xenbus device.
class EventChannel : kcxx::NoCopy
{
      public:
	static Result<EventChannel> create(struct xenbus_device *xdev)
	{
		EventChannel ch;
		TRY(kcxx::to_result(kcxx_xenbus_alloc_evtchn(xdev, &ch.port_)));
		ch.xdev_ = xdev;
		return ch;
	}

	EventChannel() = default;
	EventChannel(EventChannel &&o)
	    : xdev_(kcxx::exchange(o.xdev_, static_cast<struct xenbus_device *>(nullptr))),
	      port_(o.port_)
	{
	}
	EventChannel &operator=(EventChannel &&) = delete;
	~EventChannel()
	{
		if (xdev_)
			kcxx_xenbus_free_evtchn(xdev_, port_);
	}

	uint32_t port() const { return port_; }
	explicit operator bool() const { return xdev_ != nullptr; }

      private:
	friend class IrqBinding;
	// The binding now owns the port: unbinding the irq closes it.
	void released_to_binding() { xdev_ = nullptr; }

	struct xenbus_device *xdev_ = nullptr;
	uint32_t port_ = 0;
};

enum class Eoi { Auto, Late };

// What an event handler returns.
using IrqReturn = enum kcxx_irqreturn;
inline constexpr IrqReturn kIrqHandled = KCXX_IRQ_HANDLED;

// An event channel bound to an irq with a handler. Not movable: the kernel holds &action_.
class IrqBinding : kcxx::NoCopy
{
      public:
	IrqBinding() = default;
	IrqBinding(IrqBinding &&) = delete;
	~IrqBinding() { unbind(); }

	// Takes the port: on success the binding owns it, on failure @ch still frees it.
	Result<void> bind(EventChannel &ch, Eoi eoi, const char *name,
			  enum kcxx_irqreturn (*handler)(int irq, void *data), void *data)
	{
		if (irq_ >= 0)
			return kcxx::err(-KCXX_EBUSY);
		action_.handler = handler;
		action_.data = data;
		const int irq = eoi == Eoi::Late
				    ? kcxx_bind_evtchn_lateeoi(ch.port(), &action_, name)
				    : kcxx_bind_evtchn(ch.port(), &action_, name);
		irq_ = TRY(kcxx::to_result_value(irq));
		port_ = ch.port();
		ch.released_to_binding();
		return kcxx::ok();
	}

	void unbind()
	{
		if (irq_ >= 0)
			kcxx_unbind_irq(irq_, &action_);
		irq_ = -1;
	}

	// Removes our handler but leaves the event channel bound (masked, events kept pending),
	// for a keeper to hold across a module reload.
	void park(int *irq, uint32_t *port)
	{
		*irq = irq_;
		*port = port_;
		if (irq_ >= 0)
			kcxx_free_irq(irq_, &action_);
		irq_ = -1;
	}

	// Installs our handler on a bound event channel taken from a keeper.
	Result<void> adopt(int irq, uint32_t port, const char *name,
			   enum kcxx_irqreturn (*handler)(int irq, void *data), void *data)
	{
		if (irq_ >= 0)
			return kcxx::err(-KCXX_EBUSY);
		action_.handler = handler;
		action_.data = data;
		TRY(kcxx::to_result(kcxx_request_evtchn_irq(irq, &action_, name)));
		irq_ = irq;
		port_ = port;
		return kcxx::ok();
	}

	int irq() const { return irq_; }
	uint32_t port() const { return port_; }
	explicit operator bool() const { return irq_ >= 0; }
	// The domain at the other end of @port: -ENOTCONN once that end closed it.
	static Result<int> peer_of(uint32_t port)
	{
		return kcxx::to_result_value(kcxx_evtchn_interdomain_peer(port));
	}

	// Kicks the other end: through the irq (bound), or the port (for paths that may race
	// with unbinding: a closed port makes it a no-op hypercall).
	void notify() const { kcxx_notify_remote_via_irq(irq_); }
	void notify_port() const { kcxx_notify_remote_via_evtchn(port_); }
	// The port's pending bit cleared, then a poll until an event or @xen_deadline_ns (Xen
	// system time; 1: a deadline already passed, the poll only yields): any context.
	void clear_pending() const { kcxx_xen_clear_irq_pending(irq_); }
	void poll(uint64_t xen_deadline_ns) const { kcxx_xen_poll_irq_timeout(irq_, xen_deadline_ns); }
	// A late-EOI handler's end of one event: @spurious when it carried nothing.
	static void lateeoi(int irq, bool spurious) { kcxx_xen_irq_lateeoi(irq, spurious); }

      private:
	struct kcxx_irq_action action_ = {};
	int irq_ = -1;
	uint32_t port_ = 0;
};

// A xenstore transaction that aborts unless commit() succeeded.
class [[nodiscard]] Transaction : kcxx::NoCopy
{
      public:
	static Result<Transaction> start()
	{
		Transaction t;
		TRY(kcxx::to_result(kcxx_xenbus_transaction_start(&t.id_)));
		t.open_ = true;
		return t;
	}

	Transaction(Transaction &&o) : id_(o.id_), open_(kcxx::exchange(o.open_, false)) {}
	Transaction &operator=(Transaction &&) = delete;
	~Transaction()
	{
		if (open_)
			kcxx_xenbus_transaction_end(id_, true);
	}

	// -EAGAIN means another writer raced us: the caller retries the whole transaction.
	Result<void> commit()
	{
		if (!open_)
			return kcxx::err(-KCXX_EINVAL);
		open_ = false;
		return kcxx::to_result(kcxx_xenbus_transaction_end(id_, false));
	}

	uint32_t id() const { return id_; }

      private:
	Transaction() = default;
	uint32_t id_ = KCXX_XBT_NIL;
	bool open_ = false;
};

// A value read from xenstore, owned (kfree'd) by this object.
class XsString : kcxx::NoCopy
{
      public:
	static Result<XsString> read(uint32_t xbt, const char *dir, const char *node)
	{
		unsigned int len = 0;
		char *s = TRY(kcxx::from_err_ptr(kcxx_xenbus_read(xbt, dir, node, &len)));
		if (!s)
			return kcxx::err(-KCXX_ENOENT);
		return XsString(s, len);
	}

	XsString(XsString &&o)
	    : s_(kcxx::exchange(o.s_, static_cast<char *>(nullptr))), len_(o.len_)
	{
	}
	XsString &operator=(XsString &&) = delete;
	~XsString() { kcxx_kfree(s_); }

	const char *c_str() const { return s_; }
	size_t size() const { return len_; }

      private:
	XsString(char *s, size_t len) : s_(s), len_(len) {}
	char *s_ = nullptr;
	size_t len_ = 0;
};

// A backend directory read node by node, each value copied out once: the Reader that the
// portable list parsers (lib/hotplug_list.hpp, lib/exported_set.hpp) take.
struct XsDir {
	const char *dir;
	uint32_t xbt = KCXX_XBT_NIL;

	Result<size_t> read(const char *key, char *buf, size_t cap)
	{
		auto v = TRY(XsString::read(xbt, dir, key));
		if (v.size() > cap)
			return kcxx::err(-KCXX_E2BIG);
		__builtin_memcpy(buf, v.c_str(), v.size());
		return v.size();
	}
};

// Runs @read (Result<void>(XsDir &)) over @dir inside one xenstore transaction, so that a list
// the toolstack writes as many nodes (num_devs, state-N, vdev-N) is seen as one version, not
// half before and half after a change; redone while another writer raced it.
template <class F> Result<void> read_consistent(const char *dir, F &&read)
{
	constexpr int kAttempts = 8;
	for (int attempt = 1;; ++attempt) {
		auto t = TRY(Transaction::start());
		XsDir rd{dir, t.id()};
		Result<void> r = read(rd);
		auto c = t.commit();
		if (c.ok())
			return r;
		if (c.error() != -KCXX_EAGAIN || attempt >= kAttempts)
			return kcxx::err(c.error());
	}
}

// Was our xenstore directory taken from under us? When a backend domain dies the toolstack
// removes the frontend's directory, and may already have written a new device's there, in
// Initialising. Since 2026 the xenbus core marks such a device vanished (and then ignores
// xenbus_switch_state()); older cores do not, so the same test is made from xenstore: no
// "state" node, or Initialising while we are past it. A device the core has unregistered has
// vanished too. A read that fails otherwise (no memory, xenstore trouble) is not taken as
// vanished: the normal path then runs.
inline bool presence_says_vanished(const kcxx_xenbus_presence &p)
{
	if (!p.registered || p.core_vanished || p.state_read == -KCXX_ENOENT)
		return true;
	return p.state_read == 1 && p.state == XenbusStateInitialising &&
	       p.ours != XenbusStateInitialising;
}

inline bool vanished(struct xenbus_device *xdev)
{
	kcxx_xenbus_presence p = {};
	kcxx_xenbus_read_presence(xdev, &p);
	return presence_says_vanished(p);
}

// Xen system time in ns (the time base of a poll's deadline), from this vCPU's pvclock, and
// the time this vCPU entered its current runstate: false when not available.
inline bool system_time_ns(uint64_t *t)
{
	return kcxx_xen_system_time_ns(t) == 0;
}
inline bool runstate_entry_ns(uint64_t *t)
{
	return kcxx_xen_runstate_entry_ns(t) == 0;
}
// A pirq Xen may have given this domain (below its pirq limit).
inline bool pirq_valid(uint32_t pirq)
{
	return kcxx_xen_pirq_valid(pirq);
}
// The pirq behind a Xen-bound irq, or a negative value for another irq.
inline int pirq_from_irq(int irq)
{
	return kcxx_xen_pirq_from_irq(irq);
}
inline bool pv_domain()
{
	return kcxx_xen_pv_domain();
}
inline bool initial_domain()
{
	return kcxx_xen_initial_domain();
}

// A counted reference to a xenbus device (get_device/put_device), for an object that keeps one
// past its driver's remove (the keeper of connections across a reload).
class XenbusRef : kcxx::NoCopy
{
      public:
	XenbusRef() = default;
	explicit XenbusRef(struct xenbus_device *x) : x_(x) { kcxx_xenbus_get(x_); }
	~XenbusRef() { reset(); }
	void reset()
	{
		if (struct xenbus_device *x = kcxx::exchange(x_, static_cast<struct xenbus_device *>(nullptr)))
			kcxx_xenbus_put(x);
	}
	XenbusRef &operator=(XenbusRef &&o)
	{
		if (this != &o) {
			reset();
			x_ = kcxx::exchange(o.x_, static_cast<struct xenbus_device *>(nullptr));
		}
		return *this;
	}
	struct xenbus_device *get() const { return x_; }
	explicit operator bool() const { return x_ != nullptr; }

      private:
	struct xenbus_device *x_ = nullptr;
};

// The xenbus device a frontend is bound to: a view, not an owner (the xenbus core holds it for
// as long as the driver is bound, which outlives every frontend object).
class XenbusDevice
{
      public:
	explicit XenbusDevice(struct xenbus_device *x) : x_(x) {}
	struct xenbus_device *raw() const { return x_; }
	kcxx::Device dev() const { return kcxx::Device(kcxx_xenbus_to_device(x_)); }

	// Our xenstore directory ("device/pci/0") and the backend's.
	const char *nodename() const { return kcxx_xenbus_nodename(x_); }
	const char *otherend() const { return kcxx_xenbus_otherend(x_); }
	int otherend_id() const { return kcxx_xenbus_otherend_id(x_); }
	// Our state as last switched, and the backend's as xenstore says now.
	int state() const { return kcxx_xenbus_state(x_); }
	int otherend_state() const { return kcxx_xenbus_read_otherend_state(x_); }
	Result<void> switch_state(int state) const
	{
		return kcxx::to_result(kcxx_xenbus_switch_state(x_, state));
	}
	// Reports @err to the toolstack (xenbus_dev_fatal: our error node, then Closing).
	void fatal(int err, const char *what) const { kcxx_xenbus_dev_fatal(x_, err, what); }
	// Its directory was removed or reset under us (see vanished() above).
	bool vanished() const { return xen::vanished(x_); }
	Result<void> write(const Transaction &t, const char *node, const char *value) const;

	void *drvdata() const { return kcxx_xenbus_get_drvdata(x_); }
	void set_drvdata(void *p) const { kcxx_xenbus_set_drvdata(x_, p); }

	// Log lines against the device (lib/printf.cpp), as kcxx::Device's.
	KCXX_PRINTF(3, 4) void log(int level, const char *fmt, ...) const;
	KCXX_PRINTF(3, 4) void log_ratelimited(int level, const char *fmt, ...) const;

      private:
	struct xenbus_device *x_;
};

inline Result<void> XenbusDevice::write(const Transaction &t, const char *node,
					const char *value) const
{
	return kcxx::to_result(kcxx_xenbus_write(t.id(), nodename(), node, value));
}

} // namespace xen
