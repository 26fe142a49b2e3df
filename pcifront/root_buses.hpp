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

struct pci_bus;
struct pci_dev;
struct device;

namespace pcifront
{

class RootBuses : kcxx::NoCopy
{
      public:
	static constexpr int kMax = 16;

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
	// Whether devices may be added: xen-swiotlb is set up (it says why not, once per call).
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
	kcxx::Result<void> read_roots(Bdf *roots, int *count);
	kcxx::Result<Bdf> read_root(const char *be, uint32_t i, uint32_t n);
	void learn_exported(const HotplugList *list, const Bdf *roots, int n);
	kcxx::Result<kcxx::PciBus> root_bus(const Bdf &root);
	kcxx::Result<void> scan_root(const Bdf &root);
	static int claim_one(struct pci_dev *pdev, void *data);

	xen::XenbusDevice xdev_;
	ConfigSpace &cs_; // the buses' config space (their pci_ops owner)
	struct pci_bus *roots_[kMax] = {};
	int nr_ = 0;
	ExportedSet next_; // built by scan() (xenwatch), then handed to cs_
	static_assert(ExportedSet::kRoots >= kMax, "the exported set holds every root");
};

} // namespace pcifront
