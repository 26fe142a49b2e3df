// SPDX-License-Identifier: GPL-2.0
// A simulated pciback: answers XEN_PCI_OP_* requests in a xen_pci_sharedinfo the way
// drivers/xen/xen-pciback does, and can be told to misbehave.
#pragma once

#include <cstdint>
#include <vector>

#include "lib/pciif.hpp"

class SimBackend {
      public:
	enum class Fault {
		None,
		WrongDevice,  // reply names another devfn
		WrongCmd,     // reply carries another cmd
		WrongOffset,  // reply carries another offset
		GarbageErr,   // err = a positive value
		HugeErr,      // err = INT32_MIN
		WideValue,    // read value with bits beyond the access size (pciback's own merge)
		ZeroVector,   // an MSI-X pirq of 0
		DupVector,    // the same pirq twice
		ChangedEntry, // an MSI-X entry index rewritten
		HugeVector,   // a pirq beyond the domain's range
		CountInReply, // an MSI-X reply with good vectors and a count where 0 belongs
	};

	struct Device {
		pcifront::Bdf bdf;
		int cfg_size;
		std::vector<uint8_t> cfg;
		bool msix_on = false;
		bool msi_on = false;
		int msi_errno = 0; // pci_enable_msi*() fails with this (-19: dom0 has no IOMMU)
	};

	Device *device(const pcifront::Bdf &bdf);
	// A function with vendor/device IDs and a config space of @cfg_size bytes.
	Device &add_device(const pcifront::Bdf &bdf, uint16_t vendor, uint16_t device,
			   int cfg_size = 256);
	void set_fault(Fault f) { fault_ = f; }
	// Processes sh->op like pciback's xen_pcibk_do_op() and clears XEN_PCIF_active.
	void handle(xen_pci_sharedinfo *sh);

	uint16_t first_pirq = 40;
	bool fresh_pirqs = true; // each enable gets pirqs nobody had (as Xen allocates them)
	int ops = 0;

      private:
	Device *find(const xen_pci_op &op);
	Device *conf_target(xen_pci_op &op);
	void conf_read(xen_pci_op &op);
	void conf_write(xen_pci_op &op);
	void enable_msix(xen_pci_op &op);
	void enable_msi(xen_pci_op &op);

	std::vector<Device> devs_;
	Fault fault_ = Fault::None;
};
