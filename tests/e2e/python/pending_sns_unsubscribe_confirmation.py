"""SNS behaviour Ferry does not have yet, kept out of the suite: run by hand
(`run_suite.py pending_sns_unsubscribe_confirmation`) once it lands, then move
the test into test_sns_http.py.

Unsubscribing an http(s) subscription sends an UnsubscribeConfirmation to its
endpoint on AWS ("HTTP/HTTPS unsubscribe confirmation JSON format"); Ferry
drops the subscription and its pending deliveries without one
(docs/compatibility.md, "Unsubscribe").
"""

import unittest

from sns_e2e import CONFIRMATION_FIELDS, envelope_fields, of_type, signature_problem
from test_sns_http import HttpTestCase


class UnsubscribeConfirmationTest(HttpTestCase):
    def test_unsubscribe_sends_an_unsubscribe_confirmation(self):
        topic = self.new_topic()
        arn, _ = self.confirmed(topic, "/bye")
        self.sns.unsubscribe(SubscriptionArn=arn)
        got = self.hook.wait_for(1, of_type("UnsubscribeConfirmation", "/bye"))
        self.assertEqual(len(got), 1, "no UnsubscribeConfirmation")
        r = got[0]
        self.assertEqual(r.headers["x-amz-sns-subscription-arn"], arn)
        self.assertEqual(envelope_fields(r.body), CONFIRMATION_FIELDS)
        env = r.json()
        self.assertEqual(env["Message"],
                         "You have chosen to deactivate subscription %s.\nTo cancel this "
                         "operation and restore the subscription, visit the SubscribeURL "
                         "included in this message." % arn)
        self.assertIsNone(signature_problem(env))


if __name__ == "__main__":
    unittest.main()
