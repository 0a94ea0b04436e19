#!/usr/bin/env python3
"""The HTTPS listener, through real clients.

    FERRY_BIN=build/src/app/ferry python3 tests/e2e/python/test_tls.py [--also PYTHON]

A standalone script (it starts its own servers with the flags it needs);
ctest runs it as `e2e_tls` under Debian's python3 (boto3 1.26, SQS over
Query) with `--also` naming the python3 on PATH (boto3 1.43, SQS over JSON),
which then runs it again. Exit status 0 pass, 1 fail, 77 skip.

The openssl command line makes a CA and a server certificate (for 127.0.0.1
and localhost) for the run; ferry serves with --tls-cert/--tls-key/--tls-port 0.
1. boto3 trusting the CA (verify=<ca file>): SQS create/send/receive and
   GetQueueUrl (an https:// URL of the HTTPS listener's port), SNS
   create-topic/publish into a subscribed queue, over https.
2. The aws CLI with --ca-bundle.
3. A client capped at TLS 1.1 is refused; TLS 1.2 works.
4. SIGHUP after the certificate files were replaced: new connections see the
   new certificate's serial.
5. --tls-only: only an https:// listener is announced, and the plain port is
   not served.
"""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SKIP = 77


def log(msg):
    print(msg, flush=True)


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


class Pki:
    """A CA and the server certificates it issues, in a temp dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ferry-tls-")
        self.ca_key = self.path("ca.key")
        self.ca = self.path("ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=Ferry e2e CA",
                "-keyout", self.ca_key, "-out", self.ca)
        self.cert = self.path("server.pem")
        self.key = self.path("server.key")

    def path(self, name):
        return os.path.join(self.dir, name)

    def issue(self, serial, cert=None, key=None):
        """A server certificate for 127.0.0.1 and localhost with `serial`."""
        cert, key = cert or self.cert, key or self.key
        csr = self.path("server.csr")
        ext = self.path("server.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    "extendedKeyUsage=serverAuth\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=localhost", "-keyout", key, "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                "-set_serial", str(serial), "-days", "2", "-extfile", ext, "-out", cert)


def peer_serial(tls_endpoint, ca):
    """The serial of the certificate a new connection is shown."""
    host, port = tls_endpoint[len("https://"):].rsplit(":", 1)
    context = ssl.create_default_context(cafile=ca)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    text = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"],
                          input=der, capture_output=True, check=True).stdout.decode()
    return int(text.strip().split("=", 1)[1], 16)


def handshake_with(tls_endpoint, ca, version):
    """None when a client pinned to `version` completes a handshake, else why not."""
    host, port = tls_endpoint[len("https://"):].rsplit(":", 1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    try:
        # Let this client offer the old protocol at all (OpenSSL's default
        # security level refuses TLS 1.1 in the client too).
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = version
            context.maximum_version = version
    except (ValueError, ssl.SSLError) as e:
        return "client cannot be pinned: %s" % e
    try:
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return None
    except (ssl.SSLError, OSError) as e:
        return str(e) or type(e).__name__


def clients(tls_endpoint, ca):
    import boto3
    import ferry_e2e
    from botocore.config import Config
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
    kwargs = dict(endpoint_url=tls_endpoint, region_name=ferry_e2e.REGION, verify=ca,
                  aws_access_key_id="test", aws_secret_access_key="test", config=cfg)
    return boto3.client("sqs", **kwargs), boto3.client("sns", **kwargs)


def run(binary):
    try:
        import boto3  # noqa: F401
    except ImportError:
        log("skip: no boto3")
        return SKIP
    import ferry_e2e
    failures = []

    def check(ok, what):
        log(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    pki = Pki()
    pki.issue(1001)
    server = ferry_e2e.FerryServer(binary, extra_args=[
        "--tls-cert", pki.cert, "--tls-key", pki.key, "--tls-port", "0"])
    try:
        server.start()
        tls = server.tls_endpoint
        check(server.endpoint is not None and server.endpoint.startswith("http://"),
              "the plain listener is announced first")
        check(tls is not None and tls.startswith("https://"), "the HTTPS listener is announced")
        tls_port = tls.rsplit(":", 1)[1]
        sqs, sns = clients(tls, pki.ca)

        name = ferry_e2e.unique_name("tls")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        check(url.startswith("https://") and (":%s/" % tls_port) in url,
              "CreateQueue over TLS answers an https:// URL of the TLS port: " + url)
        got = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        check(got == url, "GetQueueUrl over TLS answers the same https:// URL: " + got)
        sqs.send_message(QueueUrl=url, MessageBody="over tls")
        received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
        check([m["Body"] for m in received] == ["over tls"], "send and receive over https")

        topic = sns.create_topic(Name=ferry_e2e.unique_name("tls-topic"))["TopicArn"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        sns.publish(TopicArn=topic, Message="published over tls")
        received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
        envelope = json.loads(received[0]["Body"]) if received else {}
        check(envelope.get("Message") == "published over tls",
              "SNS create/subscribe/publish over https reaches the queue")
        for field in ("SigningCertURL", "UnsubscribeURL"):
            value = envelope.get(field, "")
            check(value.startswith("https://127.0.0.1:%s/" % tls_port),
                  "a publish over TLS gets an https %s of the TLS port: %s" % (field, value))

        plain_sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
        plain_url = plain_sqs.get_queue_url(QueueName=name)["QueueUrl"]
        check(plain_url.startswith("http://"), "over plain HTTP the URL stays http://")

        aws = ferry_e2e_aws_cli()
        if aws:
            out = subprocess.run([aws, "sqs", "get-queue-url", "--queue-name", name,
                                  "--endpoint-url", tls, "--ca-bundle", pki.ca,
                                  "--region", ferry_e2e.REGION, "--output", "json"],
                                 capture_output=True, text=True, timeout=60)
            check(out.returncode == 0 and json.loads(out.stdout or "{}").get("QueueUrl") == url,
                  "the aws CLI with --ca-bundle: %s" % (out.stderr.strip()[-200:] or "ok"))
            out = subprocess.run([aws, "sqs", "list-queues", "--endpoint-url", tls,
                                  "--region", ferry_e2e.REGION],
                                 capture_output=True, text=True, timeout=60)
            check(out.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in out.stderr,
                  "the aws CLI without the CA refuses the certificate")
        else:
            log("skip the aws CLI checks: no aws on PATH")

        check(handshake_with(tls, pki.ca, ssl.TLSVersion.TLSv1_2) is None,
              "a client pinned to TLS 1.2 is served")
        why = handshake_with(tls, pki.ca, ssl.TLSVersion.TLSv1_1)
        check(why is not None, "a client pinned to TLS 1.1 is refused (%s)" % why)

        check(peer_serial(tls, pki.ca) == 1001, "the first certificate is served")
        pki.issue(2002)
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        serial = None
        while time.monotonic() < deadline:
            serial = peer_serial(tls, pki.ca)
            if serial == 2002:
                break
            time.sleep(0.1)
        check(serial == 2002, "after SIGHUP new connections see the new certificate")
        received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        check("ResponseMetadata" in received, "requests still served after the reload")
    finally:
        problem = server.stop()
        check(problem is None, "the server stops cleanly (%s)" % problem)

    # --tls-only, with --port naming a free port: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        plain_port = probe.getsockname()[1]
    data = tempfile.mkdtemp(prefix="ferry-tls-data-")
    only = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1", "--port", str(plain_port), "--data-dir", data,
         "--tls-cert", pki.cert, "--tls-key", pki.key, "--tls-port", "0", "--tls-only"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        for line in only.stdout:
            if "listening on" in line:
                break
        m = ferry_e2e.LISTENING_RE.search(line)
        urls = m.group(1).split(", ") if m else []
        check(len(urls) == 1 and urls[0].startswith("https://"),
              "--tls-only announces only an https:// listener: " + line.strip())
        if urls:
            sqs, _ = clients(urls[0], pki.ca)
            check(sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200,
                  "--tls-only serves over https")
        try:
            socket.create_connection(("127.0.0.1", plain_port), timeout=2).close()
            refused = False
        except OSError:
            refused = True
        check(refused, "--tls-only: nothing listens on --port %d" % plain_port)
    finally:
        only.send_signal(signal.SIGTERM)
        try:
            status = only.wait(timeout=15)
        except subprocess.TimeoutExpired:
            only.kill()
            status = only.wait()
        check(status == 0, "the --tls-only server stops cleanly (exit %s)" % status)
        shutil.rmtree(data, ignore_errors=True)

    for args, why in (
            (["--tls-port", "0", "--tls-cert", pki.cert], "both --tls-cert and --tls-key"),
            (["--tls-port", "0", "--tls-cert", pki.cert, "--tls-key", pki.path("absent.key")],
             "absent.key"),
            (["--tls-port", "0", "--tls-cert", pki.cert, "--tls-key", pki.ca_key],
             "does not match")):
        data = tempfile.mkdtemp(prefix="ferry-tls-data-")
        out = subprocess.run([binary, "serve", "--listen", "127.0.0.1", "--port", "0",
                              "--data-dir", data] + args,
                             capture_output=True, text=True, timeout=60)
        text = out.stdout + out.stderr
        shutil.rmtree(data, ignore_errors=True)
        check(out.returncode != 0 and why in text and "listening on" not in text,
              "refused at start, saying '%s'" % why)
    shutil.rmtree(pki.dir, ignore_errors=True)

    if failures:
        log("%d checks failed" % len(failures))
        return 1
    log("all checks passed")
    return 0


def ferry_e2e_aws_cli():
    """$FERRY_AWS_CLI, else the aws CLI beside this interpreter, else on
    PATH, else None."""
    if os.environ.get("FERRY_AWS_CLI"):
        return os.environ["FERRY_AWS_CLI"]
    beside = os.path.join(os.path.dirname(sys.executable), "aws")
    if os.access(beside, os.X_OK):
        return beside
    from shutil import which
    return which("aws")


def main():
    binary = os.environ.get("FERRY_BIN")
    if not binary:
        log("FERRY_BIN is not set")
        return 1
    args = sys.argv[1:]
    also = None
    if len(args) == 2 and args[0] == "--also":
        also = args[1]
    log("== %s" % sys.executable)
    status = run(binary)
    if also:
        log("== %s" % also)
        second = subprocess.run([also, os.path.abspath(__file__)]).returncode
        if status == SKIP:
            status = second
        elif second not in (0, SKIP):
            status = second
    return status


if __name__ == "__main__":
    sys.exit(main())
