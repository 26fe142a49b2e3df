// SPDX-License-Identifier: GPL-2.0
// Config and MSI ops over the shared page: one call path, the answers given without a round
// trip, the bounded wait, the counters.
#include "config_space.hpp"

#include "entry.h"
#include "kcxx/pci.hpp"
#include "kcxx/time.hpp"

namespace pcifront
{

namespace
{
// Keeps the compiler from re-reading shared memory in place of a copy we already validated.
inline void compiler_barrier()
{
	__asm__ __volatile__("" ::: "memory");
}

// "config read of BDF at OFF (N bytes)" or "MSI op N for BDF": the op, for log lines.
struct OpName {
	char text[64];
};
OpName op_name(const xen_pci_op &req)
{
	OpName n;
	const Bdf bdf{req.domain, req.bus, req.devfn};
	if (req.cmd == XEN_PCI_OP_conf_read || req.cmd == XEN_PCI_OP_conf_write)
		kcxx::format(n.text, sizeof(n.text), "config %s of %s at %#x (%u bytes)",
			     req.cmd == XEN_PCI_OP_conf_read ? "read" : "write", bdf_name(bdf).text,
			     req.offset, req.size);
	else
		kcxx::format(n.text, sizeof(n.text), "MSI op %u for %s", req.cmd,
			     bdf_name(bdf).text);
	return n;
}
} // namespace

// ---- transport ----------------------------------------------------------------------------------

xen_pci_sharedinfo *KernelTransport::page()
{
	return cs_.conn_.shared();
}

bool KernelTransport::active()
{
	return cs_.conn_.op_in_flight();
}

void KernelTransport::set_active()
{
	cs_.events_.op_sent();
	cs_.conn_.set_op_in_flight();
}

void KernelTransport::notify()
{
	cs_.conn_.notify();
	// The port's pending bit is cleared before the channel's first look at the flag, as the
	// in-tree frontend clears it right after its notify: a reply that lands after that look
	// sets it again and ends the first poll at once (unless another vCPU's handler
	// acknowledged it first: hence a poll never sleeps more than kPollSliceNs). The clear
	// after each poll (in wait()), followed by the channel's next look, covers the others.
	take_event();
}

uint64_t KernelTransport::now_ns()
{
	return kcxx::now_ns();
}

void KernelTransport::wait(uint64_t sent, uint64_t now, uint64_t deadline_ns)
{
	const uint64_t d = op_poll_deadline(cs_.clock_, sent, now, deadline_ns, cs_.spin_ns_);
	if (cs_.clock_.take_dropped())
		cs_.xdev_.log(
		    KCXX_LOG_WARNING,
		    "the clocksource changed: the 'xen' counter checked at connect is gone, "
		    "so config-op waits poll from now on (bounded by op_timeout_ms) until "
		    "the next connection");
	// d == 1 (spinning, or no Xen clock): a deadline Xen has passed, so the poll returns at
	// once (bounded by the caller's ktime deadline), as the in-tree frontend's always does; it
	// still yields the pCPU to Xen, which may run the backend on it.
	cs_.conn_.poll(d);
	if (d == 1)
		kcxx::cpu_relax();
	// The event that ended the poll is most often the reply's: taken here, as the in-tree
	// frontend does after each poll. Left pending, it costs an upcall to our handler and its
	// late EOI once this vCPU's interrupts are back on: one per op (docs/benchmarks.md).
	// The caller looks at the flag after this, so no reply is missed.
	take_event();
}

void KernelTransport::take_event()
{
	cs_.conn_.clear_pending();
	// That bit may have been an AER request's, its handler never run (this vCPU's interrupts
	// are off, the irq may be bound here): look at the flag after each clear, as the in-tree
	// frontend does after each op, or pciback waits out its 300 s for an answer.
	(void)cs_.aer_.poke();
}

bool KernelClockSource::pvclock_ns(uint64_t *t)
{
	return xen::system_time_ns(t);
}

ClockSample KernelClockSource::snapshot()
{
	ClockSample s;
	kcxx::time_snapshot(&s.cycles, &s.raw_ns, &s.cs_seq);
	return s;
}

bool KernelClockSource::runstate_entry_ns(uint64_t *t)
{
	return xen::runstate_entry_ns(t);
}

void KernelClockSource::sleep_ms(unsigned int ms)
{
	kcxx::sleep_ms(ms);
}

// ---- life ---------------------------------------------------------------------------------------

kcxx::LockClass ConfigSpace::lock_class_{"xpf_frontend.op_lock", {}};

ConfigSpace::ConfigSpace(Connection &conn, xen::XenbusDevice xdev, Aer &aer)
    : conn_(conn), xdev_(xdev), aer_(aer),
      timeout_ns_(static_cast<uint64_t>(xpf_op_timeout_ms) * 1000000ull),
      spin_ns_(static_cast<uint64_t>(xpf_op_spin_us) * 1000ull)
{
}

void ConfigSpace::start()
{
	if (clock_.detect() == XenClockKind::None)
		xdev_.log(KCXX_LOG_NOTICE,
			  "no Xen system time source (TSC not stable and the clocksource is "
			  "not 'xen'): waits for the backend spin instead of blocking");
	kcxx::SpinGuard g(lock_);
	// An op the previous load gave up on may still be in the backend's hands.
	if (conn_.op_in_flight())
		chan_.assume_wedged();
	forget_locked(); // a new connection: whatever is behind it is read anew
	exported_ = ExportedSet{};
	live_ = true;
}

void ConfigSpace::stop()
{
	kcxx::SpinGuard g(lock_);
	live_ = false;
}

bool ConfigSpace::keepable()
{
	kcxx::SpinGuard g(lock_);
	return live_ && !chan_.wedged();
}

void ConfigSpace::forget_locked()
{
	cache_.clear();
	vet_.clear();
}

void ConfigSpace::forget_functions()
{
	kcxx::SpinGuard g(lock_);
	forget_locked();
}

void ConfigSpace::set_exported(const ExportedSet &s)
{
	kcxx::SpinGuard g(lock_);
	exported_ = s;
}

// ---- config ops ---------------------------------------------------------------------------------

int ConfigSpace::conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size,
			   uint32_t *val)
{
	return conf_op(XEN_PCI_OP_conf_read, bus, devfn, where, size, val);
}

int ConfigSpace::conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size,
			    uint32_t val)
{
	return conf_op(XEN_PCI_OP_conf_write, bus, devfn, where, size, &val);
}

int ConfigSpace::conf_op(uint32_t cmd, struct pci_bus *bus, unsigned int devfn, int where, int size,
			 uint32_t *val)
{
	const bool read = cmd == XEN_PCI_OP_conf_read;
	const kcxx::PciBus b(bus);
	const Bdf bdf{b.domain(), b.number(), devfn};
	auto req = make_conf_op(cmd, bdf, where, size, read ? 0 : *val);
	if (!req.ok())
		return KCXX_PCIBIOS_BAD_REGISTER_NUMBER;

	kcxx::SpinGuard g(lock_);
	if (!live_)
		return KCXX_PCIBIOS_DEVICE_NOT_FOUND;
	const bool cache_on = __atomic_load_n(&xpf_config_cache, __ATOMIC_RELAXED);
	if (read && cache_on && exported_.absent(bdf)) {
		// What pciback answers for a function it does not export (dev_not_found).
		++absent_answered_;
		return xen_pci_err_to_pcibios(XEN_PCI_ERR_dev_not_found);
	}
	if (read && where == 0)
		if (const int rc = vet_header(bdf, cache_on); rc >= 0)
			return rc;
	if (read && cache_on && cache_.lookup(bdf, where, size, val))
		return KCXX_PCIBIOS_SUCCESSFUL;
	if (!read)
		cache_.on_write(bdf, where, size); // whether it then succeeds or not
	return round_trip(*req.get(), val, cache_on);
}

int ConfigSpace::vet_header(const Bdf &bdf, bool cache_on)
{
	if (vet_.hidden(bdf))
		return xen_pci_err_to_pcibios(XEN_PCI_ERR_dev_not_found);
	if (!vet_.vet_needed(bdf, 0))
		return -1;
	uint32_t hdr = 0;
	auto hreq = make_conf_op(XEN_PCI_OP_conf_read, bdf, HeaderVet::kHeaderTypeReg, 1, 0);
	const int rc =
	    hreq.ok() ? round_trip(*hreq.get(), &hdr, cache_on) : KCXX_PCIBIOS_BAD_REGISTER_NUMBER;
	if (rc != KCXX_PCIBIOS_SUCCESSFUL)
		return rc; // the core, reading the header itself, would skip it
	if (vet_.vet(bdf, hdr))
		return -1;
	xdev_.log_ratelimited(KCXX_LOG_ERR,
			      "%s has header type %#04x, none the PCI core knows (0, 1, 2): "
			      "hidden from the scan. Check what dom0 exports",
			      bdf_name(bdf).text, hdr & 0xff);
	return xen_pci_err_to_pcibios(XEN_PCI_ERR_dev_not_found);
}

int ConfigSpace::round_trip(const xen_pci_op &req, uint32_t *val, bool cache_on)
{
	xen_pci_op reply;
	auto c = call(req, &reply);
	if (!c.ok())
		return KCXX_PCIBIOS_DEVICE_NOT_FOUND;
	const ConfReply cr = *c.get();
	// dev_not_found is the normal answer while the PCI core probes empty slots: such probes
	// get no row of their own.
	if (cr.err == XEN_PCI_ERR_dev_not_found)
		return xen_pci_err_to_pcibios(cr.err);
	const Bdf bdf{req.domain, req.bus, req.devfn};
	const bool read = req.cmd == XEN_PCI_OP_conf_read;
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
			cache_.fill(bdf, static_cast<int>(req.offset), static_cast<int>(req.size),
				    cr.value);
	}
	return KCXX_PCIBIOS_SUCCESSFUL;
}

kcxx::Result<ConfReply> ConfigSpace::call(const xen_pci_op &req, xen_pci_op *reply)
{
	const Bdf bdf{req.domain, req.bus, req.devfn};
	auto r = chan_.call(req, reply, timeout_ns_);
	compiler_barrier();
	latency_.record(chan_.last_ns());
	if (!r.ok()) {
		++devices_.get(bdf).timeouts;
		xdev_.log_ratelimited(
		    KCXX_LOG_ERR,
		    "%s: %s; the access fails. Check pciback in the backend domain (xl dmesg, dom0 "
		    "dmesg)",
		    op_name(req).text,
		    r.error() == -KCXX_EBUSY ? "pciback still holds an earlier op that timed out"
					     : "no answer from pciback in op_timeout_ms");
		return kcxx::err(r.error());
	}
	ReplyFault fault = ReplyFault::None;
	auto c = check_conf_reply(req, *reply, &fault);
	if (!c.ok()) {
		++devices_.get(bdf).faults;
		++op_faults_;
		xdev_.log_ratelimited(KCXX_LOG_ERR,
				      "%s: backend reply refused (%s); the access fails",
				      op_name(req).text, reply_fault_name(fault));
		return kcxx::err(-KCXX_EPROTO);
	}
	return c;
}

int ConfigSpace::msi_op(const xen_pci_op &req, xen_pci_op *reply)
{
	kcxx::SpinGuard g(lock_);
	if (!live_)
		return -KCXX_ENOTCONN;
	if (auto c = call(req, reply); !c.ok())
		return c.error();
	++msi_ops_;
	return 0;
}

// ---- debugfs ------------------------------------------------------------------------------------

void ConfigSpace::show_head(kcxx::Seq &seq)
{
	kcxx::SpinGuard g(lock_);
	const OpStats &s = chan_.stats();
	seq.print("clock %s timeout_ms %u live %d wedged %d spin_us %u clock_changes %llu\n",
		  xen_clock_kind_name(clock_.kind()), xpf_op_timeout_ms, live_ ? 1 : 0,
		  chan_.wedged() ? 1 : 0, xpf_op_spin_us,
		  static_cast<unsigned long long>(clock_.changes()));
	seq.print("ops %llu errors %llu faults %llu timeouts %llu refused_wedged %llu "
		  "late_replies %llu\n",
		  static_cast<unsigned long long>(s.ops),
		  static_cast<unsigned long long>(op_errors_),
		  static_cast<unsigned long long>(op_faults_),
		  static_cast<unsigned long long>(s.timeouts),
		  static_cast<unsigned long long>(s.refused_wedged),
		  static_cast<unsigned long long>(s.late_replies));
}

uint64_t ConfigSpace::msi_ops()
{
	kcxx::SpinGuard g(lock_);
	return msi_ops_;
}

void ConfigSpace::show_tail(kcxx::Seq &seq)
{
	kcxx::SpinGuard g(lock_);
	const ConfigCacheStats &cs = cache_.stats();
	seq.print("cache %s hits %llu fills %llu forgets %llu\n",
		  __atomic_load_n(&xpf_config_cache, __ATOMIC_RELAXED) ? "on" : "off",
		  static_cast<unsigned long long>(cs.hits),
		  static_cast<unsigned long long>(cs.fills),
		  static_cast<unsigned long long>(cs.forgets));
	if (exported_.known())
		seq.print("exported %d absent_answered %llu\n", exported_.listed(),
			  static_cast<unsigned long long>(absent_answered_));
	else
		seq.print("exported unknown absent_answered %llu\n",
			  static_cast<unsigned long long>(absent_answered_));
	seq.print("header_hidden %llu\n", static_cast<unsigned long long>(vet_.hidden_count()));
	seq.print("latency_us");
	for (int b = 0; b < LatencyHistogram::kBuckets; ++b) {
		const uint64_t up = LatencyHistogram::upper_us(b);
		if (up)
			seq.print(" <%llu:%llu", static_cast<unsigned long long>(up),
				  static_cast<unsigned long long>(latency_.count(b)));
		else
			seq.print(" more:%llu", static_cast<unsigned long long>(latency_.count(b)));
	}
	seq.print("\n%-13s %10s %10s %8s %8s %8s\n", "device", "reads", "writes", "errors",
		  "timeouts", "faults");
	for (int i = 0; i < devices_.used(); ++i) {
		const DeviceCounters &d = devices_.at(i);
		seq.print("%s %10llu %10llu %8llu %8llu %8llu\n", bdf_name(d.bdf).text,
			  static_cast<unsigned long long>(d.reads),
			  static_cast<unsigned long long>(d.writes),
			  static_cast<unsigned long long>(d.errors),
			  static_cast<unsigned long long>(d.timeouts),
			  static_cast<unsigned long long>(d.faults));
	}
}

} // namespace pcifront
