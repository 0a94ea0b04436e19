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

TEST(ErrorCatalog, SnsRowsCarryTheModelsErrorCodesAndShapeNames) {
  const ErrorDef& not_found = LookupError(ErrorId::kSnsNotFound);
  EXPECT_EQ(not_found.code, "NotFound");
  EXPECT_EQ(not_found.query_code, "NotFound");
  EXPECT_EQ(not_found.json_type, "NotFoundException");
  EXPECT_EQ(not_found.http_status, 404);
  EXPECT_TRUE(not_found.sender_fault);
  const ErrorDef& value = LookupError(ErrorId::kSnsInvalidParameterValue);
  EXPECT_EQ(value.query_code, "ParameterValueInvalid");
  EXPECT_EQ(value.json_type, "InvalidParameterValueException");
  EXPECT_EQ(LookupError(ErrorId::kSnsInvalidParameter).query_code, "InvalidParameter");
  EXPECT_EQ(LookupError(ErrorId::kSnsAuthorizationError).http_status, 403);
  EXPECT_EQ(LookupError(ErrorId::kSnsThrottled).http_status, 429);
  EXPECT_EQ(LookupError(ErrorId::kSnsKmsOptInRequired).json_type, "KMSOptInRequired");
  EXPECT_FALSE(LookupError(ErrorId::kSnsInternalError).sender_fault);
  EXPECT_EQ(LookupError(ErrorId::kSnsInternalError).http_status, 500);
}

TEST(ErrorCatalog, SnsAndSqsKeepTheirOwnCodesForTheSameName) {
  EXPECT_EQ(LookupError(ErrorId::kSnsTooManyEntriesInBatchRequest).query_code,
            "TooManyEntriesInBatchRequest");
  EXPECT_EQ(LookupError(ErrorId::kTooManyEntriesInBatchRequest).query_code,
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
  EXPECT_EQ(LookupError(ErrorId::kSnsResourceNotFound).query_code, "ResourceNotFound");
  EXPECT_EQ(LookupError(ErrorId::kResourceNotFound).query_code, "ResourceNotFoundException");
  EXPECT_EQ(LookupError(ErrorId::kSnsInvalidParameterValue).query_code, "ParameterValueInvalid");
  EXPECT_EQ(LookupError(ErrorId::kInvalidParameterValue).query_code, "InvalidParameterValue");
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

TEST(ErrorCatalog, AnSnsRowTravelsThroughStatusLikeAnyOther) {
  Status st = Error(ErrorId::kSnsThrottled, "slow down");
  EXPECT_EQ(ErrorFor(st).code, "Throttled");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(Error(ErrorId::kSnsInternalError, "bug").code(), Code::kInternal);
}

}  // namespace
}  // namespace ferry::api
