#!/usr/bin/env python3
"""Instruction counts of the hot paths under callgrind (`scripts/bench --instructions`).

Wall-clock figures on a shared 2-core machine move by tens of percent between runs; the
number of instructions a piece of code executes does not. Each kernel of
`VirtyardBench --suite instructions` (see Sources/VirtyardBench/InstructionKernels.swift) runs
in its own process under `valgrind --tool=callgrind`, counting only inside
`countedRegion` (set-up and start-up are not counted), beside a baseline kernel run
the same way. Prints a table and writes the section "instructions" of bench/results.json:
instructions per repetition for each kernel and its baseline, and their ratio.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchsupport import merge_section  # noqa: E402


def count(binary, kernel, scratch):
    """Instructions executed inside the measured function for one kernel."""
    out = os.path.join(scratch, f"callgrind.{kernel}")
    command = ["valgrind", "--tool=callgrind", "--toggle-collect=*countedRegion*",
               f"--callgrind-out-file={out}", binary, "--suite", "instructions", "--kernel", kernel]
    # Swift seeds its hashing per process: dictionaries would collide differently each run.
    environment = dict(os.environ, SWIFT_DETERMINISTIC_HASHING="1")
    run = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=environment)
    if run.returncode != 0:
        sys.exit(f"callgrind run of {kernel} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    with open(out) as handle:
        text = handle.read()
    match = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.MULTILINE)
    if not match:
        sys.exit(f"no instruction total in {out}")
    instructions = int(match.group(1))
    if instructions == 0:
        sys.exit(f"{kernel}: callgrind counted nothing (is countedRegion still in the binary?)")
    return instructions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="the release VirtyardBench")
    parser.add_argument("--output", default="bench/results.json")
    parser.add_argument("--only", help="comma-separated kernel names (without -baseline)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        measure(args, scratch)


def measure(args, scratch):
    # Debian's valgrind cannot read the DWARF 5 the Swift toolchain writes: count a copy
    # without debug information (the symbol table, which names the measured function, stays).
    binary = os.path.join(scratch, "VirtyardBench")
    subprocess.run(["objcopy", "--strip-debug", args.binary, binary], check=True)
    args.binary = binary
    listing = subprocess.run([args.binary, "--suite", "instructions"], capture_output=True, text=True, check=True)
    kernels = {}
    for line in listing.stdout.splitlines():
        name, repetitions, description = line.split("\t", 2)
        kernels[name] = (int(repetitions), description)
    wanted = [name for name in kernels if not name.endswith("-baseline")]
    if args.only:
        wanted = [name for name in wanted if name in args.only.split(",")]

    section = {}
    print(f"{'kernel':<24}{'instructions/op':>16}{'baseline/op':>14}{'ratio':>8}  baseline")
    for name in wanted:
        repetitions, description = kernels[name]
        base_name = f"{name}-baseline"
        base_repetitions, base_description = kernels[base_name]
        value = count(args.binary, name, scratch) / repetitions
        base = count(args.binary, base_name, scratch) / base_repetitions
        ratio = value / base
        print(f"{name:<24}{value:>16,.0f}{base:>14,.0f}{ratio:>8.3f}  {base_description}")
        section[name] = {
            "what": description, "instructions_per_op": round(value), "baseline": base_description,
            "baseline_instructions_per_op": round(base), "ratio": round(ratio, 3),
        }

    merge_section(args.output, "instructions", section)


if __name__ == "__main__":
    main()
