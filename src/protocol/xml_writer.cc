#include "protocol/xml_writer.h"

#include "common/utf8.h"

namespace ferry::protocol {

void XmlWriter::Open(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += xmlns;
    out_ += '"';
  }
  out_ += '>';
  empty_since_ = out_.size();
}

void XmlWriter::Close(std::string_view name) {
  if (out_.size() == empty_since_) {  // nothing inside: <Name/>, as AWS writes it
    out_.back() = '/';
    out_ += '>';
    empty_since_ = std::string::npos;
    return;
  }
  out_ += "</";
  out_ += name;
  out_ += '>';
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  Open(name);
  Text(text);
  Close(name);
}

void XmlWriter::Text(std::string_view text) {
  size_t plain = 0;  // start of the run of bytes copied as they are
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::string_view replacement;
    size_t next = i + 1;
    if (b >= 0x80) {
      next = i;
      if (IsXmlChar(DecodeUtf8(text, &next))) {
        i = next;
        continue;
      }
      replacement = kReplacementCharacter;
    } else if (b == '&') {
      replacement = "&amp;";
    } else if (b == '<') {
      replacement = "&lt;";
    } else if (b == '>') {
      replacement = "&gt;";
    } else if (b == '"') {
      replacement = "&quot;";
    } else if (b == '\'') {
      replacement = "&apos;";
    } else if (b == '\r') {
      replacement = "&#xD;";
    } else if (b < 0x20 && b != '\n' && b != '\t') {
      replacement = kReplacementCharacter;
    } else {
      ++i;
      continue;
    }
    out_.append(text.substr(plain, i - plain));
    out_.append(replacement);
    i = next;
    plain = i;
  }
  out_.append(text.substr(plain));
}

}  // namespace ferry::protocol
