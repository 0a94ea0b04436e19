// XmlWriter: builds the XML documents of the Query protocol.
// Text is escaped so that any string of characters XML 1.0 allows survives a
// round trip through a conforming parser, including carriage returns
// (written as &#xD;). Whatever the bytes given, the document stays
// well-formed: a byte that is not part of well-formed UTF-8, and a character
// XML 1.0 cannot carry even as a reference (controls other than tab, LF and
// CR; surrogates; U+FFFE, U+FFFF), is written as U+FFFD. Stored values never
// hold such characters (SQS refuses them on the way in); they reach the
// writer only in error messages that echo a client's input.
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
