// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-msi: owner of the x86 MSI frontend hook. This first version checks who holds the
// hook; installing our ops table comes with the MSI issue.
#include "entry.h"
#include "kcxx/log.h"
#include "xpf/evtchn.h"
#include "xpf/msi.h"

namespace {
constexpr const char *kMod = "xen-pcifront-msi";
}

extern "C" int xpf_msi_init(void)
{
	kcxx_log(kMod, KCXX_LOG_INFO, "x86 MSI frontend hook is %s; %d bindings tracked",
		 xpf_msi_hook_free() ? "free" : "held by another frontend", xpf_evtchn_count());
	return 0;
}

extern "C" void xpf_msi_exit(void) {}
