// The rules of a message body: the characters it may hold, and the bytes a
// message counts against its service's size limit.
//
// A body (and every attribute type and string value) may hold only
//   #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF
// as well-formed UTF-8: XML 1.0's characters, so that a message sent over
// JSON can always be received over the XML wire. The limits themselves
// differ by service (1 MiB for an SQS queue at most, 256 KiB for SNS) and by
// queue, and each service words its refusal, so they are the caller's.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string_view>

#include "common/status.h"
#include "message/attributes.h"

namespace ferry::message {

// kInvalidArgument, with AWS's text ("Invalid characters found. Valid
// characters are ..."), when `body` holds a character outside the set above
// or is not well-formed UTF-8.
Status CheckBodyCharacters(std::string_view body);

// The bytes a message counts against its size limit: the body and, for each
// attribute, its name, data type and value (binary values decoded).
size_t MessageSize(std::string_view body, std::span<const MessageAttribute> attributes);

// The same count for a message not yet read from its request fields (a
// batch entry, for the batch's total): the string at `body_key` and the
// MessageAttributes' names, types and values, binary values counted decoded.
// Malformed parts count as zero; the message's own validation reports them.
size_t UnreadMessageSize(const boost::json::object& fields, std::string_view body_key);

}  // namespace ferry::message
