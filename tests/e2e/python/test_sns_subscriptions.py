"""SNS subscriptions: Subscribe to SQS queues and http endpoints
(ReturnSubscriptionArn, the same endpoint twice, pending and confirmed),
Unsubscribe, ListSubscriptions(ByTopic) paging,
Get/SetSubscriptionAttributes with their refusals (FilterPolicy among them),
and what Ferry does not serve: other protocols, SMS, mobile push and data
protection.
"""

import json
import unittest

from ferry_e2e import unique_name
from sns_e2e import SnsTestCase, Webhook, account, list_all, topic_arn_for

PENDING = "pending confirmation"


class SubscribeSqsTest(SnsTestCase):
    def test_sqs_subscription_is_confirmed_at_once(self):
        topic = self.new_topic()
        url = self.new_queue("q")
        queue_arn = self.queue_arn(url)
        # Without ReturnSubscriptionArn too: a confirmed subscription's ARN.
        arn = self.subscribe(topic, "sqs", queue_arn, return_arn=False)
        self.assertRegex(arn, r"^%s:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
                         % topic.replace(".", r"\."))
        attrs = self.sub_attrs(arn)
        self.assertEqual(attrs["SubscriptionArn"], arn)
        self.assertEqual(attrs["TopicArn"], topic)
        self.assertEqual(attrs["Owner"], account())
        self.assertEqual(attrs["Protocol"], "sqs")
        self.assertEqual(attrs["Endpoint"], queue_arn)
        self.assertEqual(attrs["PendingConfirmation"], "false")
        self.assertEqual(attrs["ConfirmationWasAuthenticated"], "true")
        self.assertEqual(attrs["RawMessageDelivery"], "false")
        self.assertNotIn("FilterPolicy", attrs)

    def test_same_endpoint_twice_is_the_same_subscription(self):
        topic = self.new_topic()
        url = self.new_queue("q")
        first = self.subscribe(topic, "sqs", self.queue_arn(url))
        self.assertEqual(self.subscribe(topic, "sqs", self.queue_arn(url)), first)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual([s["SubscriptionArn"] for s in subs], [first])
        # Restating the same attributes is the same subscription too.
        other = self.new_queue("q2")
        raw = {"RawMessageDelivery": "true"}
        arn = self.subscribe(topic, "sqs", self.queue_arn(other), raw)
        self.assertEqual(self.subscribe(topic, "sqs", self.queue_arn(other), raw), arn)

    def test_same_endpoint_with_other_attributes_is_refused(self):
        topic = self.new_topic()
        url = self.new_queue("q")
        self.subscribe(topic, "sqs", self.queue_arn(url), {"RawMessageDelivery": "true"})
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="sqs", Endpoint=self.queue_arn(url),
                            Attributes={"RawMessageDelivery": "false"},
                            shape="InvalidParameterException",
                            message="Invalid parameter: Attributes Reason: Subscription "
                                    "already exists with different attributes")

    def test_subscribe_with_attributes(self):
        topic = self.new_topic()
        dlq = self.new_queue("dlq")
        redrive = json.dumps({"deadLetterTargetArn": self.queue_arn(dlq)})
        policy = json.dumps({"store": ["example_corp"], "price": [{"numeric": [">", 10]}]})
        _, arn = self.subscribed_queue(topic, attributes={
            "RawMessageDelivery": "true", "FilterPolicy": policy, "RedrivePolicy": redrive})
        attrs = self.sub_attrs(arn)
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), json.loads(policy))
        self.assertEqual(attrs["FilterPolicyScope"], "MessageAttributes")
        self.assertEqual(json.loads(attrs["RedrivePolicy"]), json.loads(redrive))

    def test_subscribe_errors(self):
        topic = self.new_topic()
        url = self.new_queue("q")
        missing = topic_arn_for(unique_name("gone"))
        self.assertSnsError("NotFound", self.sns.subscribe, TopicArn=missing, Protocol="sqs",
                            Endpoint=self.queue_arn(url), status=404,
                            shape="NotFoundException")
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="sqs", Endpoint="not-an-arn")
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="http", Endpoint="https://example.com/hook")
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="https", Endpoint="http://example.com/hook")
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="carrier-pigeon", Endpoint="coop")
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="sqs", Endpoint=self.queue_arn(url),
                            Attributes={"Colour": "blue"})

    def test_fifo_queue_needs_a_fifo_topic(self):
        topic = self.new_topic()
        url = self.new_queue("fq", attributes={"FifoQueue": "true"},
                             name=unique_name("fq") + ".fifo")
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="sqs", Endpoint=self.queue_arn(url),
                            shape="InvalidParameterException")
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])

    def test_fifo_topics_deliver_to_sqs_only(self):
        topic = self.new_topic(fifo=True)
        self.subscribed_queue(topic, fifo=True)
        self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                            Protocol="http", Endpoint="http://127.0.0.1:9/fifo")


class UnsupportedTest(SnsTestCase):
    """Protocols and actions Ferry does not serve are refused, never faked."""

    def test_other_protocols_are_refused(self):
        topic = self.new_topic()
        for protocol, endpoint in (("email", "a@example.com"), ("email-json", "a@example.com"),
                                   ("sms", "+15555550100"),
                                   ("lambda", "arn:aws:lambda:us-east-1:%s:function:f"
                                    % (account() or "000000000000")),
                                   ("application", "arn:aws:sns:us-east-1:000000000000:"
                                    "endpoint/GCM/app/1"),
                                   ("firehose", "arn:aws:firehose:us-east-1:000000000000:"
                                    "deliverystream/s")):
            with self.subTest(protocol=protocol):
                self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                                    Protocol=protocol, Endpoint=endpoint,
                                    shape="InvalidParameterException")
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])

    def test_sms_platform_and_data_protection_actions_are_refused(self):
        topic = self.new_topic()
        calls = [
            ("GetSMSAttributes", self.sns.get_sms_attributes, {}),
            ("SetSMSAttributes", self.sns.set_sms_attributes,
             {"attributes": {"DefaultSMSType": "Promotional"}}),
            ("CheckIfPhoneNumberIsOptedOut", self.sns.check_if_phone_number_is_opted_out,
             {"phoneNumber": "+15555550100"}),
            ("ListPhoneNumbersOptedOut", self.sns.list_phone_numbers_opted_out, {}),
            ("OptInPhoneNumber", self.sns.opt_in_phone_number, {"phoneNumber": "+15555550100"}),
            ("CreatePlatformApplication", self.sns.create_platform_application,
             {"Name": "app", "Platform": "GCM", "Attributes": {"PlatformCredential": "k"}}),
            ("ListPlatformApplications", self.sns.list_platform_applications, {}),
            ("CreatePlatformEndpoint", self.sns.create_platform_endpoint,
             {"PlatformApplicationArn": "arn:aws:sns:us-east-1:000000000000:app/GCM/app",
              "Token": "t"}),
            ("PutDataProtectionPolicy", self.sns.put_data_protection_policy,
             {"ResourceArn": topic, "DataProtectionPolicy": "{}"}),
            ("GetDataProtectionPolicy", self.sns.get_data_protection_policy,
             {"ResourceArn": topic}),
        ]
        if hasattr(self.sns, "get_sms_sandbox_account_status"):
            calls.append(("GetSMSSandboxAccountStatus",
                          self.sns.get_sms_sandbox_account_status, {}))
        # InvalidAction: what Ferry answers for a family it does not serve
        # (docs/compatibility.md, "SNS topics and subscriptions"); Publish to a
        # phone number or an endpoint: test_sns_publish.
        for what, fn, kwargs in calls:
            with self.subTest(what):
                self.assertSnsError("InvalidAction", fn, **kwargs)


class SubscribeHttpTest(SnsTestCase):
    def setUp(self):
        super().setUp()
        self.hook = Webhook()
        self.addCleanup(self.hook.close)

    def test_http_subscription_is_pending_until_confirmed(self):
        topic = self.new_topic()
        endpoint = self.hook.url("/pending")
        self.assertEqual(self.subscribe(topic, "http", endpoint, return_arn=False), PENDING)
        arn = self.subscribe(topic, "http", endpoint)
        self.assertTrue(arn.startswith(topic + ":"), arn)
        # The same endpoint again: the same pending subscription.
        self.assertEqual(self.subscribe(topic, "http", endpoint), arn)
        attrs = self.sub_attrs(arn)
        self.assertEqual(attrs["PendingConfirmation"], "true")
        self.assertEqual(attrs["ConfirmationWasAuthenticated"], "false")
        self.assertEqual(attrs["Protocol"], "http")
        self.assertEqual(attrs["Endpoint"], endpoint)
        self.assertIn("EffectiveDeliveryPolicy", attrs)
        listed = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        # Lists name a pending subscription "PendingConfirmation", as AWS does.
        self.assertEqual([(s["SubscriptionArn"], s["Protocol"], s["Endpoint"]) for s in listed],
                         [("PendingConfirmation", "http", endpoint)])
        counts = self.topic_attrs(topic)
        self.assertEqual((counts["SubscriptionsPending"], counts["SubscriptionsConfirmed"]),
                         ("1", "0"))
        # Confirming it takes the token delivered to the endpoint: test_sns_http.

    def test_unsubscribe(self):
        topic = self.new_topic()
        _, arn = self.subscribed_queue(topic)
        self.sns.unsubscribe(SubscriptionArn=arn)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])
        self.assertSnsError("NotFound", self.sns.get_subscription_attributes,
                            SubscriptionArn=arn, status=404, shape="NotFoundException")
        pending = self.subscribe(topic, "http", self.hook.url("/gone"))
        self.sns.unsubscribe(SubscriptionArn=pending)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])
        self.assertSnsError("InvalidParameter", self.sns.unsubscribe,
                            SubscriptionArn="not-an-arn", shape="InvalidParameterException")


class ListSubscriptionsTest(SnsTestCase):
    def test_pages_of_100(self):
        topic = self.new_topic()
        other = self.new_topic()
        made = {self.subscribed_queue(topic, "p%03d" % i)[1] for i in range(102)}
        _, elsewhere = self.subscribed_queue(other, "other")

        subs, sizes = list_all(self.sns.list_subscriptions_by_topic, "Subscriptions",
                               TopicArn=topic)
        self.assertEqual({s["SubscriptionArn"] for s in subs}, made)
        self.assertEqual(len(subs), 102)
        self.assertEqual(sizes[0], 100)
        for s in subs:
            self.assertEqual((s["TopicArn"], s["Protocol"], s["Owner"]),
                             (topic, "sqs", account()))

        subs, sizes = list_all(self.sns.list_subscriptions, "Subscriptions")
        arns = [s["SubscriptionArn"] for s in subs]
        self.assertEqual(len(arns), len(set(arns)), "a subscription listed twice")
        self.assertTrue(made | {elsewhere} <= set(arns))
        self.assertEqual(sizes[0], 100)
        self.assertTrue(all(n <= 100 for n in sizes))

    def test_list_errors(self):
        self.assertSnsError("NotFound", self.sns.list_subscriptions_by_topic,
                            TopicArn=topic_arn_for(unique_name("gone")), status=404)


class SubscriptionAttributesTest(SnsTestCase):
    def test_set_and_get(self):
        topic = self.new_topic()
        dlq = self.new_queue("dlq")
        _, arn = self.subscribed_queue(topic)
        policy = {"event": ["order_placed"], "amount": [{"numeric": [">=", 100]}]}
        redrive = {"deadLetterTargetArn": self.queue_arn(dlq)}
        for name, value in (("RawMessageDelivery", "true"), ("FilterPolicy", json.dumps(policy)),
                            ("RedrivePolicy", json.dumps(redrive))):
            self.sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name,
                                                 AttributeValue=value)
        attrs = self.sub_attrs(arn)
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), policy)
        self.assertEqual(attrs["FilterPolicyScope"], "MessageAttributes")
        self.assertEqual(json.loads(attrs["RedrivePolicy"]), redrive)
        self.sns.set_subscription_attributes(SubscriptionArn=arn,
                                             AttributeName="FilterPolicyScope",
                                             AttributeValue="MessageBody")
        self.assertEqual(self.sub_attrs(arn)["FilterPolicyScope"], "MessageBody")
        # An empty FilterPolicy removes the policy.
        self.sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                             AttributeValue="")
        self.assertNotIn("FilterPolicy", self.sub_attrs(arn))

    def test_refusals(self):
        topic = self.new_topic()
        _, arn = self.subscribed_queue(topic)
        cases = [
            ("Colour", "blue"),
            ("RawMessageDelivery", "maybe"),
            ("FilterPolicyScope", "Headers"),
            ("FilterPolicy", "{not json"),
            ("FilterPolicy", '["a"]'),
            ("FilterPolicy", json.dumps({"a": "not-an-array"})),
            ("FilterPolicy", json.dumps({"k%d" % i: ["v"] for i in range(6)})),
            ("FilterPolicy", json.dumps({"n": [{"numeric": [">", "ten"]}]})),
            ("RedrivePolicy", "{not json"),
            ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "not-an-arn"})),
        ]
        for name, value in cases:
            with self.subTest(name=name, value=value):
                err = self.assertSnsError("InvalidParameter",
                                          self.sns.set_subscription_attributes,
                                          SubscriptionArn=arn, AttributeName=name,
                                          AttributeValue=value,
                                          shape="InvalidParameterException")
                self.assertTrue(err.response["Error"]["Message"].startswith(
                    "Invalid parameter: "), err.response["Error"]["Message"])
                if name == "FilterPolicy":
                    self.assertTrue(err.response["Error"]["Message"].startswith(
                        "Invalid parameter: FilterPolicy: "), err.response["Error"]["Message"])
        self.assertNotIn("FilterPolicy", self.sub_attrs(arn))
        self.assertEqual(self.sub_attrs(arn)["RawMessageDelivery"], "false")

    def test_filter_policy_refused_at_subscribe(self):
        topic = self.new_topic()
        url = self.new_queue("q")
        err = self.assertSnsError("InvalidParameter", self.sns.subscribe, TopicArn=topic,
                                  Protocol="sqs", Endpoint=self.queue_arn(url),
                                  Attributes={"FilterPolicy": "{not json"})
        self.assertTrue(err.response["Error"]["Message"].startswith(
            "Invalid parameter: Attributes Reason: FilterPolicy: "),
            err.response["Error"]["Message"])
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])

    def test_not_found(self):
        topic = self.new_topic()
        _, arn = self.subscribed_queue(topic)
        self.sns.unsubscribe(SubscriptionArn=arn)
        self.assertSnsError("NotFound", self.sns.set_subscription_attributes,
                            SubscriptionArn=arn, AttributeName="RawMessageDelivery",
                            AttributeValue="true", status=404)


if __name__ == "__main__":
    unittest.main()
