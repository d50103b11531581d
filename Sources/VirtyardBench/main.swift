// VirtyardBench: `--suite informer|scheduler|namespace|all` (default all), or `--suite instructions`
// (one kernel for callgrind, see InstructionKernels.swift; not part of all). Each suite prints a table and
// merges its numbers into bench/results.json, every figure beside a baseline of the same run.

let suite = arguments.firstIndex(of: "--suite").map { arguments[$0 + 1] } ?? "all"
if suite == "informer" || suite == "all" { try await informerBenchmark() }
if suite == "scheduler" || suite == "all" { try await schedulerBenchmark() }
if suite == "namespace" || suite == "all" { try await namespaceBenchmark() }
if suite == "instructions" { try instructionsBenchmark() }
