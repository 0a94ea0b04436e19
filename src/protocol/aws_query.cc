#include "protocol/aws_query.h"

#include <charconv>
#include <map>
#include <vector>

#include "api/service_descriptor.h"
#include "protocol/json_writer.h"
#include "protocol/xml_writer.h"

namespace ferry::protocol {
namespace {

using api::CollectionKind;
using api::QueryCollection;
using api::ServiceDescriptor;

// A dotted-key tree: "A.1.B=x" becomes A → 1 → B = "x". A key sent more
// than once keeps every value, in order.
struct Node {
  std::vector<std::string> values;
  std::map<std::string, Node, std::less<>> children;
  bool is_leaf() const { return !values.empty(); }
  bool is_empty_value() const { return values.size() == 1 && values[0].empty(); }
};

bool IsSignatureField(std::string_view key) {
  return key == "Action" || key == "Version" || key.starts_with("X-Amz-") ||
         key == "AWSAccessKeyId" || key == "Signature" || key == "SignatureMethod" ||
         key == "SignatureVersion" || key == "Timestamp" || key == "Expires";
}

// The error echoes the key, cut short: a hostile key may be megabytes long.
Status Malformed(std::string_view key) {
  constexpr size_t kEchoed = 100;
  std::string shown(key.substr(0, kEchoed));
  if (key.size() > kEchoed) {
    // Never end inside a UTF-8 sequence.
    while (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0xC0) == 0x80) {
      shown.pop_back();
    }
    if (!shown.empty() && static_cast<unsigned char>(shown.back()) >= 0xC0) shown.pop_back();
    shown += "...";
  }
  return api::Error(api::ErrorId::kMalformedQueryString,
                    "The parameter " + shown + " is malformed.");
}

Status Insert(Node& root, std::string_view key, std::string value, size_t& nodes) {
  // Checked before the walk, and without reading further than the bound.
  for (size_t dot = 0, segments = 1; (dot = key.find('.', dot)) != std::string_view::npos; ++dot) {
    if (++segments > kMaxQueryKeySegments) return Malformed(key);
  }
  Node* n = &root;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    std::string_view seg = key.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty() || n->is_leaf()) return Malformed(key);
    auto [it, added] = n->children.try_emplace(std::string(seg));
    if (added && ++nodes > kMaxQueryNodes) {
      return api::Error(api::ErrorId::kMalformedQueryString,
                        "The request has too many parameters.");
    }
    n = &it->second;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!n->children.empty()) return Malformed(key);
  n->values.push_back(std::move(value));
  return Status::Ok();
}

// The elements of a list or map node in numeric order. A node none of whose
// children is an index is one element given without its index
// ("Attribute.Name=X&Attribute.Value=Y"); a mix of the two is malformed.
Result<std::vector<const Node*>> Elements(const Node& n, std::string_view name) {
  std::map<long, const Node*> by_index;
  size_t unindexed = 0;
  for (const auto& [k, child] : n.children) {
    long idx = 0;
    auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), idx);
    if (ec == std::errc() && p == k.data() + k.size() && idx >= 1) {
      by_index[idx] = &child;
    } else {
      ++unindexed;
    }
  }
  if (by_index.empty()) return std::vector<const Node*>{&n};
  if (unindexed > 0) return Malformed(name);
  std::vector<const Node*> out;
  out.reserve(by_index.size());
  for (auto& [i, c] : by_index) out.push_back(c);
  return out;
}

// One step of the conversion: a node of the tree and the slot its JSON value
// goes to. `row` is set when the node is a list or map member.
struct Work {
  const Node* node;
  const QueryCollection* row;
  std::string_view name;  // for error messages
  boost::json::value* out;
};

// Converts the tree to the JSON shape without recursion, so a key's depth
// costs heap, not stack. Each step writes one container complete with all
// its slots before queueing the children that fill them: a container is
// never touched again once its slots are handed out, so the slot pointers
// stay valid, and no two steps share a slot.
class Converter {
 public:
  Converter(const ServiceDescriptor& service, std::string_view action)
      : service_(service), action_(action) {}

  Status Run(const Node& root, boost::json::value& out) {
    work_.push_back({&root, nullptr, "", &out});
    while (!work_.empty()) {
      Work w = work_.back();
      work_.pop_back();
      FERRY_RETURN_IF_ERROR(w.row ? Collection(w) : Structure(w));
    }
    return Status::Ok();
  }

 private:
  Status Structure(const Work& w) {
    const Node& n = *w.node;
    if (n.is_leaf()) {
      // A scalar sent twice cannot mean both values.
      if (n.values.size() != 1) return Malformed(w.name);
      *w.out = boost::json::string(n.values[0]);
      return Status::Ok();
    }
    struct Member {
      std::string_view json_name;
      const Node* node;
      const QueryCollection* row;
      std::string_view query_name;
    };
    std::vector<Member> members;
    members.reserve(n.children.size());
    for (const auto& [name, child] : n.children) {
      if (const QueryCollection* row = service_.FindByQueryName(action_, name)) {
        members.push_back({row->json_name, &child, row, name});
      } else if (const QueryCollection* named = service_.FindByJsonName(action_, name);
                 named && !named->response_only && child.is_empty_value()) {
        // SDKs send an empty list or map as its member name with no value.
        members.push_back({name, &child, named, name});
      } else {
        members.push_back({name, &child, nullptr, name});
      }
    }
    boost::json::object& obj = w.out->emplace_object();
    obj.reserve(members.size());
    for (const Member& m : members) {
      // "Attribute.1.Name=..&Attributes=" name one member twice.
      if (!obj.emplace(m.json_name, nullptr).second) return Malformed(m.query_name);
    }
    for (const Member& m : members) {
      work_.push_back({m.node, m.row, m.query_name, &obj.find(m.json_name)->value()});
    }
    return Status::Ok();
  }

  Status Collection(const Work& w) {
    const QueryCollection& row = *w.row;
    bool is_list =
        row.kind == CollectionKind::kFlatList || row.kind == CollectionKind::kWrappedList;
    const Node* items = w.node;
    // The member name with an empty value is the empty collection: the last
    // Query releases of the JavaScript SDK send "AttributeName=" for [].
    if (items->is_empty_value()) {
      if (is_list) {
        w.out->emplace_array();
      } else {
        w.out->emplace_object();
      }
      return Status::Ok();
    }
    if (row.kind == CollectionKind::kWrappedList || row.kind == CollectionKind::kWrappedMap) {
      if (items->is_leaf()) return Malformed(w.name);
      auto it = items->children.find(is_list ? "member" : "entry");
      if (it == items->children.end()) return Malformed(w.name);
      items = &it->second;
    }
    if (items->is_leaf()) {
      // A bare value is a one-element list ("AttributeName=All"), a repeated
      // one a list in the order sent. A map needs its key and value names.
      if (!is_list) return Malformed(w.name);
      boost::json::array& arr = w.out->emplace_array();
      for (const std::string& v : items->values) arr.emplace_back(boost::json::string(v));
      return Status::Ok();
    }
    auto elems = Elements(*items, w.name);
    if (!elems.ok()) return elems.status();
    if (is_list) {
      boost::json::array& arr = w.out->emplace_array();
      arr.resize(elems->size());
      for (size_t i = 0; i < elems->size(); ++i) {
        work_.push_back({(*elems)[i], nullptr, w.name, &arr[i]});
      }
      return Status::Ok();
    }
    // A key sent twice keeps its last value, each key gets one slot.
    std::map<std::string_view, const Node*> entries;
    for (const Node* e : *elems) {
      auto k = e->children.find(row.key_name);
      if (k == e->children.end() || k->second.values.size() != 1) return Malformed(w.name);
      auto v = e->children.find(row.value_name);
      entries[k->second.values[0]] = v == e->children.end() ? nullptr : &v->second;
    }
    boost::json::object& obj = w.out->emplace_object();
    obj.reserve(entries.size());
    for (const auto& [key, value] : entries) obj.emplace(key, nullptr);
    for (const auto& [key, value] : entries) {
      if (value) work_.push_back({value, nullptr, w.name, &obj.find(key)->value()});
    }
    return Status::Ok();
  }

  const ServiceDescriptor& service_;
  std::string_view action_;
  std::vector<Work> work_;
};

void WriteValue(XmlWriter& w, std::string_view name, const boost::json::value& v,
                const ServiceDescriptor& service, std::string_view action);

void WriteMembers(XmlWriter& w, const boost::json::object& obj, const ServiceDescriptor& service,
                  std::string_view action) {
  for (const auto& kv : obj) WriteValue(w, kv.key(), kv.value(), service, action);
}

void WriteScalar(XmlWriter& w, std::string_view name, const boost::json::value& v) {
  if (v.is_string()) {
    w.Element(name, v.get_string());
  } else if (v.is_bool()) {
    w.Element(name, v.get_bool() ? "true" : "false");
  } else if (v.is_int64()) {
    w.Element(name, std::to_string(v.get_int64()));
  } else if (v.is_uint64()) {
    w.Element(name, std::to_string(v.get_uint64()));
  } else if (v.is_double()) {
    w.Element(name, boost::json::serialize(v));
  }
}

void WriteValue(XmlWriter& w, std::string_view name, const boost::json::value& v,
                const ServiceDescriptor& service, std::string_view action) {
  if (v.is_null()) return;
  const QueryCollection* row = service.FindByJsonName(action, name);
  if (v.is_array()) {
    const auto& arr = v.get_array();
    if (row && row->kind == CollectionKind::kFlatList) {
      for (const auto& e : arr) WriteValue(w, row->query_name, e, service, action);
      return;
    }
    w.Open(name);
    for (const auto& e : arr) WriteValue(w, "member", e, service, action);
    w.Close(name);
    return;
  }
  if (v.is_object()) {
    const auto& obj = v.get_object();
    if (row && row->kind == CollectionKind::kFlatMap) {
      for (const auto& kv : obj) {
        w.Open(row->query_name);
        w.Element(row->key_name, kv.key());
        WriteValue(w, row->value_name, kv.value(), service, action);
        w.Close(row->query_name);
      }
      return;
    }
    if (row && row->kind == CollectionKind::kWrappedMap) {
      w.Open(name);
      for (const auto& kv : obj) {
        w.Open("entry");
        w.Element(row->key_name, kv.key());
        WriteValue(w, row->value_name, kv.value(), service, action);
        w.Close("entry");
      }
      w.Close(name);
      return;
    }
    w.Open(name);
    WriteMembers(w, obj, service, action);
    w.Close(name);
    return;
  }
  WriteScalar(w, name, v);
}

}  // namespace

Result<boost::json::object> DecodeQueryParams(const FormPairs& pairs,
                                              const ServiceDescriptor& service,
                                              std::string_view action) {
  Node root;
  size_t nodes = 0;
  for (const auto& [k, v] : pairs) {
    if (IsSignatureField(k)) continue;
    FERRY_RETURN_IF_ERROR(Insert(root, k, v, nodes));
  }
  boost::json::value out;
  FERRY_RETURN_IF_ERROR(Converter(service, action).Run(root, out));
  return std::move(out.as_object());
}

std::string EncodeQueryResult(const ServiceDescriptor& service, std::string_view action,
                              const boost::json::object& result, std::string_view request_id) {
  XmlWriter w;
  w.Declaration();
  std::string response = std::string(action) + "Response";
  w.Open(response, service.xml_namespace);
  // Always present, even when empty: older SDKs look the element up by name.
  std::string result_name = std::string(action) + "Result";
  w.Open(result_name);
  WriteMembers(w, result, service, action);
  w.Close(result_name);
  w.Open("ResponseMetadata");
  w.Element("RequestId", request_id);
  w.Close("ResponseMetadata");
  w.Close(response);
  return w.Take();
}

std::string EncodeQueryError(const ServiceDescriptor& service, const api::ErrorDef& error,
                             std::string_view message, std::string_view request_id) {
  XmlWriter w;
  w.Declaration();
  w.Open("ErrorResponse", service.xml_namespace);
  w.Open("Error");
  w.Element("Type", error.sender_fault ? "Sender" : "Receiver");
  w.Element("Code", error.query_code);
  w.Element("Message", message);
  w.Open("Detail");
  w.Close("Detail");
  w.Close("Error");
  w.Element("RequestId", request_id);
  w.Close("ErrorResponse");
  return w.Take();
}

boost::json::object QueryResultAsJson(std::string_view action, const boost::json::object& result,
                                      std::string_view request_id) {
  boost::json::object metadata;
  metadata.emplace("RequestId", request_id);
  boost::json::object response;
  response.emplace(std::string(action) + "Result", result);
  response.emplace("ResponseMetadata", std::move(metadata));
  boost::json::object out;
  out.emplace(std::string(action) + "Response", std::move(response));
  return out;
}

std::string EncodeQueryErrorAsJson(const api::ErrorDef& error, std::string_view message,
                                   std::string_view request_id) {
  boost::json::object e;
  e.emplace("Type", error.sender_fault ? "Sender" : "Receiver");
  e.emplace("Code", error.query_code);
  e.emplace("Message", message);
  boost::json::object out;
  out.emplace("Error", std::move(e));
  out.emplace("RequestId", request_id);
  return SerializeJson(out);
}

}  // namespace ferry::protocol
