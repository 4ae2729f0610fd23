#!/usr/bin/env bash
# Where a device test's time goes: runs `exitlab run ARGS...` (build/exitlab, or $EXITLAB),
# samples the named threads with `perf record -e cpu-clock -g -t TID` (4 kHz, CLOCK_MONOTONIC
# timestamps) from the moment each appears, and prints, per test and thread, the top entries of
# `perf report --no-children --sort sym` over that test's timed phase only (the window of
# phase_s seconds before its line in --progress, so the payload's setup is left out), with the
# thread's CPU per operation estimated from the samples (samples / 4000 s / iterations). A test
# that works after its phase (blk's write test flushes) has its window shifted by up to the time
# it took besides its phase, which is printed: keep that small (e.g. an image on tmpfs).
# Threads by name: vcpu0, virtio-blk, virtio-net-tx, virtio-net-rx, e1000-rx, ...
# Usage: microbench/profile-phase.sh THREAD[,THREAD...] -- PAYLOAD [exitlab run options...]
#   e.g. microbench/profile-phase.sh virtio-blk,vcpu0 -- blk --device virtio-blk,file=/tmp/bp.img
# TOP (default 12) entries each; raw perf data and the run's JSON stay in $OUT (default a temp dir).
# Needs perf (linux-perf) and python3; run it under the benchmark lock on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 3 ] || [ "$2" != "--" ]; then
	echo "usage: $0 THREAD[,THREAD...] -- PAYLOAD [exitlab run options...]" >&2
	exit 2
fi
threads=$1
shift 2
command -v perf >/dev/null || { echo "$0: needs perf (package linux-perf)" >&2; exit 2; }
exitlab=${EXITLAB:-build/exitlab}
[ -x "$exitlab" ] || { echo "$0: no $exitlab: make all" >&2; exit 2; }
out=${OUT:-$(mktemp -d /tmp/exitlab-profile.XXXXXX)}
mkdir -p "$out"

OUT="$out" THREADS="$threads" TOP="${TOP:-12}" python3 - "$exitlab" "$@" <<'PY'
import json, os, signal, subprocess, sys, time
out, want, top = os.environ["OUT"], os.environ["THREADS"].split(","), int(os.environ["TOP"])
exitlab, args = sys.argv[1], sys.argv[2:]
prog, run_json = f"{out}/progress", f"{out}/run.json"
for f in (prog, run_json):
    if os.path.exists(f):
        os.unlink(f)
log = open(f"{out}/run.log", "w")
run = subprocess.Popen([exitlab, "run", *args, "--progress", prog, "--json", run_json], stdout=log,
                       stderr=subprocess.STDOUT)
perfs, seen, lines, t0 = {}, 0, [], time.monotonic()
while True:
    done = run.poll() is not None
    for tid in os.listdir(f"/proc/{run.pid}/task") if not done else []:
        try:
            name = open(f"/proc/{run.pid}/task/{tid}/comm").read().strip()
        except OSError:
            continue
        if name in want and name not in perfs:
            perfs[name] = subprocess.Popen(["perf", "record", "-q", "-F", "4000", "-k", "CLOCK_MONOTONIC",
                                            "-e", "cpu-clock", "-g", "-t", tid, "-o", f"{out}/{name}.data"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.exists(prog):
        new = open(prog).read().splitlines()[seen:]
        now = time.monotonic()
        lines += [(now, l) for l in new]
        seen += len(new)
    if done:
        break
    time.sleep(0.01)
for p in perfs.values():
    p.send_signal(signal.SIGINT)
    p.wait()
if run.returncode != 0:
    sys.exit(f"exitlab run exited {run.returncode}: {out}/run.log")
for name in want:
    if name not in perfs:
        print(f"no thread named {name} appeared", file=sys.stderr)
tests = [t for t in json.load(open(run_json))["tests"] if t.get("phase_s")]
print(f"{' '.join(args)}\nraw data: {out}")
prev = t0
for at, line in lines:
    name = line.split()[1]
    t = next((t for t in tests if t["name"] == name), None)
    if t is None:
        continue
    tests.remove(t)
    a, b, slack, prev = at - t["phase_s"], at, at - prev - t["phase_s"], at
    for th in want:
        if th not in perfs:
            continue
        rep = subprocess.run(["perf", "report", "-i", f"{out}/{th}.data", "--no-children", "--stdio", "--sort",
                              "sym", "--time", f"{a:.6f},{b:.6f}"], capture_output=True, text=True).stdout
        n = sum(1 for l in subprocess.run(["perf", "script", "-i", f"{out}/{th}.data", "-F", "time"],
                                          capture_output=True, text=True).stdout.split()
                if l.rstrip(":").replace(".", "", 1).isdigit() and a <= float(l.rstrip(":")) < b)
        cpu = n / 4000
        print(f"\n== test {name} ({t['iterations']} ops in {t['phase_s']:.3f} s; the test took {slack:.3f} s"
              f" besides), thread {th}: {n} samples, ~{cpu:.3f} s CPU, ~{1e9 * cpu / max(t['iterations'], 1):.0f} ns per op")
        print("\n".join([l for l in rep.splitlines() if l.strip() and l.lstrip()[0].isdigit() and "%" in l][:top]))
PY
