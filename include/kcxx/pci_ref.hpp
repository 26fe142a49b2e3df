// SPDX-License-Identifier: GPL-2.0
// Owner over include/kcxx/pci.h's device lookups: a counted pci_dev reference.
#pragma once

#include "kcxx/pci.h"
#include "kcxx/utility.hpp"

namespace kcxx {

// A reference a lookup took (pci_get_domain_bus_and_slot), dropped once (pci_dev_put) when
// its owner goes.
class PciDevRef : NoCopy {
      public:
	PciDevRef() = default;
	PciDevRef(PciDevRef &&o) : p_(exchange(o.p_, static_cast<struct pci_dev *>(nullptr))) {}
	PciDevRef &operator=(PciDevRef &&o)
	{
		if (this != &o) {
			reset();
			p_ = exchange(o.p_, static_cast<struct pci_dev *>(nullptr));
		}
		return *this;
	}
	~PciDevRef() { reset(); }

	struct pci_dev *get() const { return p_; }
	explicit operator bool() const { return p_ != nullptr; }
	void reset()
	{
		if (struct pci_dev *p = exchange(p_, static_cast<struct pci_dev *>(nullptr)))
			kcxx_pci_dev_put(p);
	}

	// The function at @devfn of @bus, if the core knows one there (pci_get_slot).
	static PciDevRef get_slot(struct pci_bus *bus, unsigned int devfn)
	{
		return PciDevRef(kcxx_pci_get_slot(bus, devfn));
	}

	// The function at @domain:@bus:@devfn if it sits below a host bridge @owner made (the
	// frontend's xenbus device), else nothing: the backend names functions, and only the
	// frontend's own may be touched on its word. The host bridge's parent is safe to read
	// for any bus, unlike a foreign bus's sysdata (kcxx_pci_bus_host_parent).
	static PciDevRef find_under(struct device *owner, uint32_t domain, uint32_t bus,
				    uint32_t devfn)
	{
		PciDevRef r(kcxx_pci_get_domain_bus_and_slot(static_cast<int>(domain), bus, devfn));
		if (r && kcxx_pci_bus_host_parent(kcxx_pci_dev_bus(r.p_)) != owner)
			r.reset();
		return r;
	}

      private:
	explicit PciDevRef(struct pci_dev *p) : p_(p) {}
	struct pci_dev *p_ = nullptr;
};

} // namespace kcxx
