#!/usr/bin/env python3
"""The dependency rule of bench/ (bench/README.md), checked on the #include lines.

    layout_rule.py ROOT         checks the tree at ROOT; exit 0 when it keeps the rule
    layout_rule.py --self-test  plants one bad include of each kind in a scratch tree and
                                checks that every one is caught (a check never seen to fail
                                proves nothing)

Every C file under ROOT/bench and ROOT/primitives belongs to a room: primitives, harness,
record, common, the group it sits in (bench/groups/<name>/), or the top of bench/ (the CLI and
the registry, which wire everything together). A quoted include is resolved as the compiler
would, beside the including file first, then by the header's name anywhere in those two trees
(names are unique there, and the test fails if one is not). A room may use only the rooms
below it:

    primitives   primitives
    harness      harness, primitives
    record       record, harness, primitives
    common       common, record, harness, primitives
    group G      G, common, record, harness, primitives
    top          anything
"""
import os
import re
import shutil
import sys
import tempfile

ALLOWED = {
    "primitives": {"primitives"},
    "harness": {"harness", "primitives"},
    "record": {"record", "harness", "primitives"},
    "common": {"common", "record", "harness", "primitives"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE = (".c", ".h")


def room_of(rel):
    """The room of a path relative to ROOT, or None for files outside the rule."""
    parts = rel.split(os.sep)
    if parts[0] == "primitives":
        return "primitives"
    if parts[0] != "bench" or len(parts) < 2:
        return None
    if len(parts) == 2:
        return "top"
    if parts[1] in ("harness", "record", "common"):
        return parts[1]
    if parts[1] == "groups" and len(parts) >= 4:
        return "group " + parts[2]
    return "unplaced"


def may_use(room, other):
    if room == "top":
        return True
    if room.startswith("group "):
        return other == room or other in ALLOWED["common"] | {"common"}
    return other in ALLOWED.get(room, set())


def sources(root):
    for top in ("bench", "primitives"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith(SOURCE):
                    yield os.path.relpath(os.path.join(d, f), root)


def check(root):
    """Returns the list of violations, one line each, naming the file and the include."""
    files = sorted(sources(root))
    by_name = {}
    for rel in files:
        by_name.setdefault(os.path.basename(rel), []).append(rel)
    problems = []
    for name, where in sorted(by_name.items()):
        if len(where) > 1 and name.endswith(".h"):
            problems.append("header name %s is not unique: %s" % (name, ", ".join(where)))
    for rel in files:
        room = room_of(rel)
        if room == "unplaced":
            problems.append("%s: not in a room of bench/ (harness, record, common, groups/<name>)"
                            % rel)
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                beside = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                if os.path.isfile(os.path.join(root, beside)):
                    target = beside
                else:
                    found = by_name.get(os.path.basename(inc), [])
                    if not found:
                        problems.append('%s:%d: #include "%s" is not a file of bench/ or '
                                        'primitives/' % (rel, lineno, inc))
                        continue
                    target = found[0]
                other = room_of(target)
                if not may_use(room, other):
                    problems.append('%s:%d: #include "%s" (%s): %s may not use %s'
                                    % (rel, lineno, inc, target, room, other))
    return problems


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def self_test():
    """Each planted include must be reported, naming its file; the clean tree must pass."""
    scratch = tempfile.mkdtemp(prefix="tvp-layout-")
    try:
        clean = {
            "primitives/tvp_lock.h": "",
            "bench/main.c": '#include "group.h"\n#include "a.h"\n',
            "bench/harness/group.h": '#include "tvp_lock.h"\n',
            "bench/record/report.c": '#include "group.h"\n',
            "bench/common/cpu_work.h": '#include "report.h"\n',
            "bench/record/report.h": "",
            "bench/groups/a/a.h": '#include "cpu_work.h"\n#include "group.h"\n',
            "bench/groups/b/b.c": '#include "b.h"\n#include "tvp_lock.h"\n',
            "bench/groups/b/b.h": "",
        }
        for rel, text in clean.items():
            write(scratch, rel, text)
        failures = 0
        got = check(scratch)
        if got:
            print("self-test: the clean scratch tree was refused:\n  " + "\n  ".join(got))
            failures += 1
        planted = [
            ("bench/harness/supervisor.c", '#include "a.h"\n', "harness may not use group a"),
            ("bench/record/claims.c", '#include "b.h"\n', "record may not use group b"),
            ("bench/groups/a/judge.c", '#include "b.h"\n', "group a may not use group b"),
            ("primitives/spawn.c", '#include "group.h"\n', "primitives may not use harness"),
            ("bench/common/floor.c", '#include "a.h"\n', "common may not use group a"),
            ("bench/harness/output.c", '#include "report.h"\n', "harness may not use record"),
            ("bench/groups/a/x.c", '#include "nowhere.h"\n', "is not a file of"),
            ("bench/stray/x.c", "", "not in a room"),
        ]
        for rel, text, expect in planted:
            write(scratch, rel, text)
            got = check(scratch)
            hit = [p for p in got if p.startswith(rel) and expect in p]
            if hit:
                print("self-test: caught: " + hit[0])
            else:
                print("self-test: NOT caught: %s planted in %s; got %r" % (text.strip(), rel, got))
                failures += 1
            os.remove(os.path.join(scratch, rel))
        print("%d passed, %d failed" % (len(planted) + 1 - failures, failures))
        return 1 if failures else 0
    finally:
        shutil.rmtree(scratch)


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    if argv[1] == "--self-test":
        return self_test()
    problems = check(argv[1])
    for p in problems:
        print("layout: " + p)
    n = len(list(sources(argv[1])))
    print("layout: %d files read, %d break the rule of bench/README.md" % (n, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
