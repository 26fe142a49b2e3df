#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Where a module's memory goes, from its .ko: the bench's memory row taken apart.

The bench's module row is /proc/modules' size once init is done: the module's core, as the
loader lays it out. This redoes that layout from the ELF file (Linux 6.1 to 7.x with
STRICT_MODULE_RWX and KALLSYMS_ALL, as Debian builds them):
- text, read-only data, ro-after-init data (`.data..ro_after_init`, `__jump_table`) and
  writable data each start on a page;
- `__versions`, `.modinfo` and the init sections are not kept;
- the kept symbol table (kallsyms) holds every named symbol of a kept section: 24 bytes of
  Elf64_Sym, one type byte and the name. It lives in the writable part.
It agrees with /proc/modules to a page per module (checked on Debian 12's 6.1).

  modcore.py MODULE.ko...     one row per module (KiB) and their total
"""
from __future__ import annotations

import re
import subprocess
import sys

PAGE = 4096
SECTION = re.compile(r"\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)\s+\S+\s+(\S*)\s+\d+\s+\d+\s+(\d+)")


def up(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def readelf(flag: str, ko: str) -> list[str]:
    return subprocess.run(["readelf", flag, "-W", ko], capture_output=True, text=True, check=True).stdout.splitlines()


def core(ko: str) -> dict[str, int]:
    parts = {"text": 0, "ro": 0, "ro_after_init": 0, "rw": 0}
    of = {"orc": 0, "strings": 0, "exports": 0}
    kept = set()
    for line in readelf("-S", ko):
        m = SECTION.match(line)
        if not m:
            continue
        idx, name, size, flags, align = int(m[1]), m[2], int(m[3], 16), m[4], int(m[5])
        if "A" not in flags or name in ("__versions", ".modinfo") or name.startswith(".init"):
            continue
        kept.add(idx)
        if "X" in flags:
            part = "text"
        elif name in (".data..ro_after_init", "__jump_table"):
            part = "ro_after_init"
        elif "W" in flags:
            part = "rw"
        else:
            part = "ro"
        parts[part] = up(parts[part], max(align, 1)) + size
        for key, prefix in (("orc", ".orc_unwind"), ("strings", ".rodata.str"), ("exports", "__ksymtab")):
            if name.startswith(prefix):
                of[key] += size
    nsyms = names = 0
    for line in readelf("-s", ko):
        f = line.split()
        if len(f) < 8 or not f[0].endswith(":") or not f[6].isdigit() or int(f[6]) not in kept:
            continue
        if f[3] in ("SECTION", "FILE"):
            continue
        nsyms += 1
        names += len(f[7]) + 1
    kallsyms = nsyms * 25 + names
    loaded = up(parts["text"], PAGE) + up(parts["ro"], PAGE) + up(parts["ro_after_init"], PAGE)
    loaded += up(parts["rw"] + kallsyms, PAGE)
    return {"text": parts["text"], "ro": parts["ro"], "of which orc": of["orc"],
            "of which strings": of["strings"], "of which exports": of["exports"],
            "rw": parts["rw"] + parts["ro_after_init"], "kallsyms": kallsyms, "symbols": nsyms,
            "bytes": sum(parts.values()) + kallsyms, "loaded (pages)": loaded}


def main(kos: list[str]) -> int:
    if not kos:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    rows = [(ko.rsplit("/", 1)[-1], core(ko)) for ko in kos]
    keys = list(rows[0][1])
    total = {k: sum(r[k] for _, r in rows) for k in keys}
    show = lambda k, v: str(v) if k == "symbols" else f"{v / 1024:.1f}"
    print("| module (KiB) | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, r in rows + ([("total", total)] if len(rows) > 1 else []):
        print(f"| {name} | " + " | ".join(show(k, r[k]) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
