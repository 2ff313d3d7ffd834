#!/usr/bin/env python3
"""check_fallback.py — guards grammar.y against lemon's fallback trap.

A non-reserved keyword (listed in %fallback ID) is read as an identifier in
any parser state where the keyword has no explicit action but ID has one.
Where the keyword could legitimately follow after a reduction (for example
PARTITION after `OVER (`, where an optional window name may come first), that
silently turns the keyword into a name and breaks valid SQL. This script runs
lemon without table compression and reports every state where ID shifts while
a fallback keyword only reduces. Such a keyword must be made reserved.

Usage: check_fallback.py LEMON LEMPAR GRAMMAR_Y WORKDIR   (exit 1 on findings)
"""
import os
import re
import shutil
import subprocess
import sys


def main():
    lemon, lempar, grammar, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    y = os.path.join(work, "fallback_check.y")
    shutil.copyfile(grammar, y)
    subprocess.run([lemon, "-c", "-T" + lempar, y], check=True, cwd=work)
    src = open(grammar).read()
    fallback = re.search(r"%fallback\s+ID(.*?)\.", src, re.S).group(1).split()
    report = open(os.path.join(work, "fallback_check.out")).read()
    bad = 0
    for state in re.split(r"\n(?=State \d+:)", report):
        m = re.match(r"State (\d+):", state)
        if not m:
            continue
        acts = {}
        for line in state.split("\n"):
            a = re.match(r"\s+(\w+) (shift|reduce|shift-reduce|accept)\s", line)
            if a:
                acts.setdefault(a.group(1), a.group(2))
        if not acts.get("ID", "").startswith("shift"):
            continue
        for kw in fallback:
            if acts.get(kw) == "reduce":
                items = [l.strip() for l in state.split("\n")[1:4]]
                print(f"state {m.group(1)}: {kw} would be read as a name: {items}")
                bad += 1
    if bad:
        print(f"{bad} fallback conflicts: make those keywords reserved")
        return 1
    print(f"fallback check: {len(fallback)} non-reserved keywords are safe")
    return 0


if __name__ == "__main__":
    sys.exit(main())
