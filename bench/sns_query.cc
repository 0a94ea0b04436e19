#include "sns_query.h"

namespace ferry::bench {
namespace {

// Form encoding: unreserved characters as they are, the rest as %XX.
void AppendEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
}

void AppendParam(std::string& out, std::string_view name, std::string_view value) {
  out.push_back('&');
  out.append(name);
  out.push_back('=');
  AppendEncoded(out, value);
}

void AppendFifoIds(std::string& out, std::string_view prefix, FifoIds* fifo) {
  if (fifo == nullptr || fifo->groups <= 0) return;
  const uint64_t k = fifo->next++;
  AppendParam(out, std::string(prefix) + "MessageGroupId",
              "g" + std::to_string(k % static_cast<uint64_t>(fifo->groups)));
  AppendParam(out, std::string(prefix) + "MessageDeduplicationId",
              fifo->prefix + "-" + std::to_string(k));
}

void AppendAttributes(std::string& out, std::string_view prefix, bool attributes) {
  if (!attributes) return;
  struct Attribute {
    std::string_view name, type, value;
  };
  static constexpr Attribute kAttributes[] = {{"a", "String", "x"},
                                              {"b", "String", "y1"},
                                              {"c", "Number", "1"},
                                              {"d", "String", "d"},
                                              {"e", "String", "w"}};
  int n = 0;
  for (const Attribute& a : kAttributes) {
    const std::string entry =
        std::string(prefix) + "MessageAttributes.entry." + std::to_string(++n) + ".";
    AppendParam(out, entry + "Name", a.name);
    AppendParam(out, entry + "Value.DataType", a.type);
    AppendParam(out, entry + "Value.StringValue", a.value);
  }
}

}  // namespace

std::string PublishRequest(std::string_view topic_arn, std::string_view message, FifoIds* fifo,
                           bool attributes) {
  std::string out = "Action=Publish&Version=2010-03-31";
  AppendParam(out, "TopicArn", topic_arn);
  AppendParam(out, "Message", message);
  AppendFifoIds(out, "", fifo);
  AppendAttributes(out, "", attributes);
  return out;
}

std::string PublishBatchRequest(std::string_view topic_arn, std::string_view message, int entries,
                                FifoIds* fifo, bool attributes) {
  std::string out = "Action=PublishBatch&Version=2010-03-31";
  AppendParam(out, "TopicArn", topic_arn);
  for (int i = 0; i < entries; ++i) {
    const std::string prefix = "PublishBatchRequestEntries.member." + std::to_string(i + 1) + ".";
    AppendParam(out, prefix + "Id", std::to_string(i));
    AppendParam(out, prefix + "Message", message);
    AppendFifoIds(out, prefix, fifo);
    AppendAttributes(out, prefix, attributes);
  }
  return out;
}

int CountPublished(std::string_view xml) {
  // Only Successful entries carry a MessageId.
  int count = 0;
  for (size_t at = xml.find("<MessageId>"); at != std::string_view::npos;
       at = xml.find("<MessageId>", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace ferry::bench
