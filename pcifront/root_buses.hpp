// SPDX-License-Identifier: GPL-2.0
// The root buses of one connection, built from the backend's xenstore keys (root_num, root-N):
// created and scanned for every function the backend may export, their BARs claimed as the
// backend set them, removed with their devices. The backend's device list is read here once per
// connect or hotplug round (read_list); a scan learns from it which functions are exported and
// gives ConfigSpace that set.
#pragma once

#include "config_space.hpp"
#include "kcxx/alloc.hpp"
#include "kcxx/pci.hpp"
#include "kcxx/result.hpp"
#include "lib/exported_set.hpp"
#include "lib/hotplug_list.hpp"
#include "lib/pciif.hpp"
#include "xpf/hotplug.h"

struct pci_bus;
struct pci_dev;
struct device;

namespace pcifront
{

class RootBuses : kcxx::NoCopy
{
      public:
	// Each root bus holds a function the backend lists, and the list holds at most 256.
	static constexpr int kMax = XPF_HOTPLUG_MAX_DEVS;
	// The driver_override a stubdomain's devices get: no driver binds them here.
	static constexpr const char *kNoDriver = "none";

	RootBuses(xen::XenbusDevice xdev, ConfigSpace &cs) : xdev_(xdev), cs_(cs) {}
	RootBuses(RootBuses &&) = delete;
	~RootBuses() { remove_all(); }

	// The backend's device list (num_devs, state-N, vdev-N) as read now, checked entry by
	// entry (lib/hotplug_list); get() is null when it could not be read, error() says why.
	class List
	{
	      public:
		const HotplugList *get() const { return error_ ? nullptr : list_.get(); }
		int error() const { return error_; }

	      private:
		friend class RootBuses;
		kcxx::Box<HotplugList> list_;
		int error_ = 0;
	};
	List read_list();
	// Reads once per connection whether this domain is a device-model stubdomain: the HVM
	// guest whose device model it runs is libxl's `target` key in our domain's home. A key
	// that cannot be read (other than absent) makes it a driver domain, with a line: the
	// guess that keeps xen-swiotlb a condition for adding devices.
	void learn_role();
	bool stubdomain() const { return target_ >= 0; }
	// Whether devices may be added: xen-swiotlb is set up, or this is a device-model
	// stubdomain (it says why not, once per call).
	bool dma_ready();
	// Every root the backend lists, created if new and scanned for new functions. @list tells
	// which functions are exported (the others are then answered without a round trip);
	// null: not known, every function is probed at the backend.
	kcxx::Result<void> scan(const HotplugList *list);
	// Every root bus and its devices, drivers unbound first. Idempotent.
	void remove_all();
	// @bus (a root or below one) is on one of our root buses.
	bool owns(struct pci_bus *bus) const;
	int count() const { return nr_; }
	// Root buses of every connection now (debugfs "objects").
	static long live();

      private:
	// The roots the backend lists, as read for one scan (3 KiB: not for the stack).
	struct Listed {
		Bdf at[kMax];
		int n = 0;
	};
	// Root buses made beyond the first few (kFew): a table for all, allocated when needed.
	static constexpr int kFew = 16;
	struct Many {
		struct pci_bus *bus[kMax];
	};

	kcxx::Result<void> read_roots(Listed &roots);
	kcxx::Result<Bdf> read_root(const char *be, uint32_t i, uint32_t n);
	void learn_exported(const HotplugList *list, const Listed &roots);
	kcxx::Result<kcxx::PciBus> root_bus(const Bdf &root);
	kcxx::Result<void> scan_root(const Bdf &root);
	struct Fencing {
		RootBuses *self;
		int error;
	};
	int fence_dev(struct pci_dev *found);
	void fence(kcxx::PciBus bus, unsigned int devfn, struct pci_dev *found);
	kcxx::Result<void> fence_root(kcxx::PciBus bus);
	static int fence_one(struct pci_dev *pdev, void *data);
	static int claim_one(struct pci_dev *pdev, void *data);
	struct pci_bus **table() { return many_ ? many_->bus : few_; }

	xen::XenbusDevice xdev_;
	ConfigSpace &cs_; // the buses' config space (their pci_ops owner)
	struct pci_bus *few_[kFew] = {};
	kcxx::Box<Many> many_; // once more than kFew: every root, few_ then unused
	int nr_ = 0;
	int target_ = -1;  // learn_role(): the HVM guest, or -1 (no stubdomain)
	ExportedSet next_; // built by scan() (xenwatch), then handed to cs_
};

} // namespace pcifront
