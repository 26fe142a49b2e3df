// SPDX-License-Identifier: GPL-2.0
// The config space behind one connection: the op channel on the shared page and the one call
// path of config and MSI ops (timed, counted, the reply checked), what is answered without a
// round trip (the cache of fixed registers, functions the backend does not export, functions
// the PCI core cannot scan), and their counters.
#pragma once

#include "aer.hpp"
#include "connection.hpp"
#include "kcxx/sync.hpp"
#include "lib/config_cache.hpp"
#include "lib/exported_set.hpp"
#include "lib/header_vet.hpp"
#include "lib/op_channel.hpp"
#include "lib/op_stats.hpp"
#include "lib/xen_clock.hpp"

struct pci_bus;
struct seq_file;

namespace pcifront
{

class ConfigSpace;

// XenClock's view of the kernel's clocks (lib/xen_clock.hpp).
struct KernelClockSource {
	bool pvclock_ns(uint64_t *t);
	ClockSample snapshot();
	bool runstate_entry_ns(uint64_t *t);
	void sleep_ms(unsigned int ms);
};

// The op channel's view of the kernel: the shared page's flag, the event channel, and the
// bounded poll with a deadline in Xen system time.
class KernelTransport
{
      public:
	explicit KernelTransport(ConfigSpace &cs) : cs_(cs) {}
	xen_pci_sharedinfo *page();
	bool active();
	void set_active();
	void notify();
	uint64_t now_ns();
	void wait(uint64_t sent, uint64_t now, uint64_t deadline_ns);

      private:
	// The port's pending bit cleared, and an AER request it may have carried queued.
	void take_event();

	ConfigSpace &cs_;
};

class ConfigSpace : kcxx::NoCopy
{
      public:
	// @aer: told of an AER request whose event an op's wait consumed.
	ConfigSpace(Connection &conn, xen::XenbusDevice xdev, Aer &aer);
	ConfigSpace(ConfigSpace &&) = delete;

	// Ops may flow on the connection's page: the clock is chosen, an op an earlier load gave
	// up on is assumed still held, and what was learnt of the functions is forgotten.
	void start();
	// No op is sent after this returns (one in flight has ended: it holds the lock).
	void stop();
	// Live, and no op is held by the backend: the connection may be kept for a reload.
	bool keepable();

	// pci_ops: PCIBIOS_* results. Any context, atomic included (x86: PCI_LOCKLESS_CONFIG, so
	// no pci_lock; callers may hold spinlocks or run in an interrupt handler).
	int conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t *val);
	int conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t val);
	// An MSI op for a device on our buses (process context): 0 or a negative errno.
	int msi_op(const xen_pci_op &req, xen_pci_op *reply);

	// The functions behind the backend may have changed (a hotplug round): forget them.
	void forget_functions();
	// What the backend exports now (RootBuses reads it at each scan).
	void set_exported(const ExportedSet &s);
	// The event handler's question: did this event carry nothing (EventCredit)?
	bool spurious_event(bool aer_request) { return events_.spurious(aer_request); }

	// debugfs "stats": the op channel's lines; the caches, latencies and devices.
	void show_head(kcxx::Seq &seq);
	void show_tail(kcxx::Seq &seq);
	uint64_t msi_ops();
	XenClockKind clock_kind() const { return clock_.kind(); }

      private:
	friend class KernelTransport;

	int conf_op(uint32_t cmd, struct pci_bus *bus, unsigned int devfn, int where, int size,
		    uint32_t *val);
	// A read of the header, which may be hidden from the core; -1 when it goes to the backend.
	int vet_header(const Bdf &bdf, bool cache_on);
	// One config op to the backend, its reply interpreted; a read fills the cache.
	int round_trip(const xen_pci_op &req, uint32_t *val, bool cache_on);
	// The one way to the backend, for config and MSI ops: timed, counted per device, logged
	// when no answer came or the answer was refused. The caller holds lock_.
	kcxx::Result<ConfReply> call(const xen_pci_op &req, xen_pci_op *reply);
	void forget_locked();

	Connection &conn_;
	xen::XenbusDevice xdev_; // for log lines
	Aer &aer_;
	static kcxx::LockClass lock_class_;
	kcxx::SpinLock lock_{lock_class_};
	bool live_ = false; // ops may be sent: set after publish, cleared before teardown
	KernelClockSource clock_source_;
	XenClock<KernelClockSource> clock_{clock_source_};
	uint64_t timeout_ns_;
	uint64_t spin_ns_;  // op_spin_us: the first part of a wait polls without blocking
	ConfigCache cache_; // read-only registers (config_cache); cleared on connect and hotplug
	HeaderVet vet_; // functions with a header type the core cannot scan; forgotten with cache_
	// The functions the backend lists on our root buses (config_cache): reads of the others
	// are answered "no device" here. Unknown until a scan has read a whole list.
	ExportedSet exported_;
	uint64_t absent_answered_ = 0;
	EventCredit events_; // which events the late-EOI throttle may count as spurious
	KernelTransport transport_{*this};
	OpChannel<KernelTransport> chan_{transport_};
	LatencyHistogram latency_;
	DeviceTable devices_;
	uint64_t op_errors_ = 0;
	uint64_t op_faults_ = 0;
	uint64_t msi_ops_ = 0;
};

} // namespace pcifront
