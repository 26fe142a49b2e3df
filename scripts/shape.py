#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The drivers' shape, checked (issue #23): no file in a driver directory over 400 lines, no
function of the frontend (pcifront/) over 50 lines, and no raw shim name (kcxx_*) in a driver
.cpp file: drivers use the C++ owners and views of include/kcxx/ (layer 2).

Functions are found the way the house style writes them (clang-format, .clang-format): a
definition's body opens with "{" alone at column 0 and closes with "}" alone at column 0; a
member defined in its class counts as part of the class, which is not a function."""
import re
import sys
from pathlib import Path

DRIVER_DIRS = ["pcifront", "x86-msi-ops", "evtchn", "xenbus-hotplug"]
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50
FUNCTION_DIRS = DRIVER_DIRS
RAW_CEILING = {"pcifront": 0, "x86-msi-ops": 0, "evtchn": 0, "xenbus-hotplug": 0}
RAW = re.compile(r"\bkcxx_[a-z0-9_]+")
NOT_A_FUNCTION = re.compile(
    r"^(template\s*<[^>]*>\s*)?(class|struct|union|enum|namespace|extern \"C\" \{)\b|=\s*$")


def functions(text):
    """(name line, first line number, length in lines) of each function definition."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i] == "{":
            j = i - 1  # the head: back to the line after a blank, a comment or a "}"
            while j > 0 and lines[j - 1].strip() and not lines[j - 1].startswith(("}", "//", "#", "/*", " *")) \
                    and not lines[j - 1].rstrip().endswith(";"):
                j -= 1
            k = i + 1
            while k < len(lines) and not (lines[k] == "}" or lines[k].startswith("};")):
                k += 1
            if not NOT_A_FUNCTION.search(lines[j]):
                out.append((lines[j].strip(), j + 1, k - j + 1))
            i = k
        i += 1
    return out


def check(top):
    problems = []
    for d in DRIVER_DIRS:
        raw = 0
        for f in sorted((top / d).glob("*")):
            if f.suffix not in (".c", ".cpp", ".h", ".hpp"):
                continue
            text = f.read_text()
            n = text.count("\n")
            if n > MAX_FILE_LINES:
                problems.append(f"{f.relative_to(top)}: {n} lines, over {MAX_FILE_LINES}")
            if f.suffix == ".cpp":
                raw += len(RAW.findall(text))
            if d in FUNCTION_DIRS and f.suffix in (".cpp", ".hpp"):
                for head, line, length in functions(text):
                    if length > MAX_FUNCTION_LINES:
                        problems.append(f"{f.relative_to(top)}:{line}: {head[:60]}: {length} "
                                        f"lines, over {MAX_FUNCTION_LINES}")
        if raw > RAW_CEILING[d]:
            problems.append(f"{d}/*.cpp: {raw} raw kcxx_ names, over the ceiling of {RAW_CEILING[d]} "
                            f"(drivers use the C++ owners of include/kcxx/)")
        print(f"shape: {d}: {raw} raw kcxx_ names (ceiling {RAW_CEILING[d]})")
    return problems


def main():
    top = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    problems = check(top)
    for p in problems:
        print(f"shape: {p}")
    print(f"shape: {'FAILED' if problems else 'ok'}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
