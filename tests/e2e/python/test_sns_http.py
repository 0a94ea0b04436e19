"""SNS deliveries to http endpoints: a webhook in this process (sns_e2e.Webhook,
on a free loopback port) records what Ferry POSTs and answers a scripted
status per request.

The subscription confirmation (its headers and signed envelope, confirmed by
GETting SubscribeURL as a subscriber does, or by ConfirmSubscription with its
token), notifications with SNS's headers and signatures, raw delivery, the
UnsubscribeConfirmation, and the delivery policy at work: 5xx and 429 are retried and then succeed, a 4xx
goes to the subscription's dead-letter queue at once, exhausted retries go
there too, and throttlePolicy.maxReceivesPerSecond spaces the POSTs. The
policies use one-second delays so each test waits a few seconds at most,
always by polling against a deadline.
"""

import json
import unittest

import ferry_e2e
from sns_e2e import (CONFIRMATION_FIELDS, NOTIFICATION_FIELDS, TIMESTAMP_RE, SnsTestCase,
                     Webhook, confirm_by_url, envelope_fields, of_type, signature_problem,
                     unsubscribe_url_parts)

FAST_RETRIES = {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 3,
                "numNoDelayRetries": 0, "numMinDelayRetries": 0, "numMaxDelayRetries": 0,
                "backoffFunction": "linear"}


def delivery_policy(num_retries=3, **extra):
    policy = {"healthyRetryPolicy": dict(FAST_RETRIES, numRetries=num_retries)}
    policy.update(extra)
    return json.dumps(policy)


class HttpTestCase(SnsTestCase):
    def setUp(self):
        super().setUp()
        self.notification_statuses = []  # statuses to answer notifications with, in turn
        self.hook = Webhook(self.respond)
        self.addCleanup(self.hook.close)

    def respond(self, req):
        if req.message_type == "Notification" and self.notification_statuses:
            return self.notification_statuses.pop(0)
        return 200

    def confirmed(self, topic, path, attributes=None):
        """An http subscription of the webhook's `path`, confirmed through its
        SubscribeURL; returns (subscription ARN, the confirmation request)."""
        arn = self.subscribe(topic, "http", self.hook.url(path), attributes)
        got = self.hook.wait_for(1, of_type("SubscriptionConfirmation", path), timeout=10)
        self.assertTrue(got, "no SubscriptionConfirmation POSTed to %s" % path)
        self.assertEqual(confirm_by_url(got[0].json()["SubscribeURL"]), arn)
        self.assertEqual(self.sub_attrs(arn)["PendingConfirmation"], "false")
        return arn, got[0]

    def notifications(self, count, path, timeout=10.0):
        return self.hook.wait_for(count, of_type("Notification", path), timeout=timeout)

    def dead_letter_queue(self):
        url = self.new_queue("dlq")
        return url, json.dumps({"deadLetterTargetArn": self.queue_arn(url)})


class ConfirmAndNotifyTest(HttpTestCase):
    def test_confirmation_and_notifications(self):
        topic = self.new_topic()
        arn, req = self.confirmed(topic, "/orders")
        base = ferry_e2e.endpoint()

        # The SubscriptionConfirmation.
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertEqual(req.headers["x-amz-sns-topic-arn"], topic)
        self.assertEqual(req.headers["content-type"], "text/plain; charset=UTF-8")
        self.assertEqual(envelope_fields(req.body), CONFIRMATION_FIELDS)
        env = req.json()
        self.assertEqual(req.headers["x-amz-sns-message-id"], env["MessageId"])
        self.assertEqual(env["Type"], "SubscriptionConfirmation")
        self.assertEqual(env["TopicArn"], topic)
        self.assertEqual(env["Message"],
                         "You have chosen to subscribe to the topic %s.\nTo confirm the "
                         "subscription, visit the SubscribeURL included in this message." % topic)
        self.assertTrue(env["SubscribeURL"].startswith(
            base + "/?Action=ConfirmSubscription&TopicArn="), env["SubscribeURL"])
        self.assertIn("&Token=" + env["Token"], env["SubscribeURL"])
        self.assertRegex(env["Timestamp"], TIMESTAMP_RE)
        self.assertIsNone(signature_problem(env))

        # A notification, signed with each signature version.
        attributes = {"event": {"DataType": "String", "StringValue": "order_placed"}}
        first = self.sns.publish(TopicArn=topic, Message="order 1", Subject="New order",
                                 MessageAttributes=attributes)
        self.sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion",
                                      AttributeValue="2")
        second = self.sns.publish(TopicArn=topic, Message="order 2")
        got = self.notifications(2, "/orders")
        self.assertEqual(len(got), 2)
        by_id = {r.json()["MessageId"]: r for r in got}
        self.assertEqual(set(by_id), {first["MessageId"], second["MessageId"]})
        for message_id, r in by_id.items():
            self.assertEqual(r.method, "POST")
            self.assertEqual(r.path, "/orders")
            self.assertEqual(r.headers["x-amz-sns-message-type"], "Notification")
            self.assertEqual(r.headers["x-amz-sns-message-id"], message_id)
            self.assertEqual(r.headers["x-amz-sns-topic-arn"], topic)
            self.assertEqual(r.headers["x-amz-sns-subscription-arn"], arn)
            self.assertEqual(r.headers["content-type"], "text/plain; charset=UTF-8")
            self.assertNotEqual(r.headers.get("x-amz-sns-rawdelivery"), "true")
            self.assertIsNone(signature_problem(r.json()))
            self.assertEqual(unsubscribe_url_parts(r.json()["UnsubscribeURL"]), (base, arn))
        env = by_id[first["MessageId"]].json()
        self.assertEqual(envelope_fields(by_id[first["MessageId"]].body),
                         [f for f in NOTIFICATION_FIELDS if f != "SequenceNumber"])
        self.assertEqual((env["Subject"], env["Message"], env["SignatureVersion"]),
                         ("New order", "order 1", "1"))
        self.assertEqual(env["MessageAttributes"],
                         {"event": {"Type": "String", "Value": "order_placed"}})
        self.assertEqual(by_id[second["MessageId"]].json()["SignatureVersion"], "2")

    def test_unsubscribe_sends_an_unsubscribe_confirmation(self):
        topic = self.new_topic()
        arn, _ = self.confirmed(topic, "/bye")
        self.confirmed(topic, "/stays")
        self.sns.unsubscribe(SubscriptionArn=arn)
        got = self.hook.wait_for(1, of_type("UnsubscribeConfirmation", "/bye"))
        self.assertEqual(len(got), 1, "no UnsubscribeConfirmation")
        r = got[0]
        self.assertEqual(r.method, "POST")
        self.assertEqual(r.headers["x-amz-sns-subscription-arn"], arn)
        self.assertEqual(r.headers["x-amz-sns-topic-arn"], topic)
        self.assertEqual(envelope_fields(r.body), CONFIRMATION_FIELDS)
        env = r.json()
        self.assertEqual(r.headers["x-amz-sns-message-id"], env["MessageId"])
        self.assertEqual((env["Type"], env["TopicArn"]), ("UnsubscribeConfirmation", topic))
        self.assertEqual(env["Message"],
                         "You have chosen to deactivate subscription %s.\nTo cancel this "
                         "operation and restore the subscription, visit the SubscribeURL "
                         "included in this message." % arn)
        self.assertIsNone(signature_problem(env))
        # Gone: the next message reaches the subscriber that stays, not this one.
        self.sns.publish(TopicArn=topic, Message="after")
        self.assertEqual(len(self.notifications(1, "/stays")), 1)
        self.assertEqual(self.hook.matching(of_type("Notification", "/bye")), [])

    def test_confirm_subscription_action(self):
        topic = self.new_topic()
        arn = self.subscribe(topic, "http", self.hook.url("/api"))
        got = self.hook.wait_for(1, of_type("SubscriptionConfirmation", "/api"))
        self.assertTrue(got, "no SubscriptionConfirmation arrived")
        token = got[0].json()["Token"]
        self.assertSnsError("InvalidParameter", self.sns.confirm_subscription, TopicArn=topic,
                            Token="0" * len(token), shape="InvalidParameterException")
        confirmed = self.sns.confirm_subscription(TopicArn=topic, Token=token,
                                                  AuthenticateOnUnsubscribe="true")
        self.assertEqual(confirmed["SubscriptionArn"], arn)
        attrs = self.sub_attrs(arn)
        self.assertEqual(attrs["PendingConfirmation"], "false")
        self.assertEqual(attrs["ConfirmationWasAuthenticated"], "true")
        listed = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual([s["SubscriptionArn"] for s in listed], [arn])
        # Confirming again answers the same subscription.
        self.assertEqual(self.sns.confirm_subscription(TopicArn=topic, Token=token)[
            "SubscriptionArn"], arn)
        counts = self.topic_attrs(topic)
        self.assertEqual((counts["SubscriptionsPending"], counts["SubscriptionsConfirmed"]),
                         ("0", "1"))

    def test_pending_subscription_gets_no_notification(self):
        topic = self.new_topic()
        self.subscribe(topic, "http", self.hook.url("/pending"))
        self.assertTrue(self.hook.wait_for(1, of_type("SubscriptionConfirmation", "/pending")))
        self.sns.publish(TopicArn=topic, Message="too early")
        # A confirmed subscriber beside it gets the next message: by then the
        # pending one would have had the first.
        self.confirmed(topic, "/confirmed")
        self.sns.publish(TopicArn=topic, Message="marker")
        self.assertEqual(len(self.notifications(1, "/confirmed")), 1)
        self.assertEqual(self.hook.matching(of_type("Notification", "/pending")), [])

    def test_raw_delivery_and_content_type(self):
        topic = self.new_topic()
        arn, _ = self.confirmed(topic, "/raw", {
            "RawMessageDelivery": "true",
            "DeliveryPolicy": json.dumps({"requestPolicy": {
                "headerContentType": "application/json"}})})
        message = '{"order": 7, "note": "ünïcode 🚀"}'
        sent = self.sns.publish(TopicArn=topic, Message=message)
        got = self.notifications(1, "/raw")
        self.assertEqual(len(got), 1)
        r = got[0]
        self.assertEqual(r.body, message)
        self.assertEqual(r.headers["x-amz-sns-rawdelivery"], "true")
        self.assertEqual(r.headers["x-amz-sns-message-id"], sent["MessageId"])
        self.assertEqual(r.headers["x-amz-sns-subscription-arn"], arn)
        self.assertEqual(r.headers["content-type"], "application/json")


class RetryTest(HttpTestCase):
    def assert_spaced(self, requests, at_least):
        times = [r.at for r in requests]
        for a, b in zip(times, times[1:]):
            self.assertGreaterEqual(b - a, at_least, "attempts %.2f s apart" % (b - a))

    def test_5xx_and_429_are_retried_until_success(self):
        topic = self.new_topic()
        self.confirmed(topic, "/flaky", {"DeliveryPolicy": delivery_policy(3)})
        self.notification_statuses = [500, 503, 429]
        sent = self.sns.publish(TopicArn=topic, Message="eventually")
        got = self.notifications(4, "/flaky", timeout=15)
        self.assertEqual(len(got), 4, "expected 3 failures and the success")
        self.assertEqual({r.headers["x-amz-sns-message-id"] for r in got}, {sent["MessageId"]})
        self.assertEqual({r.body for r in got}, {got[0].body})
        self.assert_spaced(got, 0.8)
        # Delivered: no fifth attempt.
        self.assertEqual(len(self.notifications(5, "/flaky", timeout=1.5)), 4)

    def test_4xx_goes_to_the_dead_letter_queue_at_once(self):
        topic = self.new_topic()
        dlq, redrive = self.dead_letter_queue()
        self.confirmed(topic, "/gone", {"DeliveryPolicy": delivery_policy(3),
                                        "RedrivePolicy": redrive})
        self.notification_statuses = [404]
        sent = self.sns.publish(TopicArn=topic, Message="to nobody", Subject="lost")
        self.assertDeadLettered(dlq, sent, "to nobody", "lost")
        self.assertEqual(len(self.notifications(1, "/gone")), 1)
        self.assertEqual(len(self.notifications(2, "/gone", timeout=1.5)), 1,
                         "a 4xx was retried")

    def test_exhausted_retries_go_to_the_dead_letter_queue(self):
        topic = self.new_topic()
        dlq, redrive = self.dead_letter_queue()
        self.confirmed(topic, "/down", {"DeliveryPolicy": delivery_policy(2),
                                        "RedrivePolicy": redrive})
        self.notification_statuses = [500] * 10
        sent = self.sns.publish(TopicArn=topic, Message="never answered")
        dead = self.take(dlq, 1, timeout=15)
        self.assertEqual(len(dead), 1, "nothing in the dead-letter queue")
        self.assertEqual(json.loads(dead[0]["Body"])["MessageId"], sent["MessageId"])
        got = self.notifications(3, "/down")
        self.assertEqual(len(got), 3, "expected the first attempt and 2 retries")
        self.assert_spaced(got, 0.8)
        self.assertEqual(len(self.notifications(4, "/down", timeout=1.5)), 3)

    def test_throttle_policy(self):
        topic = self.new_topic()
        self.confirmed(topic, "/slow", {"DeliveryPolicy": delivery_policy(
            3, throttlePolicy={"maxReceivesPerSecond": 1})})
        for i in range(4):
            self.sns.publish(TopicArn=topic, Message="throttled %d" % i)
        got = self.notifications(4, "/slow", timeout=15)
        self.assertEqual(sorted(r.json()["Message"] for r in got),
                         ["throttled %d" % i for i in range(4)])
        self.assertGreaterEqual(got[-1].at - got[0].at, 2.5,
                                "4 deliveries at most 1 a second took %.2f s"
                                % (got[-1].at - got[0].at))

    def test_delivery_policy_refusals(self):
        topic = self.new_topic()
        arn = self.subscribe(topic, "http", self.hook.url("/policy"))
        for policy in ({"healthyRetryPolicy": dict(FAST_RETRIES, minDelayTarget=0)},
                       {"healthyRetryPolicy": dict(FAST_RETRIES, minDelayTarget=5,
                                                   maxDelayTarget=2)},
                       {"healthyRetryPolicy": dict(FAST_RETRIES, numRetries=101)},
                       {"healthyRetryPolicy": dict(FAST_RETRIES, backoffFunction="cubic")},
                       {"throttlePolicy": {"maxReceivesPerSecond": 0}}):
            with self.subTest(policy=policy):
                self.assertSnsError("InvalidParameter", self.sns.set_subscription_attributes,
                                    SubscriptionArn=arn, AttributeName="DeliveryPolicy",
                                    AttributeValue=json.dumps(policy),
                                    shape="InvalidParameterException")
        self.sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="DeliveryPolicy",
                                             AttributeValue=delivery_policy(
                                                 5, throttlePolicy={"maxReceivesPerSecond": 3}))
        effective = json.loads(self.sub_attrs(arn)["EffectiveDeliveryPolicy"])
        self.assertEqual(effective["healthyRetryPolicy"], dict(FAST_RETRIES, numRetries=5))
        self.assertEqual(effective["throttlePolicy"], {"maxReceivesPerSecond": 3})


if __name__ == "__main__":
    unittest.main()
