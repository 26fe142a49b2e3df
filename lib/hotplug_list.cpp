// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/hotplug_list.hpp"

namespace pcifront {

const char *hotplug_fault_name(HotplugFault f)
{
	switch (f) {
	case HotplugFault::None:
		return "none";
	case HotplugFault::BadState:
		return "state-N missing or not a xenbus state";
	case HotplugFault::NoVdev:
		return "no vdev-N";
	case HotplugFault::BadVdev:
		return "vdev-N is not dddd:bb:ss.f";
	case HotplugFault::Duplicate:
		return "same vdev-N as an earlier entry";
	}
	return "?";
}

HotplugAction hotplug_action(int state)
{
	switch (state) {
	case XenbusStateClosing:
		return HotplugAction::Detach;
	case XenbusStateInitialised:
		return HotplugAction::Present;
	default:
		return HotplugAction::None;
	}
}

} // namespace pcifront

uint32_t xpf_hotplug_list::count(pcifront::HotplugAction a) const
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < num_devs; ++i)
		c += entries[i].fault == pcifront::HotplugFault::None && entries[i].action == a;
	return c;
}

uint32_t xpf_hotplug_list::faults() const
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < num_devs; ++i)
		c += entries[i].fault != pcifront::HotplugFault::None;
	return c;
}

int xpf_hotplug_list::first_unsafe_detach() const
{
	for (uint32_t i = 0; i < num_devs; ++i) {
		const pcifront::HotplugEntry &e = entries[i];
		if (e.fault == pcifront::HotplugFault::BadState)
			return static_cast<int>(i);
		if (e.action == pcifront::HotplugAction::Detach &&
		    (e.fault == pcifront::HotplugFault::NoVdev || e.fault == pcifront::HotplugFault::BadVdev))
			return static_cast<int>(i);
	}
	return -1;
}
