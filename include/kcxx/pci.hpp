// SPDX-License-Identifier: GPL-2.0
// The PCI core as a frontend uses it: the rescan lock as a guard, root buses, the scan, and a
// view of one function's resources. Thin and typed over include/kcxx/pci.h; each call states
// what the core expects of its caller.
#pragma once

#include "kcxx/device.hpp"
#include "kcxx/pci.h"
#include "kcxx/pci_ref.hpp"
#include "kcxx/result.hpp"

namespace kcxx
{

// pci_lock_rescan_remove() for a scope: nothing else adds or removes PCI devices meanwhile.
class [[nodiscard]] RescanGuard : NoCopy
{
      public:
	RescanGuard() { kcxx_pci_lock_rescan_remove(); }
	~RescanGuard() { kcxx_pci_unlock_rescan_remove(); }
};

// A bus the PCI core knows (not owned: the core frees it with its root).
class PciBus
{
      public:
	explicit PciBus(struct pci_bus *b) : b_(b) {}
	struct pci_bus *raw() const { return b_; }
	explicit operator bool() const { return b_ != nullptr; }

	// The bus at @domain:@bus, or none. The caller holds a RescanGuard.
	static PciBus find(uint32_t domain, uint32_t bus)
	{
		return PciBus(kcxx_pci_find_bus(static_cast<int>(domain), static_cast<int>(bus)));
	}
	// A root bus under a host bridge whose parent is @parent, with @ops and @owner (its
	// sysdata's, see owner()); functions 0 of each slot scanned. Caller holds a RescanGuard.
	static PciBus create_root(Device parent, uint32_t domain, uint32_t bus, struct pci_ops *ops,
				  void *owner)
	{
		return PciBus(kcxx_pci_scan_root_bus(parent.raw(), static_cast<int>(domain), bus,
						     ops, owner));
	}
	// Removes a root bus made by create_root() and all below it, drivers first. Caller holds
	// a RescanGuard; the bus is gone after.
	void remove_root() { kcxx_pci_remove_root_bus(b_); }

	uint32_t domain() const { return static_cast<uint32_t>(kcxx_pci_bus_domain_nr(b_)); }
	uint32_t number() const { return kcxx_pci_bus_number(b_); }
	// The device the host bridge above this bus was made under: safe for any bus.
	struct device *host_parent() const { return kcxx_pci_bus_host_parent(b_); }
	// What create_root() was given as @owner: only for a bus made by create_root().
	template <class T> T *owner() const { return static_cast<T *>(kcxx_pci_bus_owner(b_)); }

	// The function at @devfn, scanned now if the core did not know it: the new function
	// (not added yet: no driver has seen it), or null when it was known or is not there.
	// Caller holds a RescanGuard.
	struct pci_dev *scan_function(unsigned int devfn)
	{
		if (PciDevRef::get_slot(b_, devfn))
			return nullptr;
		return kcxx_pci_scan_single_device(b_, devfn);
	}
	// Calls @fn(pdev, data) for every function on and below this bus (0 to go on).
	void walk(int (*fn)(struct pci_dev *pdev, void *data), void *data)
	{
		kcxx_pci_walk_bus(b_, fn, data);
	}
	// Makes the scanned functions visible to drivers. Caller holds a RescanGuard.
	void add_devices() { kcxx_pci_bus_add_devices(b_); }

      private:
	struct pci_bus *b_;
};

// One function the core holds, seen by a callback that runs while the core holds it.
class PciDev
{
      public:
	explicit PciDev(struct pci_dev *p) : p_(p) {}
	struct pci_dev *raw() const { return p_; }
	const char *name() const { return kcxx_pci_name(p_); }
	PciBus bus() const { return PciBus(kcxx_pci_dev_bus(p_)); }

	// Unbinds the driver (its remove still reaches config space), then removes the function
	// from the core. Caller holds a RescanGuard and its own reference (PciDevRef).
	void stop_and_remove() { kcxx_pci_stop_and_remove_bus_device(p_); }
	// The struct device, for log lines about this function.
	Device dev() const { return Device(kcxx_pci_to_device(p_)); }
	uint32_t devfn() const { return kcxx_pci_devfn(p_); }
	// Only a driver named @name may bind it from now on ("none": no driver may).
	Result<void> set_driver_override(const char *name)
	{
		return to_result(kcxx_pci_set_driver_override(p_, name));
	}
	// The MSI-X table indices of its MSI descriptors still without an irq, as the MSI core
	// set them up for the hook: how many (at most @max), or a negative errno.
	int msi_indices(uint16_t *out, int max) { return kcxx_pci_msi_indices(p_, out, max); }

	static int resources() { return kcxx_pci_num_resources(); }
	// A BAR the backend set that no driver or bridge has claimed yet.
	bool unclaimed(int bar) const { return kcxx_pci_resource_unclaimed(p_, bar); }
	uint64_t start(int bar) const { return kcxx_pci_resource_start(p_, bar); }
	uint64_t len(int bar) const { return kcxx_pci_resource_len(p_, bar); }
	Result<void> claim(int bar) { return to_result(kcxx_pci_claim_resource(p_, bar)); }

	// Calls the bound driver's PCI error handler for @step (an enum numbered as
	// kcxx_pci_aer_step, which the caller asserts): 0 with its verdict in @result; -ENODEV
	// without a driver; -EOPNOTSUPP when the driver has no handler for the step.
	template <class Step> int aer_call(Step step, uint32_t channel_state, uint32_t *result)
	{
		return kcxx_pci_aer_call(p_, static_cast<enum kcxx_pci_aer_step>(step),
					 channel_state, result);
	}

      private:
	struct pci_dev *p_;
};

namespace pci
{
// Whether DMA of a PV domain's devices reaches the right memory: xen-swiotlb is set up.
inline bool xen_dma_ready()
{
	return kcxx_pci_xen_dma_ready();
}
// The irqs the kernel bound to the MSI/MSI-X vectors of the function at @domain:@bus:@devfn,
// at most @max of them: how many, or -ENODEV. Takes the device's MSI descriptor lock: not with
// a lock the MSI core may hold while it calls the hook.
inline int msi_irqs(uint32_t domain, uint32_t bus, uint32_t devfn, int *irqs, int max)
{
	return kcxx_pci_msi_irqs(static_cast<int>(domain), bus, devfn, irqs, max);
}
// Sets xen-swiotlb up now where the kernel still can (before 6.5); logged against @dev.
inline Result<void> xen_swiotlb_init_late(Device dev)
{
	return to_result(kcxx_pci_xen_swiotlb_init_late(dev.raw()));
}
} // namespace pci

} // namespace kcxx
