// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-msi's state: the table of devices on MSI, the transport, the hook, the counters.
// msi_ops.cpp runs the ops on it; show.cpp shows it in debugfs.
#pragma once

#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.hpp"
#include "kcxx/sync.hpp"
#include "lib/msi_table.hpp"
#include "xpf/msi.h"

namespace xpf_msi
{

using pcifront::Bdf;

extern kcxx::LockClass lock_class;

struct Counters {
	uint64_t enables = 0;
	uint64_t enable_failures = 0;
	uint64_t disables = 0;
	uint64_t corrected = 0; // kernel asked for the other mode's disable
	uint64_t recovered = 0; // pciback had MSI-X left on: switched off, enabled again
	uint64_t refused_vectors = 0;
};

// The last failure logged per device, so that a driver's MSI-X-then-MSI fallback on a host
// without an IOMMU gives one line, not one per attempt.
struct Warned {
	Bdf bdf;
	bool used = false;
};

struct State {
	kcxx::Mutex lock{lock_class}; // the table, the transport and the hook
	pcifront::MsiTable table;
	struct xpf_msi_transport *transport = nullptr;
	bool hook = false;
	Counters n;
	static constexpr int kWarned = 16;
	Warned warned[kWarned];
	int warned_next = 0;
	uint16_t entries[SH_INFO_MAX_VEC] = {}; // scratch for one enable, under the lock
	kcxx::DebugfsDir debugfs;  // msi/: before the file in it, so destroyed after it
	kcxx::DebugfsFile devices; // msi/devices (show.cpp)
};

extern kcxx::StaticBox<State> state;

// debugfs msi/devices: the counters and each device's vectors (show.cpp).
void show_devices(kcxx::Seq &seq);

} // namespace xpf_msi
