// SPDX-License-Identifier: GPL-2.0
#include "fake_pci.hpp"

#include <algorithm>
#include <cstdio>

#include <gtest/gtest.h>

#include "kcxx/pci.h"

FakePci fpci;

static struct pci_dev *lookup(int domain, unsigned int bus, unsigned int devfn)
{
	FakeDev *d = fpci.dev(domain, bus, devfn);
	return d && !d->removed ? reinterpret_cast<struct pci_dev *>(d) : nullptr;
}

void FakePci::reset()
{
	*this = FakePci();
	fake.find_pci = lookup;
}

FakeBus &FakePci::foreign_bus(int domain, unsigned int bus, struct device *parent)
{
	buses.emplace_back();
	buses.back().f = {domain, bus, 0, parent};
	return buses.back();
}

int FakePci::live_buses() const
{
	int n = 0;
	for (const auto &b : buses)
		n += !b.removed;
	return n;
}

FakeDev *FakePci::dev(int domain, unsigned int bus, unsigned int devfn)
{
	// The newest: a function removed and scanned again is a new device.
	for (auto it = devs.rbegin(); it != devs.rend(); ++it)
		if (it->f.domain == domain && it->f.bus == bus && it->f.devfn == devfn)
			return &*it;
	return nullptr;
}

// The PCI core's rule for adding, scanning and removing: under pci_lock_rescan_remove().
static void need_rescan_lock(const char *what)
{
	if (fpci.rescan_locks <= 0)
		ADD_FAILURE() << what << " without the rescan/remove lock";
}

static FakeBus *as_bus(struct pci_bus *b)
{
	return reinterpret_cast<FakeBus *>(b);
}

static bool is_present(const FakeBus &b, unsigned int devfn)
{
	for (const auto &[d, n, fn] : fpci.present)
		if (d == b.f.domain && n == b.f.bus && fn == devfn)
			return true;
	return false;
}

static FakeDev *found(FakeBus &b, unsigned int devfn)
{
	for (FakeDev *d : b.devs)
		if (d->f.devfn == devfn)
			return d;
	return nullptr;
}

static FakeDev *scan_one(FakeBus &b, unsigned int devfn)
{
	if (found(b, devfn))
		return nullptr;
	if (fpci.probe ? !fpci.probe(reinterpret_cast<struct pci_bus *>(&b), devfn)
		       : !is_present(b, devfn))
		return nullptr;
	fpci.devs.emplace_back();
	fpci.devs.back().f = {b.f.domain, b.f.bus, devfn, b.f.parent};
	b.devs.push_back(&fpci.devs.back());
	return b.devs.back();
}

extern "C" {

void kcxx_pci_lock_rescan_remove(void)
{
	if (++fpci.rescan_locks > fpci.max_rescan_locks)
		fpci.max_rescan_locks = fpci.rescan_locks;
}
void kcxx_pci_unlock_rescan_remove(void)
{
	--fpci.rescan_locks;
}

struct pci_bus *kcxx_pci_find_bus(int domain, int busnr)
{
	for (auto &b : fpci.buses)
		if (!b.removed && b.f.domain == domain &&
		    b.f.bus == static_cast<unsigned int>(busnr))
			return reinterpret_cast<struct pci_bus *>(&b);
	return nullptr;
}

struct pci_bus *kcxx_pci_scan_root_bus(struct device *parent, int domain, unsigned int busnr,
				       struct pci_ops *, void *owner)
{
	need_rescan_lock("pci_scan_root_bus");
	FakeBus &b = fpci.foreign_bus(domain, busnr, parent);
	b.owner = owner;
	// As pci_scan_root_bus(): function 0 of each slot.
	for (unsigned int devfn = 0; devfn < 256; devfn += 8)
		scan_one(b, devfn);
	return reinterpret_cast<struct pci_bus *>(&b);
}

void *kcxx_pci_bus_owner(const struct pci_bus *bus)
{
	return reinterpret_cast<const FakeBus *>(bus)->owner;
}

void kcxx_pci_remove_root_bus(struct pci_bus *bus)
{
	need_rescan_lock("pci_remove_root_bus");
	FakeBus *b = as_bus(bus);
	char name[16];
	std::snprintf(name, sizeof(name), "%04x:%02x", b->f.domain, b->f.bus);
	if (fpci.on_remove_root)
		fpci.on_remove_root(name);
	b->removed = true;
	for (FakeDev *d : b->devs)
		d->removed = true;
	b->devs.clear();
	fpci.removed.push_back(name);
}

struct pci_dev *kcxx_pci_get_slot(struct pci_bus *bus, unsigned int devfn)
{
	return reinterpret_cast<struct pci_dev *>(found(*as_bus(bus), devfn));
}

struct pci_dev *kcxx_pci_scan_single_device(struct pci_bus *bus, unsigned int devfn)
{
	need_rescan_lock("pci_scan_single_device");
	return reinterpret_cast<struct pci_dev *>(scan_one(*as_bus(bus), devfn));
}

void kcxx_pci_stop_and_remove_bus_device(struct pci_dev *pdev)
{
	need_rescan_lock("pci_stop_and_remove_bus_device");
	auto *d = reinterpret_cast<FakeDev *>(pdev);
	d->removed = true;
	for (auto &b : fpci.buses)
		b.devs.erase(std::remove(b.devs.begin(), b.devs.end(), d), b.devs.end());
}

int kcxx_pci_set_driver_override(struct pci_dev *pdev, const char *name)
{
	if (fpci.fail_override)
		return -fpci.fail_override;
	auto *d = reinterpret_cast<FakeDev *>(pdev);
	d->driver_override = name;
	++d->override_sets;
	return 0;
}

void kcxx_pci_bus_add_devices(struct pci_bus *bus)
{
	need_rescan_lock("pci_bus_add_devices");
	for (FakeDev *d : as_bus(bus)->devs) {
		// The backend fixed the BARs: they are claimed before drivers may see the device.
		if (!d->claim_tried)
			ADD_FAILURE() << "a device added before its BAR was claimed";
		if (!d->added)
			d->override_at_add = d->driver_override;
		d->added = true;
	}
}

void kcxx_pci_walk_bus(struct pci_bus *bus, int (*cb)(struct pci_dev *pdev, void *data), void *data)
{
	for (FakeDev *d : as_bus(bus)->devs)
		if (cb(reinterpret_cast<struct pci_dev *>(d), data))
			return;
}

int kcxx_pci_num_resources(void)
{
	return 17;
}
bool kcxx_pci_resource_unclaimed(const struct pci_dev *pdev, int bar)
{
	return bar == 0 && !reinterpret_cast<const FakeDev *>(pdev)->claimed;
}
uint64_t kcxx_pci_resource_start(const struct pci_dev *pdev, int bar)
{
	return bar == 0 ? reinterpret_cast<const FakeDev *>(pdev)->bar0_start : 0;
}
uint64_t kcxx_pci_resource_len(const struct pci_dev *, int bar)
{
	return bar == 0 ? 0x20000 : 0;
}
int kcxx_pci_claim_resource(struct pci_dev *pdev, int)
{
	reinterpret_cast<FakeDev *>(pdev)->claim_tried = true;
	if (fpci.fail_claim)
		return -fpci.fail_claim;
	reinterpret_cast<FakeDev *>(pdev)->claimed = true;
	return 0;
}
bool kcxx_pci_xen_dma_ready(void)
{
	return fpci.dma_ready;
}

} // extern "C"
