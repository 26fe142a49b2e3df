// SPDX-License-Identifier: GPL-2.0
// Host stand-ins for the xenbus, grant, event-channel and lock shims: they record every call so
// tests can assert what an owner released, when, and how often.
#pragma once

#include <map>
#include <string>
#include <vector>

struct device;
struct kcxx_irq_action;
struct pci_bus;
struct pci_dev;

// A PCI function the fake's lookups find (kcxx_pci_get_domain_bus_and_slot), under a host
// bridge made by @parent.
struct FakePciFunction {
	int domain;
	unsigned int bus, devfn;
	struct device *parent;
};

// The page kcxx_xenbus_setup_ring hands out.
void *fake_ring_page();

struct FakeKernel {
	std::vector<std::string> calls;
	std::vector<FakePciFunction> pci; // fixed while a test looks up
	int fail_setup_ring = 0;   // errno to return from the next setup_ring, 0 = succeed
	int fail_alloc_evtchn = 0; // likewise for alloc_evtchn
	int fail_bind = 0;	   // likewise for bind
	int transaction_end_result = 0;
	int locks_held = 0;
	struct kcxx_irq_action *irq_action = nullptr; // the handler of the last bind
	// An event already pending on the port: the handler runs the moment the port is bound,
	// before the bind returns, as a real pending event's upcall may.
	bool fire_on_bind = false;
	const char *read_value = "4"; // what xenbus_read returns; nullptr = NULL
	int read_error = 0;	      // nonzero: xenbus_read returns ERR_PTR(read_error)
	// When not empty, xenbus_read answers from here by node name (ENOENT when absent).
	std::map<std::string, std::string> store;
	std::map<std::string, int> store_errors; // node -> errno xenbus_read returns for it
	std::vector<std::pair<uint32_t, std::string>> reads; // each xenbus_read: transaction, node
	// When set, kcxx_pci_get_domain_bus_and_slot asks it first (fake_pci's devices).
	struct pci_dev *(*find_pci)(int domain, unsigned int bus, unsigned int devfn) = nullptr;

	void reset() { *this = FakeKernel(); }
	int count(const std::string &prefix) const;
};

extern FakeKernel fake;
