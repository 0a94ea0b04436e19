#include "protocol/xml_writer.h"

#include <cstdio>

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
  for (char c : text) {
    switch (c) {
      case '&': out_ += "&amp;"; break;
      case '<': out_ += "&lt;"; break;
      case '>': out_ += "&gt;"; break;
      case '"': out_ += "&quot;"; break;
      case '\'': out_ += "&apos;"; break;
      case '\r': out_ += "&#xD;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "&#x%X;", static_cast<unsigned char>(c));
          out_ += buf;
        } else {
          out_ += c;
        }
    }
  }
}

}  // namespace ferry::protocol
