#!/usr/bin/env python3
"""structure.py [ROOT] - checks the layout docs/architecture.md describes: which folder's code
may include which folder's headers (so the model stays pure and no include cycle between folders
comes back), and how long a function may be. Prints one line per finding and a summary; exits 1 on
any finding.

The include rules, per folder of the including file (a folder not listed may include anything in
the tree; system headers are never checked):"""
import os
import re
import sys

# folder -> folders whose files it may include (its own folder is always allowed)
ALLOWED = {
    "common": [],
    "injector": ["common"],
    "reports": ["common"],
    "runner/model": ["common"],
    "runner/agent": ["common"],
    # The run core and the targets: everything below the commands, never the commands.
    "runner": ["common", "injector", "reports", "runner/model", "runner/targets", "runner/agent",
               "runner/cmd"],
    "runner/targets": ["common", "injector", "runner", "runner/model", "runner/agent"],
    "runner/cmd": ["common", "injector", "reports", "runner", "runner/model", "runner/targets",
                   "runner/agent"],
    # Harnesses of stacks under test speak the agent protocol through its codec only.
    "tests/stacks": ["common", "runner/agent", "tests/stacks"],
}
# Only main.c, the program's entry, may reach the commands from the run core.
CORE_MAY_INCLUDE_CMD = {"runner/main.c"}
# The longest function body, in lines, per folder prefix (the first matching prefix wins).
MAX_LINES = [("runner/model/", 120), ("", 250)]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_rule(rel_dir):
    """The most specific folder of ALLOWED that rel_dir is in, or None."""
    best = None
    for k in ALLOWED:
        if rel_dir == k or rel_dir.startswith(k + "/"):
            if best is None or len(k) > len(best):
                best = k
    return best


def sources(root):
    for top in ("common", "injector", "reports", "runner", "tests/stacks"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)


def function_lengths(text):
    """(name, first line, body lines) of every function whose braces sit in column 0."""
    lines = text.split("\n")
    start = None
    for i, l in enumerate(lines):
        if l == "{" and i > 0:
            j = i - 1
            while j > 0 and lines[j][:1] in ("\t", " "):
                j -= 1
            m = re.search(r"(\w+)\s*\(", lines[j])
            start = (m.group(1) if m else lines[j][:30], i + 1)
        elif l == "}" and start is not None:
            yield start[0], start[1], i - start[1]
            start = None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    findings = []
    nfiles = nincl = nfunc = 0
    for rel in sources(root):
        nfiles += 1
        text = open(os.path.join(root, rel), encoding="utf-8", errors="replace").read()
        here = os.path.dirname(rel)
        rule = folder_rule(here)
        for m in INCLUDE.finditer(text):
            nincl += 1
            target = os.path.normpath(os.path.join(here, m.group(1)))
            if not os.path.exists(os.path.join(root, target)):
                # A library's header through -I ("lwip/tcp.h"); only a path that climbs out
                # of its folder is surely meant to be ours.
                if not m.group(1).startswith(".."):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                findings.append('%s:%d: includes "%s", which does not exist' %
                                (rel, line, m.group(1)))
                continue
            tdir = os.path.dirname(target)
            trule = folder_rule(tdir) or tdir
            if rule is None or trule == rule:
                continue
            ok = trule in ALLOWED[rule]
            if rule == "runner" and trule == "runner/cmd" and rel not in CORE_MAY_INCLUDE_CMD:
                ok = False
            if not ok:
                line = text.count("\n", 0, m.start()) + 1
                findings.append('%s:%d: includes "%s": %s/ may not include %s/ '
                                '(docs/architecture.md)' % (rel, line, m.group(1), rule, trule))
        if rel.endswith(".c"):
            limit = next(n for p, n in MAX_LINES if rel.startswith(p))
            for name, first, n in function_lengths(text):
                nfunc += 1
                if n > limit:
                    findings.append("%s:%d: %s() is %d lines long (at most %d here)" %
                                    (rel, first, name, n, limit))
    for f in findings:
        print(f)
    print("structure: %d files, %d includes, %d functions, %d findings" %
          (nfiles, nincl, nfunc, len(findings)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
