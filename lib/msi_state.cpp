// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/msi_state.hpp"

namespace pcifront {

int MsiState::enable_op(MsiMode want, uint32_t *cmd) const
{
	if (mode_ != MsiMode::Off)
		return -KCXX_EBUSY;
	switch (want) {
	case MsiMode::Msi:
		*cmd = XEN_PCI_OP_enable_msi;
		return 0;
	case MsiMode::Msix:
		*cmd = XEN_PCI_OP_enable_msix;
		return 0;
	case MsiMode::Off:
		break;
	}
	return -KCXX_EINVAL;
}

bool MsiState::disable_op(uint32_t *cmd) const
{
	switch (mode_) {
	case MsiMode::Msi:
		*cmd = XEN_PCI_OP_disable_msi;
		return true;
	case MsiMode::Msix:
		*cmd = XEN_PCI_OP_disable_msix;
		return true;
	case MsiMode::Off:
		break;
	}
	return false;
}

const char *msi_mode_name(MsiMode m)
{
	switch (m) {
	case MsiMode::Off:
		return "off";
	case MsiMode::Msi:
		return "msi";
	case MsiMode::Msix:
		return "msix";
	}
	return "unknown";
}

} // namespace pcifront
