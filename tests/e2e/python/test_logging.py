"""Structured logs, the access log, /health and /ready.

Servers of their own (`ferry serve --credentials FILE --log-format json|logfmt
[--access-log]`), whose log stream the harness keeps in FerryServer.log_path:
SQS and SNS calls through boto3, one failing (QueueDoesNotExist) and one with
a bad signature, each found in the log as one "request" record whose
request_id is the RequestId boto3 saw, with its account, access key, service,
action, status and error code. Without --access-log only the refused
signature is logged. /health and /ready answer 200 on a fresh server, and the
startup line stays on stdout in every format. Ferry's own: skipped against a
peer (FERRY_ENDPOINT) or without FERRY_BIN."""

import json
import os
import shutil
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from botocore.config import Config
from botocore.exceptions import ClientError

from ferry_e2e import REGION, FerryServer, unique_name

ACCOUNT = "444444444444"
KEY = ("AKIAE2ELOGGING000001", "logging-secret-0123456789abcdefghijklmno")
CREDENTIALS = ('[[credentials]]\naccess_key_id = "%s"\nsecret_access_key = "%s"\n'
               'account_id = "%s"\nname = "logger"\n' % (KEY[0], KEY[1], ACCOUNT))


def parse_logfmt(line):
    """key=value pairs; quoted values unescaped (\\" \\\\ \\n \\r \\t \\u00XX)."""
    out, i, n = {}, 0, len(line)
    while i < n:
        while i < n and line[i] == " ":
            i += 1
        if i >= n:
            break
        eq = line.index("=", i)
        key, i = line[i:eq], eq + 1
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while line[i] != '"':
                if line[i] == "\\":
                    c = line[i + 1]
                    if c == "u":
                        buf.append(chr(int(line[i + 2:i + 6], 16)))
                        i += 6
                        continue
                    buf.append({"n": "\n", "r": "\r", "t": "\t"}.get(c, c))
                    i += 2
                    continue
                buf.append(line[i])
                i += 1
            out[key] = "".join(buf)
            i += 1
        else:
            end = line.find(" ", i)
            end = n if end < 0 else end
            out[key], i = line[i:end], end
    return out


def get(url):
    """(status, parsed JSON body) of a GET, 4xx/5xx included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class LoggingServer:
    """A server of its own with a credentials file and `flags`."""

    def __init__(self, flags):
        binary = os.environ.get("FERRY_BIN")
        if os.environ.get("FERRY_ENDPOINT") or not binary:
            raise unittest.SkipTest("needs FERRY_BIN to start a server of its own")
        self.dir = tempfile.mkdtemp(prefix="ferry-e2e-logging-")
        path = os.path.join(self.dir, "credentials.toml")
        with open(path, "w") as f:
            f.write(CREDENTIALS)
        self.server = FerryServer(binary, extra_args=["--credentials", path] + flags)
        self.endpoint = self.server.start()

    def client(self, service, secret=KEY[1]):
        import boto3
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=KEY[0], aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))

    def lines(self):
        with open(self.server.log_path, errors="replace") as f:
            return f.read().splitlines()

    def stop(self):
        problem = self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return problem


def request_id(call, **kwargs):
    """(RequestId, error code or None) of one boto3 call."""
    try:
        return call(**kwargs)["ResponseMetadata"]["RequestId"], None
    except ClientError as e:
        return e.response["ResponseMetadata"]["RequestId"], e.response["Error"]["Code"]


class StructuredLogTest(unittest.TestCase):
    FORMAT = "json"

    def parse(self, line):
        """The record of a log line in FORMAT, or None for another line."""
        if self.FORMAT == "json":
            return json.loads(line) if line.startswith("{") else None
        return parse_logfmt(line) if line.startswith("ts=") else None

    def start(self, flags):
        server = LoggingServer(["--log-format", self.FORMAT] + flags)
        self.addCleanup(lambda: self.assertIsNone(server.stop()))
        return server

    def records(self, server, wanted_ids, timeout=10.0):
        """The "request" records by request id, once every wanted one is there."""
        deadline = time.monotonic() + timeout
        while True:
            records = {}
            for line in server.lines():
                rec = self.parse(line)
                if rec is not None and rec.get("msg") == "request":
                    self.assertNotIn(rec["request_id"], records, "one record per request")
                    records[rec["request_id"]] = rec
            if set(wanted_ids) <= set(records) or time.monotonic() > deadline:
                return records
            time.sleep(0.05)

    def assertRecord(self, rec, service, action, status, error="", account=ACCOUNT):
        self.assertEqual(rec["service"], service)
        self.assertEqual(rec["action"], action)
        self.assertEqual(int(rec["status"]), status)
        self.assertEqual(rec["error"], error)
        self.assertEqual(rec["account"], account)
        self.assertEqual(rec["access_key"], KEY[0])
        self.assertEqual(rec["source_ip"], "127.0.0.1")
        self.assertGreaterEqual(float(rec["latency_ms"]), 0.0)
        self.assertIn(rec["level"], ("info", "warning"))
        for field in ("ts", "wire", "bytes_in", "bytes_out"):
            self.assertIn(field, rec)

    def test_the_access_log_has_one_record_per_request_with_the_clients_request_id(self):
        server = self.start(["--access-log"])
        sqs, sns = server.client("sqs"), server.client("sns")
        name = unique_name("logged")
        created, _ = request_id(sqs.create_queue, QueueName=name)
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        sent, _ = request_id(sqs.send_message, QueueUrl=url, MessageBody="hello")
        missing, code = request_id(sqs.get_queue_url, QueueName=unique_name("missing"))
        self.assertIn(code, ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"))
        topic, _ = request_id(sns.create_topic, Name=unique_name("logged"))
        refused, code = request_id(server.client("sqs", secret="wrong").list_queues)
        self.assertEqual(code, "SignatureDoesNotMatch")

        records = self.records(server, [created, sent, missing, topic, refused])
        self.assertRecord(records[created], "sqs", "CreateQueue", 200)
        self.assertRecord(records[sent], "sqs", "SendMessage", 200)
        self.assertGreater(int(records[sent]["bytes_in"]), 0)
        self.assertRecord(records[missing], "sqs", "GetQueueUrl", 400, "QueueDoesNotExist")
        self.assertRecord(records[topic], "sns", "CreateTopic", 200)
        self.assertRecord(records[refused], "sqs", "ListQueues", 403, "SignatureDoesNotMatch",
                          account="")
        self.assertEqual(records[refused]["level"], "warning")
        self.assertEqual(records[created]["level"], "info")

    def test_without_the_access_log_only_refusals_are_logged(self):
        server = self.start([])
        sqs = server.client("sqs")
        ok, _ = request_id(sqs.list_queues)
        missing, _ = request_id(sqs.get_queue_url, QueueName=unique_name("missing"))
        refused, code = request_id(server.client("sqs", secret="wrong").list_queues)
        self.assertEqual(code, "SignatureDoesNotMatch")
        records = self.records(server, [refused])
        self.assertIn(refused, records)
        self.assertRecord(records[refused], "sqs", "ListQueues", 403, "SignatureDoesNotMatch",
                          account="")
        self.assertEqual(records[refused]["level"], "warning")
        self.assertNotIn(ok, records)
        self.assertNotIn(missing, records)

    def test_every_log_line_is_a_record_and_the_startup_line_stays(self):
        server = self.start(["--access-log"])
        self.assertEqual(get(server.endpoint + "/health"), (200, {"status": "ok"}))
        self.assertEqual(get(server.endpoint + "/ready"), (200, {"status": "ready"}))
        lines = server.lines()
        startup = [l for l in lines if l.startswith("Ferry ") and " listening on " in l]
        self.assertEqual(len(startup), 1, lines)
        records = [self.parse(l) for l in lines if l not in startup]
        self.assertNotIn(None, records, lines)
        listening = [r for r in records if r["msg"] == "listening"]
        self.assertEqual(len(listening), 1, records)
        self.assertEqual(listening[0]["listeners"], server.endpoint)
        self.assertEqual(listening[0]["mode"], "authenticated")


class LogfmtLogTest(StructuredLogTest):
    FORMAT = "logfmt"


class HealthTest(unittest.TestCase):
    def test_health_and_ready_answer_200_on_a_fresh_server_in_text_format(self):
        server = LoggingServer([])
        self.addCleanup(lambda: self.assertIsNone(server.stop()))
        self.assertEqual(get(server.endpoint + "/health"), (200, {"status": "ok"}))
        self.assertEqual(get(server.endpoint + "/ready"), (200, {"status": "ready"}))
        req = urllib.request.Request(server.endpoint + "/ready", method="HEAD")
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual((r.status, r.read()), (200, b""))


if __name__ == "__main__":
    unittest.main()
