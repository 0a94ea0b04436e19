// XmlWriter: builds the XML documents of the Query protocol.
// Text is escaped so that any string of characters XML 1.0 allows survives a
// round trip through a conforming parser, including carriage returns
// (written as &#xD;). Whatever the bytes given, the document stays
// well-formed: a byte that is not part of well-formed UTF-8, and a character
// XML 1.0 cannot carry even as a reference (controls other than tab, LF and
// CR; surrogates; U+FFFE, U+FFFF), is written as U+FFFD. Stored values never
// hold such characters (SQS refuses them on the way in); they reach the
// writer only in error messages that echo a client's input. An element with
// nothing inside is written <Name/>, as AWS writes empty results
// (<ReceiveMessageResult/>).
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
  // out_'s size right after the last Open: Close writes <Name/> when nothing
  // came after it.
  size_t empty_since_ = std::string::npos;
};

}  // namespace ferry::protocol
