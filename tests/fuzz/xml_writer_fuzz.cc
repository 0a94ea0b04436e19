// Fuzzes the Query protocol's XML writer (protocol/xml_writer.h). The input
// is written as the text of an element and as the text of a nested element
// beside another, into a document with a declaration, as the Query encoder
// writes responses. Whatever the bytes, expat (a strict XML 1.0 parser) must
// parse the document. When the input is text SQS accepts (IsValidSqsText:
// what reaches stored bodies, attribute values, tags and subjects), the
// parsed text must be exactly the input; otherwise it is what the writer
// documents: the input with each ill-formed byte and each character XML
// cannot carry replaced by U+FFFD.
#include <expat.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "protocol/xml_writer.h"

namespace {

struct Parsed {
  std::string text[2];  // the character data of <A> and of <C>
  int depth = 0;
  int which = -1;
};

// The input as the writer documents it will be read back.
std::string Expected(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    const size_t start = i;
    const int32_t cp = ferry::DecodeUtf8(in, &i);
    if (ferry::IsXmlChar(cp)) {
      out.append(in.substr(start, i - start));
    } else {
      out.append(ferry::kReplacementCharacter);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  ferry::protocol::XmlWriter w;
  w.Declaration();
  w.Open("R", "https://sqs.amazonaws.com/doc/2012-11-05/");
  w.Element("A", in);
  w.Open("B");
  w.Element("C", in);
  w.Close("B");
  w.Close("R");
  const std::string doc = w.Take();

  Parsed parsed;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &parsed);
  XML_SetElementHandler(
      p,
      [](void* u, const XML_Char* name, const XML_Char**) {
        auto* s = static_cast<Parsed*>(u);
        ++s->depth;
        const std::string_view n(name);
        s->which = n == "A" ? 0 : n == "C" ? 1 : -1;
      },
      [](void* u, const XML_Char*) {
        auto* s = static_cast<Parsed*>(u);
        --s->depth;
        s->which = -1;
      });
  XML_SetCharacterDataHandler(p, [](void* u, const XML_Char* s, int len) {
    auto* st = static_cast<Parsed*>(u);
    if (st->which < 0) std::abort();  // text outside <A> and <C>: the markup broke
    st->text[st->which].append(s, static_cast<size_t>(len));
  });
  const bool ok = XML_Parse(p, doc.data(), static_cast<int>(doc.size()), 1) != XML_STATUS_ERROR;
  XML_ParserFree(p);
  if (!ok || parsed.depth != 0) std::abort();  // not well-formed
  if (parsed.text[0] != parsed.text[1]) std::abort();
  if (ferry::IsValidSqsText(in)) {
    if (parsed.text[0] != in) std::abort();  // accepted text must round-trip exactly
  } else if (parsed.text[0] != Expected(in)) {
    std::abort();
  }
  return 0;
}
