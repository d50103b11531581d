"""What the Python benchmarks share: stopping the server they started, reading a process's
memory, and merging a section into bench/results.json."""
import json
import os
import signal
import subprocess
import time


def stop_process(process, log):
    """SIGTERM, up to 30 s for a clean exit, then SIGKILL; closes the process's log."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()


def proc_status_kib(pid, field):
    """A `/proc/<pid>/status` figure in KiB (VmRSS, VmHWM, …)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit("no %s for %d" % (field, pid))


def rss_kib(pid):
    return proc_status_kib(pid, "VmRSS")


def settle_rss(pid, seconds=3.0):
    """RSS after a pause, the lowest of a few samples (the allocator returns memory lazily)."""
    samples = []
    for _ in range(int(seconds / 0.5)):
        time.sleep(0.5)
        samples.append(rss_kib(pid))
    return min(samples)


def merge_section(output, name, section):
    """Merges `section` into results.json's `name` (keys of other runs kept), other keys kept."""
    document = {}
    if os.path.exists(output):
        with open(output) as handle:
            document = json.load(handle)
    merged = document.get(name, {})
    merged.update(section)
    document[name] = merged
    with open(output, "w") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print("\nwrote %s to %s" % (name, output))
