# SPDX-License-Identifier: GPL-2.0
"""scripts/shape.py: the tree passes, and each rule fails on a tree planted to break it."""
import importlib.util
import shutil
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("shape", TOP / "scripts" / "shape.py")
shape = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shape)


def tree(tmp_path):
    for d in shape.DRIVER_DIRS:
        shutil.copytree(TOP / d, tmp_path / d)
    return tmp_path


def function(statements):
    """A function, after two lines of preamble, of 4 lines plus @statements lines."""
    body = "".join(f"\tx += {i};\n" for i in range(statements))
    return f"// a\n\nint f(int x)\n{{\n{body}\treturn x;\n}}\n"


def klass(head, members):
    return head + "\n{\n" + "".join(f"\tint m{i};\n" for i in range(members)) + "};\n"


def test_the_tree_passes():
    assert shape.check(TOP) == []


def test_a_long_file_fails(tmp_path):
    t = tree(tmp_path)
    (t / "evtchn" / "long.h").write_text("/* x */\n" * 401)
    assert [p for p in shape.check(t) if "long.h: 401 lines" in p]


def test_a_long_function_fails(tmp_path):
    t = tree(tmp_path)
    (t / "pcifront" / "long.cpp").write_text(function(49))
    problems = shape.check(t)
    assert [p for p in problems if "long.cpp:3: int f(int x): 53 lines" in p], problems


def test_a_fifty_line_function_passes(tmp_path):
    t = tree(tmp_path)
    (t / "pcifront" / "ok.cpp").write_text(function(46))
    assert shape.check(t) == []


def test_a_raw_call_in_the_frontend_fails(tmp_path):
    t = tree(tmp_path)
    (t / "pcifront" / "raw.cpp").write_text("void f()\n{\n\tkcxx_msleep(1);\n}\n")
    assert [p for p in shape.check(t) if "pcifront/*.cpp: 1 raw" in p]


def test_a_class_is_not_a_function(tmp_path):
    t = tree(tmp_path)
    (t / "pcifront" / "cls.hpp").write_text(klass("class C", 60))
    assert shape.check(t) == []


def test_a_template_class_is_not_a_function(tmp_path):
    t = tree(tmp_path)
    (t / "evtchn" / "tcls.hpp").write_text(klass("template <class T> class C", 60))
    assert shape.check(t) == []


def test_a_long_function_in_another_driver_fails(tmp_path):
    t = tree(tmp_path)
    (t / "xenbus-hotplug" / "long.cpp").write_text(function(60))
    assert [p for p in shape.check(t) if "xenbus-hotplug/long.cpp:3: int f(int x): 64 lines" in p]
