// XmlWriter: builds the XML documents of the Query protocol.
// Text is escaped so that any UTF-8 string survives a round trip through a
// conforming parser, including carriage returns (written as &#xD;).
#pragma once

#include <string>
#include <string_view>

namespace ferry::protocol {

class XmlWriter {
 public:
  XmlWriter() { out_.reserve(512); }
  void Declaration() { out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"; }
  void Open(std::string_view name, std::string_view xmlns = {});
  void Close(std::string_view name);
  void Element(std::string_view name, std::string_view text);
  void Text(std::string_view text);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace ferry::protocol
