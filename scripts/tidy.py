#!/usr/bin/env python3
"""Runs clang-tidy on every translation unit of a build's compile database.

Usage: tidy.py BUILD_DIR [JOBS]

It reuses the compile commands of an existing build (the dev build in CI), so
nothing is compiled a second time. Each unit goes through clang-tidy-cached,
which skips a unit that already passed with the same preprocessed source.
Exits non-zero, with every unit's warnings printed, if any unit fails.

Units get one of three check profiles, so that a change to a widely included
header (which makes every unit miss the cache) stays affordable on two cores:
- the product (src/, not tests, not emulators): every check in .clang-tidy,
  the static analyzer included;
- the emulators: the same without the static analyzer (they are test
  stand-ins; the sanitizer build runs them under every end-to-end test);
- tests and test fixtures: naming and the checks that catch real bugs in
  test code (use after move, dangling handles, ignored results, copies).
"""

import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
TIDY_ARGS = [
    "--quiet",
    "--warnings-as-errors=*",
    "--extra-arg=-Wno-unknown-warning-option",
]


TEST_CHECKS = ",".join([
    "-*",
    "readability-identifier-naming",
    "bugprone-use-after-move",
    "bugprone-dangling-handle",
    "bugprone-unused-return-value",
    "bugprone-undelegated-constructor",
    "performance-unnecessary-copy-initialization",
    "performance-for-range-copy",
])


def profile(source):
    """The extra clang-tidy arguments for `source` (see the module comment)."""
    relative = os.path.relpath(source, ROOT)
    name = os.path.basename(relative)
    if (relative.startswith("tests" + os.sep) or "_test" in name
            or "test_fixture" in name or relative.startswith("build")):
        return [f"--checks={TEST_CHECKS}"]
    if relative.startswith(os.path.join("src", "emulators")):
        return ["--checks=-clang-analyzer-*"]
    return []


def tidy(entry):
    command = entry.get("arguments") or shlex.split(entry["command"])
    source = entry["file"]
    argv = [os.path.join(ROOT, "scripts", "clang-tidy-cached"), *TIDY_ARGS,
            *profile(source), source, "--", *command]
    done = subprocess.run(argv, cwd=entry["directory"], capture_output=True,
                          text=True, check=False)
    return source, done.returncode, done.stdout + done.stderr


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: tidy.py BUILD_DIR [JOBS]")
    database = os.path.join(sys.argv[1], "compile_commands.json")
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count() or 1
    try:
        with open(database, encoding="utf-8") as file:
            entries = json.load(file)
    except OSError as error:
        sys.exit(f"tidy.py: cannot read {database}: {error.strerror} "
                 "(configure the build first)")
    failed = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for number, (source, status, output) in enumerate(
                pool.map(tidy, entries), start=1):
            shown = os.path.relpath(source, ROOT)
            if status != 0:
                failed.append(shown)
                print(f"[{number}/{len(entries)}] FAILED {shown}\n{output}",
                      flush=True)
            elif number % 20 == 0 or number == len(entries):
                print(f"[{number}/{len(entries)}] clean", flush=True)
    if failed:
        print(f"clang-tidy found problems in {len(failed)} of "
              f"{len(entries)} units:", *failed, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
