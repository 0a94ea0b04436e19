#include "api/errors.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

TEST(ErrorCatalog, EveryRowIsFoundByItsId) {
  const ErrorDef& d = LookupError(ErrorId::kQueueDoesNotExist);
  EXPECT_EQ(d.code, "QueueDoesNotExist");
  EXPECT_EQ(d.query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(d.http_status, 400);
  EXPECT_TRUE(d.sender_fault);
  EXPECT_EQ(LookupError(ErrorId::kPurgeQueueInProgress).http_status, 403);
}

TEST(ErrorCatalog, JsonTypeIsItsOwnColumn) {
  const ErrorDef& d = LookupError(ErrorId::kInvalidParameterValue);
  EXPECT_EQ(d.code, "InvalidParameterValue");
  EXPECT_EQ(d.json_type, "InvalidParameterValueException");
  EXPECT_EQ(d.query_code, "InvalidParameterValue");
  EXPECT_EQ(LookupError(ErrorId::kMissingParameter).json_type, "MissingRequiredParameterException");
  EXPECT_EQ(LookupError(ErrorId::kQueueDoesNotExist).json_type, "QueueDoesNotExist");
}

TEST(ErrorCatalog, ErrorCarriesItsRowThroughStatus) {
  Status st = Error(ErrorId::kReceiptHandleIsInvalid, "bad handle");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(ErrorFor(st).code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(st.message(), "bad handle");
}

TEST(ErrorCatalog, SharedTextsNameTheirRowAndParameter) {
  Status missing = MissingParameter("Tags");
  EXPECT_EQ(ErrorFor(missing).code, "MissingParameter");
  EXPECT_EQ(missing.message(), "The request must contain the parameter Tags.");
  Status action = InvalidAction("Nope");
  EXPECT_EQ(ErrorFor(action).code, "InvalidAction");
  EXPECT_EQ(action.message(), "The action Nope is not valid for this endpoint.");
  Status value = InvalidParameterValue("Label", "a b", "Can only include letters.");
  EXPECT_EQ(ErrorFor(value).code, "InvalidParameterValue");
  EXPECT_EQ(value.message(),
            "Value a b for parameter Label is invalid. Reason: Can only include letters.");
  Status type = InvalidParameterType("MessageBody", "a string");
  EXPECT_EQ(ErrorFor(type).code, "InvalidParameterValue");
  EXPECT_EQ(type.message(),
            "Value for parameter MessageBody is invalid. Reason: must be a string.");
}

TEST(ErrorCatalog, GenericStatusesMapToServerErrors) {
  EXPECT_EQ(ErrorFor(Status::Unavailable("disk full")).http_status, 503);
  EXPECT_EQ(ErrorFor(Status::Internal("bug")).code, "InternalError");
  EXPECT_EQ(ErrorFor(Status::InvalidArgument("x")).code, "InvalidParameterValue");
}

}  // namespace
}  // namespace ferry::api
