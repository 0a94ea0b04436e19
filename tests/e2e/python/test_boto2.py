"""boto 2.49 (Debian's python3-boto), the oldest SQS client still in use.

boto 2 speaks the Query protocol with unnumbered forms AWS accepts
(GetQueueAttributes sends AttributeName=All, SetQueueAttributes sends
Attribute.Name / Attribute.Value) and signs with SigV4. It runs only under an
interpreter that has it and whose run expects the Query protocol; elsewhere
the module skips. boto 2 checks no MD5s, so the tests compute them.
"""

import os
import unittest
import urllib.parse

from ferry_e2e import endpoint, md5_of_attributes, md5_of_body, unique_name

try:
    os.environ.setdefault("BOTO_CONFIG", os.devnull)
    import boto.sqs.connection
    import boto.sqs.message
    import boto.sqs.regioninfo
    HAVE_BOTO2 = True
except ImportError:
    HAVE_BOTO2 = False

QUERY_RUN = os.environ.get("FERRY_EXPECT_PROTOCOL", "query") == "query"


def connect():
    parts = urllib.parse.urlsplit(endpoint())
    region = boto.sqs.regioninfo.SQSRegionInfo(name="us-east-1", endpoint=parts.hostname)
    return boto.sqs.connection.SQSConnection(
        aws_access_key_id="test", aws_secret_access_key="test", region=region,
        port=parts.port, is_secure=False)


@unittest.skipUnless(HAVE_BOTO2 and QUERY_RUN, "boto 2 missing, or not the Query run")
class Boto2Test(unittest.TestCase):
    def setUp(self):
        self.conn = connect()
        self.queues = []

    def tearDown(self):
        for q in self.queues:
            try:
                self.conn.delete_queue(q)
            except Exception:
                pass

    def new_queue(self, tag, visibility_timeout=None):
        q = self.conn.create_queue(unique_name(tag), visibility_timeout)
        self.assertIsNotNone(q)
        q.set_message_class(boto.sqs.message.RawMessage)
        self.queues.append(q)
        return q

    def test_queue_lifecycle(self):
        q = self.new_queue("b2life", visibility_timeout=45)
        self.assertTrue(q.url.startswith(endpoint() + "/"), q.url)
        self.assertEqual(self.conn.get_queue(q.name).url, q.url)
        listed = [x.url for x in self.conn.get_all_queues(prefix=q.name)]
        self.assertEqual(listed, [q.url])
        # AttributeName=All, unnumbered.
        attrs = self.conn.get_queue_attributes(q)
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(self.conn.get_queue_attributes(q, "DelaySeconds"), {"DelaySeconds": "0"})
        # Attribute.Name / Attribute.Value, unnumbered.
        self.assertTrue(self.conn.set_queue_attribute(q, "VisibilityTimeout", 50))
        self.assertEqual(q.get_timeout(), 50)
        self.assertTrue(self.conn.delete_queue(q))
        self.queues.remove(q)
        self.assertIsNone(self.conn.get_queue(q.name))

    def test_send_and_receive_with_attributes(self):
        q = self.new_queue("b2msg")
        attributes = {"color": {"data_type": "String", "string_value": "red"},
                      "n": {"data_type": "Number", "string_value": "7"},
                      # boto 2 sends binary values as given: base64 is the caller's job.
                      "raw": {"data_type": "Binary", "binary_value": "AAE="}}
        body = 'hello "boto" {2} <&>'
        sent = self.conn.send_message(q, body, message_attributes=attributes)
        # boto 2 keeps the elements it has no name for as they are.
        self.assertEqual(sent.MD5OfMessageBody, md5_of_body(body))
        wire = {"color": {"DataType": "String", "StringValue": "red"},
                "n": {"DataType": "Number", "StringValue": "7"},
                "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
        self.assertEqual(sent.md5_message_attributes, md5_of_attributes(wire))

        got = self.conn.receive_message(q, number_messages=10, wait_time_seconds=1,
                                        attributes="All", message_attributes=["All"])
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m.get_body(), body)
        self.assertEqual(m.md5, md5_of_body(body))
        self.assertEqual(m.md5_message_attributes, md5_of_attributes(wire))
        self.assertEqual(m.attributes["ApproximateReceiveCount"], "1")
        self.assertIn("SentTimestamp", m.attributes)
        self.assertEqual(m.message_attributes["color"]["string_value"], "red")
        self.assertEqual(m.message_attributes["n"]["data_type"], "Number")
        self.assertEqual(m.message_attributes["raw"]["binary_value"], "AAE=")
        self.assertTrue(self.conn.change_message_visibility(q, m.receipt_handle, 0))
        again = q.read(wait_time_seconds=1)
        self.assertIsNotNone(again)
        self.assertTrue(q.delete_message(again))
        self.assertEqual(q.get_messages(wait_time_seconds=0), [])

    def test_batches(self):
        q = self.new_queue("b2batch")
        entries = [("m%d" % i, "body %d" % i, 0) for i in range(10)]
        entries[3] = ("m3", "body 3", 0, {"k": {"data_type": "String", "string_value": "v"}})
        result = q.write_batch(entries)
        self.assertEqual(sorted(r["id"] for r in result.results), sorted(e[0] for e in entries))
        self.assertEqual(result.errors, [])
        for r in result.results:
            self.assertEqual(r["message_md5"], md5_of_body("body " + r["id"][1:]))

        seen = []
        while len(seen) < 10:
            batch = q.get_messages(num_messages=10, wait_time_seconds=1)
            self.assertTrue(batch, "only %d of 10 messages came back" % len(seen))
            seen.extend(batch)
        self.assertEqual(sorted(m.get_body() for m in seen), sorted(e[1] for e in entries))
        deleted = q.delete_message_batch(seen[:10])
        self.assertEqual(len(deleted.results), 10)
        self.assertEqual(deleted.errors, [])
        self.assertEqual(self.conn.get_queue_attributes(q, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "0"})


if __name__ == "__main__":
    unittest.main()
