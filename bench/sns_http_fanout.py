#!/usr/bin/env python3
"""SNS fan-out to HTTP endpoints through a real, durable Ferry.

Starts Ferry, 100 HTTP endpoints on loopback ports (one asyncio process) and
subscribes each to one topic. Every endpoint confirms its subscription; then
the "hanging" endpoint, if asked for, stops answering: it accepts connections
and reads requests but never responds. Publishes N messages (PublishBatch,
each body carrying its publish time) and measures, over the healthy
endpoints, how long until every delivery arrived and the delivery latency
(arrival - publish). Run it with --hang and without to see whether one
endpoint that never answers slows the others.

Usage: bench/sns_http_fanout.py FERRY [--endpoints 100] [--messages 500] [--hang]
"""
import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3


class Endpoint(asyncio.Protocol):
    """One HTTP/1.1 keep-alive server connection; records notification arrivals."""

    def __init__(self, state, index):
        self.state = state
        self.index = index
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            m = re.search(r"(?im)^content-length:\s*(\d+)", head)
            length = int(m.group(1)) if m else 0
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4:head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length:]
            self.handle(head, body)

    def handle(self, head, body):
        now = time.time()
        kind = re.search(r"(?im)^x-amz-sns-message-type:\s*(\S+)", head)
        kind = kind.group(1) if kind else ""
        message = json.loads(body)
        if kind == "SubscriptionConfirmation":
            self.state.confirm_urls.append((self.index, message["SubscribeURL"]))
        elif self.state.hanging == self.index:
            return  # never answers
        elif kind == "Notification":
            sent = float(json.loads(message["Message"])["t"])
            self.state.arrivals[self.index].append(now - sent)
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


class State:
    def __init__(self, count):
        self.confirm_urls = []
        self.arrivals = [[] for _ in range(count)]
        self.hanging = -1


def serve_endpoints(state, count, ready):
    loop = asyncio.new_event_loop()
    ports = []

    async def start():
        for i in range(count):
            server = await loop.create_server(lambda i=i: Endpoint(state, i), "127.0.0.1", 0)
            ports.append(server.sockets[0].getsockname()[1])

    loop.run_until_complete(start())
    ready.append(ports)
    loop.run_forever()


def start_ferry(binary, data_dir):
    log = open(os.path.join(data_dir, "server.log"), "w+")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--data-dir",
                             os.path.join(data_dir, "data")], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        log.seek(0)
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", log.read())
        if m:
            return proc, m.group(1)
        time.sleep(0.02)
    proc.kill()
    sys.exit("ferry did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ferry")
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--hang", action="store_true", help="endpoint 0 never answers")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    tmp = tempfile.mkdtemp(prefix="ferry-http-fanout-")
    proc, url = start_ferry(args.ferry, tmp)
    try:
        state = State(args.endpoints)
        ready = []
        threading.Thread(target=serve_endpoints, args=(state, args.endpoints, ready),
                         daemon=True).start()
        while not ready:
            time.sleep(0.01)
        sns = boto3.client("sns", endpoint_url=url)
        topic = sns.create_topic(Name="http-fanout")["TopicArn"]
        for port in ready[0]:
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{port}/")
        deadline = time.time() + 60
        while len(state.confirm_urls) < args.endpoints and time.time() < deadline:
            time.sleep(0.05)
        for _, confirm in list(state.confirm_urls):
            urllib.request.urlopen(confirm).read()
        if args.hang:
            state.hanging = 0
        healthy = [i for i in range(args.endpoints) if i != state.hanging]
        start = time.time()
        for first in range(0, args.messages, 10):
            entries = [{"Id": str(k), "Message": json.dumps({"t": repr(time.time()), "k": first + k})}
                       for k in range(min(10, args.messages - first))]
            sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        published = time.time()
        expected = args.messages * len(healthy)
        deadline = time.time() + 300
        while sum(len(state.arrivals[i]) for i in healthy) < expected and time.time() < deadline:
            time.sleep(0.01)
        done = time.time()
        got = sum(len(state.arrivals[i]) for i in healthy)
        latencies = sorted(x for i in healthy for x in state.arrivals[i])

        def pct(p):
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0

        print(f"endpoints {args.endpoints} ({'one hanging' if args.hang else 'all healthy'}), "
              f"messages {args.messages}")
        print(f"published in {published - start:.2f} s; {got}/{expected} deliveries to the healthy "
              f"endpoints in {done - start:.2f} s ({got / (done - start):.0f}/s)")
        print(f"delivery latency ms: p50 {pct(0.5):.1f}  p99 {pct(0.99):.1f}  max {pct(1.0):.1f}")
        print(json.dumps({"hang": args.hang, "endpoints": args.endpoints, "messages": args.messages,
                          "deliveries": got, "expected": expected, "seconds": done - start,
                          "deliveries_per_s": got / (done - start),
                          "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": pct(1.0)}))
        if got < expected:
            sys.exit("some deliveries to healthy endpoints never arrived")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
