// SPDX-License-Identifier: GPL-2.0
// The functions the backend says it exports on each root bus (`vdev-N`), so that a config read
// of any other function there is answered "no device" here, as pciback would answer it, without
// a round trip to dom0. The PCI core probes every function of a root bus when it is scanned,
// and the frontend scans every root again at each hotplug attach: with one device exported,
// 255 of those probes are round trips that can only say "no device".
//
// pciback writes vdev-N for every device it exports before it goes Connected (and, for an
// attach, before Reconfigured), in vpci and passthrough mode alike, and answers dev_not_found
// for every function it does not export. Nothing is assumed from a list that is not whole: a
// missing or bad num_devs, or an entry that is not leaving (state-N Closing or Closed) and has
// no well-formed vdev-N, leaves the set unknown, and every read goes to the backend. The set may
// hold more than is exported (a device being detached stays until the next list), never less
// than the list says. A backend that lists fewer devices than it exports hides them from us,
// which it can do anyway by answering dev_not_found.
// Portable: built unchanged for the kernel and for the host tests. Not locked: its owner
// builds a new set outside the op lock and swaps it in under it.
#pragma once

#include "kcxx/result.hpp"
#include "kcxx/xen_public.h"
#include "lib/hotplug_list.hpp"
#include "lib/pciif.hpp"

namespace pcifront
{

class ExportedSet
{
      public:
	static constexpr int kRoots = 16;

	// From the device list as read_hotplug_list() read it (lib/hotplug_list.hpp): one reading
	// serves both. @roots: this connection's root buses. Fails, the set then unknown and
	// empty, when the list is not whole.
	Result<void> learn(const HotplugList &list, const Bdf *roots, int nroots);
	// A list that could not be read at all: unknown, every read goes to the backend.
	void forget() { *this = ExportedSet{}; }

	// True only when the set is known, @bdf is on one of its root buses, and the backend
	// does not list it.
	bool absent(const Bdf &bdf) const
	{
		const int i = known_ ? root_of(bdf) : -1;
		return i >= 0 && !(roots_[i].devfns[word(bdf)] & bit(bdf));
	}
	bool known() const { return known_; }
	int listed() const { return listed_; } // listed functions on the root buses

      private:
	struct Root {
		uint32_t domain = 0;
		uint32_t bus = 0;
		uint32_t devfns[8] = {};
	};
	static int word(const Bdf &b) { return static_cast<int>((b.devfn & 0xff) / 32); }
	static uint32_t bit(const Bdf &b) { return 1u << (b.devfn % 32); }
	int root_of(const Bdf &b) const // the index of @b's root bus, or -1
	{
		for (int i = 0; i < nroots_; ++i)
			if (roots_[i].domain == b.domain && roots_[i].bus == b.bus)
				return i;
		return -1;
	}
	void add(const Bdf &b)
	{
		// A function not on a root bus (behind an exported bridge in passthrough mode) is
		// reached through the bridge, and reads there always go to the backend.
		const int i = root_of(b);
		if (i < 0 || (roots_[i].devfns[word(b)] & bit(b)))
			return;
		roots_[i].devfns[word(b)] |= bit(b);
		++listed_;
	}

	bool known_ = false;
	int nroots_ = 0;
	int listed_ = 0;
	Root roots_[kRoots];
};

inline Result<void> ExportedSet::learn(const HotplugList &list, const Bdf *roots, int nroots)
{
	*this = ExportedSet{};
	if (nroots < 0 || nroots > kRoots)
		return kcxx::err(-KCXX_EINVAL);
	for (int i = 0; i < nroots; ++i) {
		roots_[i].domain = roots[i].domain;
		roots_[i].bus = roots[i].bus;
	}
	nroots_ = nroots;
	for (uint32_t i = 0; i < list.num_devs; ++i) {
		const HotplugEntry &e = list.entries[i];
		if (e.vdev_err == 0) {
			add(e.vdev);
			continue;
		}
		// A device being detached may have lost its vdev-N; any other entry without one
		// (its state unreadable included) is a hole in the list.
		const bool leaving = e.fault != HotplugFault::BadState &&
				     (e.state == XenbusStateClosing || e.state == XenbusStateClosed);
		if (!leaving) {
			*this = ExportedSet{};
			return kcxx::err(e.vdev_err);
		}
	}
	known_ = true;
	return kcxx::ok();
}

} // namespace pcifront
