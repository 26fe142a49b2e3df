// SPDX-License-Identifier: GPL-2.0
// A backend's xenstore directory as a map, for the host tests and the fuzz targets: the Reader
// read_hotplug_list() takes. It counts reads so callers can see each key is read once.
#pragma once

#include <cstring>
#include <map>
#include <string>

#include "kcxx/errno.h"
#include "kcxx/result.hpp"

struct MapReader {
	std::map<std::string, std::string> nodes;
	std::map<std::string, int> reads;

	kcxx::Result<size_t> read(const char *key, char *buf, size_t cap)
	{
		++reads[key];
		auto it = nodes.find(key);
		if (it == nodes.end())
			return kcxx::err(-KCXX_ENOENT);
		if (it->second.size() > cap)
			return kcxx::err(-KCXX_E2BIG);
		std::memcpy(buf, it->second.data(), it->second.size());
		return it->second.size();
	}
};
