"""Overload check: many clients at once send large JSON bodies to rope-server with a memory budget.

Starts rope-server on a free port of 127.0.0.1 with `--max-inflight-bytes BUDGET`, then every client (one thread
each, Python's http.client, which writes its whole body before it reads: no `Expect: 100-continue`) POSTs the same
JSON /rotate body at once. Meanwhile /health is polled every 20 ms and the server's RSS sampled from /proc. Checks:
  - the server stays up;
  - every client gets a 200 or the JSON 503 refusal (`error_type` "overloaded", with Retry-After): no reset, no
    timeout, nothing else;
  - /health answers 200 within HEALTH_MS every time;
  - peak RSS <= pre-burst RSS + budget x 1.15 (the budget bounds what requests add to the idle process);
  - SETTLE seconds after the burst, RSS is within 25% of its pre-burst value (or within 16 MiB of it: a tiny idle
    process can grow by a few pages of caches).
Prints the numbers; exits 1 when a check fails. Options: see --help. Standard library only.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import threading
import time


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def make_body(target_bytes):
    """A /rotate JSON body of about target_bytes: rows of 128 float32 values."""
    rng = random.Random(7)
    row = "[" + ",".join(f"{rng.uniform(-1, 1):.7f}" for _ in range(128)) + "]"
    rows = max(1, target_bytes // (len(row) + 1))
    return ('{"embeddings":[' + ",".join([row] * rows) + "]}").encode(), rows


def start_server(binary, budget, wait_ms, threads):
    process = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "0", "--max-inflight-bytes", str(budget),
         "--admission-wait-ms", str(wait_ms), "--threads", str(threads), "--log-level", "warning",
         "--openapi", "/nonexistent"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    port = int(json.loads(line)["port"])
    # Keep draining stderr so that the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    return process, port


def get(port, path, timeout=5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def poll_health(port, stop, results):
    """Polls /health every 20 ms until `stop` is set; runs in its own process, so that the clients' threads and
    their interpreter lock do not delay it."""
    polls = []
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, _ = get(port, "/health", timeout=5)
        except OSError as error:
            status = repr(error)
        polls.append((status, (time.monotonic() - started) * 1000, started))
        time.sleep(0.02)
    results.send(polls)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/rope-server")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--body-bytes", type=int, default=55_000_000)
    parser.add_argument("--budget", type=int, default=2 << 30)
    parser.add_argument("--wait-ms", type=int, default=1000, help="the server's admission_wait_ms")
    parser.add_argument("--threads", type=int, default=0, help="the server's worker threads (0 = one per core)")
    parser.add_argument("--health-ms", type=float, default=100.0, help="the most /health may take")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the burst before RSS is read")
    parser.add_argument("--client-timeout", type=float, default=300.0)
    parser.add_argument("--client-nice", type=int, default=10,
                        help="nice value of the client threads (0 = as the server): on one machine the 300 uploading "
                             "threads stand in for remote clients and should not take the server's cores")
    parser.add_argument("--json", help="write the numbers to this file")
    options = parser.parse_args()

    body, rows = make_body(options.body_bytes)
    process, port = start_server(options.binary, options.budget, options.wait_ms, options.threads)
    failures = []
    try:
        # Warm up with one small request, so that pre-burst RSS includes the code and tables every request touches.
        small, _ = make_body(20_000)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/rotate", body=small, headers={"Content-Type": "application/json"})
        assert connection.getresponse().read()
        connection.close()
        time.sleep(0.5)
        before = rss_bytes(process.pid)

        stop = threading.Event()
        peak = [before]
        health = []

        def sample_rss():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_bytes(process.pid))
                time.sleep(0.01)

        outcomes = []
        lock = threading.Lock()

        def client():
            if options.client_nice:
                # This thread only (Linux applies a thread id's priority to that thread).
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), options.client_nice)
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=options.client_timeout)
                connection.request("POST", "/rotate", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
                connection.close()
                if response.status == 200:
                    outcome = "200"
                else:
                    payload = json.loads(data)
                    kind = payload.get("error_type")
                    retry = response.getheader("Retry-After")
                    outcome = f"{response.status} {kind}" + ("" if retry else " (no Retry-After)")
            except (OSError, http.client.HTTPException, ValueError) as error:
                outcome = f"failed: {type(error).__name__}"
            with lock:
                outcomes.append(outcome)

        health_stop = multiprocessing.Event()
        receiver, sender = multiprocessing.Pipe(duplex=False)
        poller = multiprocessing.Process(target=poll_health, args=(port, health_stop, sender))
        poller.start()
        samplers = [threading.Thread(target=sample_rss)]
        for thread in samplers:
            thread.start()
        clients = [threading.Thread(target=client) for _ in range(options.clients)]
        started = time.monotonic()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        burst_seconds = time.monotonic() - started
        time.sleep(options.settle)
        stop.set()
        health_stop.set()
        health.extend(receiver.recv())
        poller.join()
        for thread in samplers:
            thread.join()
        after = rss_bytes(process.pid)
        status, metrics = get(port, "/metrics")
        alive = process.poll() is None and status == 200

        counts = {}
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
        slowest = max((latency for _, latency, _ in health), default=0.0)
        bad_health = [entry for entry in health if entry[0] != 200 or entry[1] > options.health_ms]
        slow_polls = [f"{at - started:.1f}s: {latency:.0f} ms ({status})" for status, latency, at in bad_health][:20]
        refused = next((line.split()[1] for line in metrics.decode().splitlines()
                        if line.startswith("rope_admission_refused_total ")), "?")
        numbers = {
            "clients": options.clients, "client_nice": options.client_nice, "body_bytes": len(body), "rows": rows,
            "budget": options.budget,
            "burst_seconds": round(burst_seconds, 1), "outcomes": counts,
            "rss_before": before, "rss_peak": peak[0], "rss_after": after,
            "peak_over_budget": round((peak[0] - before) / options.budget, 3),
            "after_over_before": round(after / before, 3),
            "health_polls": len(health), "health_max_ms": round(slowest, 1),
            "health_p50_ms": round(sorted(l for _, l, _ in health)[len(health) // 2], 1) if health else None,
            "health_slow_polls": slow_polls,
            "refused_metric": refused,
        }
        print(json.dumps(numbers, indent=2))
        if options.json:
            with open(options.json, "w") as file:
                json.dump(numbers, file, indent=2)

        if not alive:
            failures.append("the server is down")
        unexpected = {k: v for k, v in counts.items() if k not in ("200", "503 overloaded")}
        if unexpected:
            failures.append(f"clients without a 200 or the JSON refusal: {unexpected}")
        if bad_health:
            failures.append(f"{len(bad_health)} /health polls failed or took over {options.health_ms} ms "
                            f"(slowest {slowest:.1f} ms)")
        if peak[0] > before + options.budget * 1.15:
            failures.append(f"peak RSS {peak[0]} is above pre-burst {before} + budget x 1.15")
        if after > max(before * 1.25, before + (16 << 20)):
            failures.append(f"RSS {after} {options.settle} s after the burst is not within 25% of {before}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for failure in failures:
        print("overload: FAIL:", failure, file=sys.stderr)
    print("overload: " + ("FAIL" if failures else "ok"), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
