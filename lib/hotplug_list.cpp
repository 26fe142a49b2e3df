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

uint32_t HotplugList::count(HotplugAction a) const
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < num_devs; ++i)
		c += entries[i].fault == HotplugFault::None && entries[i].action == a;
	return c;
}

uint32_t HotplugList::faults() const
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < num_devs; ++i)
		c += entries[i].fault != HotplugFault::None;
	return c;
}

int HotplugList::first_unsafe_detach() const
{
	for (uint32_t i = 0; i < num_devs; ++i) {
		const HotplugEntry &e = entries[i];
		if (e.fault == HotplugFault::BadState)
			return static_cast<int>(i);
		if (e.action == HotplugAction::Detach &&
		    (e.fault == HotplugFault::NoVdev || e.fault == HotplugFault::BadVdev))
			return static_cast<int>(i);
	}
	return -1;
}

} // namespace pcifront
