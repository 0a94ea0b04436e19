#include "sns/model.h"

namespace ferry::sns {

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kSqs:
      return "sqs";
    case Protocol::kHttp:
      return "http";
    case Protocol::kHttps:
      return "https";
  }
  return "sqs";
}

}  // namespace ferry::sns
