// SPDX-License-Identifier: GPL-2.0
// Per-device MSI/MSI-X state as the backend sees it, so that a teardown reaches pciback as the
// op that undoes what is really enabled. The built-in x86 teardown asks for disable_msi after
// the MSI core has already cleared msix_enabled; without this, pciback keeps MSI-X on and
// answers the next enable_msix with -EALREADY.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/xen_public.h"
#include "lib/pciif.hpp"

namespace pcifront {

enum class MsiMode { Off, Msi, Msix };

class MsiState {
      public:
	// The op to send for a driver's enable request; refuses (-EBUSY) while another mode is on.
	int enable_op(MsiMode want, uint32_t *cmd) const;
	// The op that undoes what is enabled, whatever the kernel asked to disable; 0 if nothing.
	// Returns false when nothing is enabled.
	bool disable_op(uint32_t *cmd) const;

	void enabled(MsiMode m, int nvec)
	{
		mode_ = m;
		nvec_ = nvec;
	}
	void disabled()
	{
		mode_ = MsiMode::Off;
		nvec_ = 0;
	}

	MsiMode mode() const { return mode_; }
	int nvec() const { return nvec_; }

      private:
	MsiMode mode_ = MsiMode::Off;
	int nvec_ = 0;
};

const char *msi_mode_name(MsiMode m);

} // namespace pcifront
