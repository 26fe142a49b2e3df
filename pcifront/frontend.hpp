// SPDX-License-Identifier: GPL-2.0
// One connection to a pciback instance: the xenbus device "pci", its shared page and event
// channel, the root buses built from the backend's xenstore keys, and the config-op channel.
#pragma once

#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.h"
#include "kcxx/sync.hpp"
#include "kcxx/work.h"
#include "kcxx/xen.hpp"
#include "lib/config_cache.hpp"
#include "lib/exported_set.hpp"
#include "lib/header_vet.hpp"
#include "lib/op_channel.hpp"
#include "lib/op_stats.hpp"
#include "lib/xen_clock.hpp"
#include "lib/xenbus_fsm.hpp"
#include "xpf/msi.h"

struct pci_bus;
struct pci_dev;

namespace pcifront
{

class Frontend;

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
	explicit KernelTransport(Frontend &fe) : fe_(fe) {}
	xen_pci_sharedinfo *page();
	bool active();
	void set_active();
	void notify();
	uint64_t now_ns();
	void wait(uint64_t sent, uint64_t now, uint64_t deadline_ns);

      private:
	Frontend &fe_;
};

class Frontend : kcxx::NoCopy
{
      public:
	static constexpr int kMaxRootBuses = 16;

	explicit Frontend(struct xenbus_device *xdev);
	Frontend(Frontend &&) = delete;
	~Frontend();

	void otherend_changed(int backend_state);
	// pci_ops: PCIBIOS_* results. Any context, atomic included (x86: PCI_LOCKLESS_CONFIG, so
	// no pci_lock; callers may hold spinlocks or run in an interrupt handler).
	int conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t *val);
	int conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t val);
	// Everything we set up, in reverse order; safe to call again.
	void teardown();
	// The driver is being unbound (before rmmod, or the device is going away): keep a live
	// connection for the next load of the module, or close it.
	void remove();

      private:
	friend class KernelTransport;

	kcxx::Result<void> publish();
	kcxx::Result<void> resume();
	void start_serving();
	void stop_serving();
	kcxx::Result<void> connect();
	bool dma_ready(); // says why not, once per call
	kcxx::Result<void> scan_root(const Bdf &root);
	kcxx::Result<void> learn_exported(const Bdf *roots, int n); // into exported_next_
	kcxx::Result<void> scan_roots(); // every root the backend lists; new functions only
	// @bus (a root or below one) is on one of this frontend's root buses.
	bool owns(struct pci_bus *bus);
	kcxx::Result<void> reconfigure();
	kcxx::Result<void> reconfigured();
	static int on_rescan(void *ctx);
	kcxx::Result<void> read_roots(Bdf *roots, int *count);
	void remove_roots();
	void close();
	void disconnect(); // teardown(), then tell the backend we are Closed
	void detect_clock();
	int conf_op(uint32_t cmd, struct pci_bus *bus, unsigned int devfn, int where, int size,
		    uint32_t *val);
	// What was learnt of the functions behind the backend (cache_, vet_), forgotten when they
	// may have changed: a new connection, a hotplug round. The caller holds op_lock_.
	void forget_functions();
	// One config op to the backend, its reply checked and counted; a read fills the cache.
	int round_trip(const xen_pci_op &req, uint32_t *val, bool cache_on);
	// The MSI module's way to pciback (process context; see xpf_msi_transport).
	int msi_call(struct pci_dev *pdev, const xen_pci_op &req, xen_pci_op *reply);
	void aer_work();
	void debugfs_create();
	int show_stats(struct seq_file *m);

	static enum kcxx_irqreturn on_event(int irq, void *data);
	static void on_aer_work(void *data);
	static int on_show_stats(struct seq_file *m, void *data);
	static int on_msi_call(void *ctx, struct pci_dev *pdev, const struct xen_pci_op *req,
			       struct xen_pci_op *reply);
	static int claim_one(struct pci_dev *pdev, void *data);

	struct xenbus_device *xdev_;
	const char *name_; // the xenbus node name, for log lines

	static kcxx::LockClass state_lock_class_, op_lock_class_; // lockdep's names for the two
	// Serialises xenbus callbacks, connect, close and remove.
	kcxx::Mutex state_lock_{state_lock_class_};

	// Connection, in set-up order; teardown() releases it bottom-up.
	xen::SharedPage page_;
	xen::IrqBinding irq_;
	int track_handle_ = -1;
	struct kcxx_work aer_work_; // initialised with the object: a live handler may queue it
	struct pci_bus *roots_[kMaxRootBuses] = {};
	int nr_roots_ = 0;
	ExportedSet exported_next_; // built by scan_roots() (xenwatch), then swapped in
	static_assert(ExportedSet::kRoots >= kMaxRootBuses, "the exported set holds every root");
	struct dentry *debugfs_ = nullptr;
	struct kcxx_debugfs_show stats_show_ = {};
	struct xpf_msi_transport msi_transport_ = {};
	bool msi_attached_ = false;

	// Config ops.
	kcxx::SpinLock op_lock_{op_lock_class_};
	bool live_ = false; // ops may be sent: set after publish, cleared before teardown
	KernelClockSource clock_source_;
	XenClock<KernelClockSource> clock_{clock_source_};
	uint64_t timeout_ns_;
	uint64_t spin_ns_; // op_spin_us: the first part of a wait polls without blocking
	ConfigCache cache_; // read-only registers (config_cache); cleared on connect and hotplug
	HeaderVet vet_;     // functions with a header type the core cannot scan; forgotten with cache_
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
	uint64_t aer_requests_ = 0;
	uint64_t aer_unhandled_ = 0;
	uint64_t protocol_events_ = 0;
	uint64_t msi_ops_ = 0;
	uint64_t hotplug_rounds_ = 0;
};

} // namespace pcifront
