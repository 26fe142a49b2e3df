// SPDX-License-Identifier: GPL-2.0
// A PCI core for RootBuses on the host: root buses made, scanned, walked and removed, the
// functions a scan finds, their BARs claimed. A pci_bus or pci_dev pointer is the FakeBus or
// FakeDev itself, whose first member is the FakePciFunction the other fakes read.
#pragma once

#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "fake_kernel.hpp"

struct FakeDev {
	FakePciFunction f;
	uint64_t bar0_start = 0xf0000000;
	bool claimed = false;
	bool claim_tried = false; // a claim was asked for (it may have failed)
	bool added = false;
	bool removed = false;			     // by pci_stop_and_remove_bus_device
	std::string driver_override;		     // as last set (empty: none set)
	int override_sets = 0;			     // times it was set
	std::string override_at_add = "(not added)"; // what a driver saw when the device was added
};

struct FakeBus {
	FakePciFunction f; // devfn unused; parent: the device the host bridge was made under
	void *owner = nullptr;
	std::vector<FakeDev *> devs;
	bool removed = false;
};

struct FakePci {
	std::deque<FakeBus> buses; // stable addresses
	std::deque<FakeDev> devs;
	// The functions a scan finds: (domain, bus, devfn).
	std::vector<std::tuple<int, unsigned int, unsigned int>> present;
	std::vector<std::string> removed; // "dddd:bb" of root buses in removal order
	int rescan_locks = 0;		  // held now
	int max_rescan_locks = 0;
	bool dma_ready = true;
	int fail_claim = 0;    // errno for every claim, 0 = claims succeed
	int fail_override = 0; // errno for every driver_override set, 0 = they succeed
	// When set, a scan asks it whether a function is there (a read of its vendor ID through
	// the bus's config space) instead of looking in present.
	bool (*probe)(struct pci_bus *bus, unsigned int devfn) = nullptr;
	// When set, called as each root bus goes ("dddd:bb"), before its devices are marked gone:
	// what the rest of the world looked like while their drivers' remove paths ran.
	void (*on_remove_root)(const char *name) = nullptr;

	// Empties the core and points the fake kernel's lookups at it.
	void reset();
	// A bus made under @parent (someone else's: a bus that is there already).
	FakeBus &foreign_bus(int domain, unsigned int bus, struct device *parent);
	int live_buses() const;
	FakeDev *dev(int domain, unsigned int bus, unsigned int devfn);
};

extern FakePci fpci;
