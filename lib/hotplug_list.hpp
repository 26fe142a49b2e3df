// SPDX-License-Identifier: GPL-2.0
// The backend's device list (`num_devs`, `state-N`, `vdev-N`), read once each and validated: the
// one parser of it. A hotplug round (xl pci-attach / pci-detach) sorts it into what the frontend
// must do; the frontend's exported set (lib/exported_set.hpp) learns from the same reading.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/result.hpp"
#include "kcxx/xen_public.h"
#include "lib/pciif.hpp"
#include "lib/xsparse.hpp"

namespace pcifront {

// Why one entry of the list was refused; the rest of the list is still acted on.
enum class HotplugFault : uint8_t {
	None,
	BadState,  // state-N missing or not a XenbusState
	NoVdev,    // the entry needs vdev-N (detach, or the check after attach) and has none
	BadVdev,   // vdev-N is not "dddd:bb:ss.f"
	Duplicate, // another entry with the same state already names this vdev-N
};
const char *hotplug_fault_name(HotplugFault f);

// What an entry asks of the frontend.
enum class HotplugAction : uint8_t {
	None,	// still being exported (Initialising) or nothing to do
	Detach, // Closing: unbind the driver, remove the device, then answer
	Present, // Initialised: exported to us; it must be on our buses after the rescan
};

struct HotplugEntry {
	uint16_t index = 0;
	uint8_t state = 0; // XenbusState of state-N (0 when unreadable)
	HotplugAction action = HotplugAction::None;
	HotplugFault fault = HotplugFault::None;
	int16_t vdev_err = -KCXX_ENOENT; // 0: vdev holds vdev-N; -EINVAL: malformed; else the read's
	Bdf vdev;
};

} // namespace pcifront

// The list itself is named in C too (include/xpf/hotplug.h): the frontend reads it once per
// round and hands it to xen-pcifront-hotplug, typed, across the module boundary.
struct xpf_hotplug_list {
	uint32_t num_devs = 0;
	pcifront::HotplugEntry entries[pcifront::kMaxDevs];

	uint32_t count(pcifront::HotplugAction a) const;
	uint32_t faults() const;
	// A detach round must not be answered while this entry stands (-1: none does): one whose
	// state cannot be read (it may be a detach) or a detach without a usable vdev-N. Answering
	// would let pciback reset, and libxl deassign, a device whose driver is still bound.
	int first_unsafe_detach() const;
};

namespace pcifront {

using HotplugList = ::xpf_hotplug_list;

// Maps an entry's state to what the frontend does with it.
HotplugAction hotplug_action(int state);

// Reader: `Result<size_t> read(const char *key, char *buf, size_t cap)`: the value of the
// backend's node @key copied into @buf (not terminated; at most @cap bytes, -E2BIG beyond),
// -ENOENT when the node does not exist.
//
// Fails only when the list as a whole is unusable (num_devs missing or out of range); a bad
// entry is marked in its fault field and the others stand. vdev-N is read for every entry, so
// that the exported set needs no second reading; it is a fault only where the action needs it.
template <class Reader> Result<void> read_hotplug_list(Reader &rd, HotplugList *out)
{
	char buf[kMaxXsValue];
	char key[16];
	out->num_devs = 0;
	const size_t n = TRY(rd.read("num_devs", buf, sizeof(buf)));
	const uint32_t num = TRY(parse_count(buf, n, kMaxDevs));
	for (uint32_t i = 0; i < num; ++i) {
		HotplugEntry &e = out->entries[i];
		e = HotplugEntry{};
		e.index = static_cast<uint16_t>(i);
		format_index_key(key, sizeof(key), "state-", i);
		auto sl = rd.read(key, buf, sizeof(buf));
		Result<int> st = sl.ok() ? parse_state(buf, *sl.get()) : kcxx::err(sl.error());
		format_index_key(key, sizeof(key), "vdev-", i);
		if (auto vl = rd.read(key, buf, sizeof(buf)); !vl.ok()) {
			e.vdev_err = static_cast<int16_t>(vl.error());
		} else if (auto v = parse_bdf(buf, *vl.get()); !v.ok()) {
			e.vdev_err = -KCXX_EINVAL;
		} else {
			e.vdev = *v.get();
			e.vdev_err = 0;
		}
		if (!st.ok()) {
			e.fault = HotplugFault::BadState;
			continue;
		}
		e.state = static_cast<uint8_t>(*st.get());
		e.action = hotplug_action(e.state);
		if (e.action == HotplugAction::None)
			continue;
		if (e.vdev_err) {
			e.fault = e.vdev_err == -KCXX_EINVAL ? HotplugFault::BadVdev : HotplugFault::NoVdev;
			continue;
		}
		for (uint32_t j = 0; j < i; ++j) {
			const HotplugEntry &o = out->entries[j];
			if (o.fault == HotplugFault::None && o.action == e.action && o.vdev == e.vdev)
				e.fault = HotplugFault::Duplicate;
		}
	}
	out->num_devs = num;
	return kcxx::ok();
}

} // namespace pcifront
