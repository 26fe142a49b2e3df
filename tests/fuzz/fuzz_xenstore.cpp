// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: everything the backend writes to xenstore for us. The input is a backend
// directory, one "key=value" node per line. Every value goes through every parser
// (`root_num`, `root-N`, `num_devs`, `dev-N`, `vdev-N`, `state`, `state-N`); each parsed state
// goes through the xenbus state machine from every state of ours; and the directory is read as
// a hotplug round's device list and as the set of exported functions.
#include <map>
#include <string>

#include "fuzz_common.hpp"
#include "lib/exported_set.hpp"
#include "lib/hotplug_list.hpp"
#include "lib/xenbus_fsm.hpp"
#include "lib/xsparse.hpp"
#include "map_reader.hpp"

using namespace pcifront;

namespace
{

void bdf_round_trip(const Bdf &b)
{
	char s[32];
	const int n = std::snprintf(s, sizeof(s), "%04x:%02x:%02x.%x", b.domain, b.bus,
				    slot_of(b.devfn), func_of(b.devfn));
	auto again = parse_bdf(s, static_cast<size_t>(n));
	FUZZ_CHECK(again.ok() && *again.get() == b);
}

void every_parser(const std::string &v)
{
	const char *s = v.data();
	const size_t n = v.size();
	for (unsigned base : {10u, 16u}) {
		auto u = parse_uint(s, n, base, 1000);
		FUZZ_CHECK(!u.ok() || *u.get() <= 1000);
	}
	auto c = parse_count(s, n, kMaxDevs);
	FUZZ_CHECK(!c.ok() || *c.get() <= kMaxDevs);
	auto r = parse_root(s, n);
	if (r.ok())
		FUZZ_CHECK(r.get()->domain <= 0xffff && r.get()->bus <= 0xff &&
			   r.get()->devfn == 0);
	auto b = parse_bdf(s, n);
	if (b.ok()) {
		FUZZ_CHECK(b.get()->domain <= 0xffff && b.get()->bus <= 0xff &&
			   b.get()->devfn <= 0xff);
		bdf_round_trip(*b.get());
	}
	auto st = parse_state(s, n);
	if (st.ok()) {
		const int be = *st.get();
		FUZZ_CHECK(be >= XenbusStateUnknown && be <= XenbusStateReconfigured);
		for (int ours = XenbusStateUnknown; ours <= XenbusStateReconfigured; ++ours)
			FUZZ_CHECK(fsm_action_name(decide(ours, be)) != nullptr);
		FUZZ_CHECK(xenbus_state_name(be) != nullptr);
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MapReader dir;
	std::string all(reinterpret_cast<const char *>(data), size);
	size_t at = 0;
	while (at <= all.size()) {
		size_t nl = all.find('\n', at);
		if (nl == std::string::npos)
			nl = all.size();
		const std::string line = all.substr(at, nl - at);
		const size_t eq = line.find('=');
		if (eq != std::string::npos)
			dir.nodes[line.substr(0, eq)] = line.substr(eq + 1);
		every_parser(eq == std::string::npos ? line : line.substr(eq + 1));
		at = nl + 1;
	}
	// The state machine also sees values no parser lets through.
	for (int be = -2; be <= XenbusStateReconfigured + 2; ++be)
		FUZZ_CHECK(fsm_action_name(decide(size % 9, be)) != nullptr);

	static HotplugList list; // 256 entries: too big for the fuzzer's stack frames
	auto res = read_hotplug_list(dir, &list);
	for (const auto &kv : dir.reads)
		FUZZ_CHECK(kv.second == 1); // every node is read once
	if (res.ok()) {
		FUZZ_CHECK(list.num_devs <= kMaxDevs);
		for (uint32_t i = 0; i < list.num_devs; ++i) {
			const HotplugEntry &e = list.entries[i];
			FUZZ_CHECK(e.index == i && e.state <= XenbusStateReconfigured);
			FUZZ_CHECK(hotplug_fault_name(e.fault) != nullptr);
			if (e.fault != HotplugFault::None || e.action == HotplugAction::None)
				continue;
			FUZZ_CHECK(e.vdev.bus <= 0xff && e.vdev.devfn <= 0xff);
			// No device is acted on twice in one round.
			for (uint32_t j = 0; j < i; ++j) {
				const HotplugEntry &o = list.entries[j];
				FUZZ_CHECK(!(o.fault == HotplugFault::None &&
					     o.action == e.action && o.vdev == e.vdev));
			}
		}
		FUZZ_CHECK(list.count(HotplugAction::Detach) + list.count(HotplugAction::Present) +
			       list.faults() <=
			   list.num_devs);
	} else {
		FUZZ_CHECK(list.num_devs == 0);
	}

	// The exported set from the same reading, over the roots it lists (bus 0 without them).
	Bdf roots[ExportedSet::kRoots];
	int nroots = 0;
	for (int i = 0; i < ExportedSet::kRoots; ++i) {
		auto it = dir.nodes.find("root-" + std::to_string(i));
		if (it == dir.nodes.end())
			break;
		if (auto r = parse_root(it->second.data(), it->second.size()); r.ok())
			roots[nroots++] = *r.get();
	}
	if (!nroots)
		roots[nroots++] = Bdf{};
	static ExportedSet set;
	bool known = false;
	if (res.ok())
		known = set.learn(list, roots, nroots).ok();
	else
		set.forget();
	FUZZ_CHECK(known == set.known());
	FUZZ_CHECK(set.listed() >= 0 && set.listed() <= 256 * nroots);
	if (!known) {
		// Nothing is answered locally from a list that is not whole.
		for (int i = 0; i < nroots; ++i)
			for (uint32_t fn = 0; fn < 256; ++fn)
				FUZZ_CHECK(!set.absent(Bdf{roots[i].domain, roots[i].bus, fn}));
	} else {
		// Every function the directory names with a well-formed vdev-N stays present.
		for (const auto &kv : dir.nodes) {
			if (kv.first.rfind("vdev-", 0) != 0)
				continue;
			auto idx = parse_count(kv.first.data() + 5, kv.first.size() - 5, kMaxDevs);
			auto num = dir.nodes.count("num_devs")
				       ? parse_count(dir.nodes["num_devs"].data(),
						     dir.nodes["num_devs"].size(), kMaxDevs)
				       : Result<uint32_t>(kcxx::err(-KCXX_ENOENT));
			auto b = parse_bdf(kv.second.data(), kv.second.size());
			// Only the key the set reads ("vdev-00" is another node than "vdev-0").
			if (idx.ok() && kv.first == "vdev-" + std::to_string(*idx.get()) &&
			    num.ok() && *idx.get() < *num.get() && b.ok())
				FUZZ_CHECK(!set.absent(*b.get()));
		}
	}
	fuzz_no_bad_errno();
	return 0;
}
