"""Every legal message fits; every HTTP-level refusal speaks AWS.

A valid 1 MiB message of multi-byte characters ('é', emoji) or of '<' was
refused with a plain-text 413: its form or JSON encoding (3 bytes a byte) is
larger than the old 3 MiB body cap. The cap now comes from the largest legal
request in its largest encoding (sqs/service.h), and the server's own 400, 413
and 431 answers are AWS error documents in the request's protocol.
"""

import base64
import json
import unittest
import xml.etree.ElementTree as ET

from ferry_e2e import SqsTestCase, md5_of_attributes, md5_of_body
from test_poison import FORM_CT, JSON_CT, http_request, raw_exchange, strict_parse

MIB = 1024 * 1024
# The server's cap (sqs::kMaxRequestBodyBytes): 8 MiB + 64 KiB.
CAP = 8 * MIB + 64 * 1024


class LargestMessagesTest(SqsTestCase):
    def round_trip(self, body):
        url = self.new_queue("big")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["MD5OfBody"], md5_of_body(body))
        self.assertTrue(got[0]["Body"] == body, "the body came back changed")

    def test_one_mib_of_two_byte_characters(self):
        self.round_trip("\u00e9" * (MIB // 2))

    def test_one_mib_of_emoji(self):
        self.round_trip("\U0001F600" * (MIB // 4))

    def test_one_mib_of_less_than_signs(self):
        self.round_trip("<" * MIB)

    def test_a_batch_of_one_mib_with_binary_attributes(self):
        # Base64 of 0xFF bytes is "////", which a form percent-encodes: 4 bytes a byte.
        url = self.new_queue("bigbatch")
        value = b"\xff" * (MIB // 10 - 64)
        entries = [{"Id": "e%d" % i, "MessageBody": "\u00e9" * 16,
                    "MessageAttributes": {"blob": {"DataType": "Binary", "BinaryValue": value}}}
                   for i in range(10)]
        out = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(len(out.get("Successful", [])), 10, out.get("Failed"))
        attrs = {"blob": {"DataType": "Binary", "BinaryValue": value}}
        for ok in out["Successful"]:
            self.assertEqual(ok["MD5OfMessageAttributes"], md5_of_attributes(attrs))
        got = self.receive_n(url, 10, MessageAttributeNames=["All"])
        self.assertEqual(len(got), 10)
        for m in got:
            self.assertEqual(m["MessageAttributes"]["blob"]["BinaryValue"], value)

    def test_one_mib_with_every_character_escaped_in_json(self):
        # "\u0061" for every 'a': 6 bytes a byte, legal JSON.
        url = self.new_queue("escaped")
        body = b'{"QueueUrl":"' + url.encode() + b'","MessageBody":"' + b"\\u0061" * MIB + b'"}'
        self.assertGreater(len(body), 6 * MIB)
        status, headers, res = http_request(
            "POST", "/", {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS.SendMessage"}, body)
        self.assertEqual(status, 200, res[:300])
        self.assertEqual(strict_parse(status, headers, res)["MD5OfMessageBody"],
                         md5_of_body("a" * MIB))


class HttpRefusalsTest(SqsTestCase):
    """The server's own refusals, as raw HTTP: AWS error documents."""

    def head(self, extra):
        return (b"POST / HTTP/1.1\r\nHost: localhost\r\n" + extra + b"\r\n")

    def assert_json_error(self, status, headers, body, expect):
        self.assertEqual(status, expect, body[:300])
        self.assertIn("json", headers.get("content-type", ""))
        doc = strict_parse(status, headers, body)
        self.assertTrue(headers.get("x-amzn-query-error", "").endswith(";Sender"), headers)
        return doc

    def assert_xml_error(self, status, headers, body, expect):
        self.assertEqual(status, expect, body[:300])
        self.assertIn("xml", headers.get("content-type", ""))
        root = strict_parse(status, headers, body)
        self.assertTrue(root.tag.endswith("ErrorResponse"))
        return root

    def test_body_over_the_cap_is_413_in_the_request_protocol(self):
        declared = b"Content-Length: %d\r\n" % (CAP + 1)
        status, headers, body = raw_exchange(self.head(
            b"X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Type: " + JSON_CT.encode() +
            b"\r\n" + declared))
        doc = self.assert_json_error(status, headers, body, 413)
        self.assertIn("RequestEntityTooLarge", doc["__type"])
        status, headers, body = raw_exchange(self.head(
            b"Content-Type: " + FORM_CT.encode() + b"\r\n" + declared))
        root = self.assert_xml_error(status, headers, body, 413)
        self.assertIn(b"RequestEntityTooLarge", ET.tostring(root))

    def test_head_over_the_limit_is_431_in_the_request_protocol(self):
        big = b"X-Big: " + b"a" * 20000 + b"\r\n"
        status, headers, body = raw_exchange(self.head(
            b"X-Amz-Target: AmazonSQS.ListQueues\r\n" + big))
        self.assert_json_error(status, headers, body, 431)
        status, headers, body = raw_exchange(self.head(big))
        self.assert_xml_error(status, headers, body, 431)

    def test_malformed_http_is_400_in_the_request_protocol(self):
        bad = b"Bad Field : 1\r\n"
        status, headers, body = raw_exchange(self.head(
            b"X-Amz-Target: AmazonSQS.ListQueues\r\n" + bad))
        self.assert_json_error(status, headers, body, 400)
        status, headers, body = raw_exchange(b"\x01\x02 not http\r\n\r\n")
        self.assert_xml_error(status, headers, body, 400)


if __name__ == "__main__":
    unittest.main()
