#include "protocol/aws_query.h"

#include <charconv>
#include <map>

#include "protocol/json_writer.h"
#include "protocol/query_shapes.h"
#include "protocol/xml_writer.h"

namespace ferry::protocol {
namespace {

// A dotted-key tree: "A.1.B=x" becomes A → 1 → B = "x".
struct Node {
  bool is_leaf = false;
  std::string value;
  std::map<std::string, Node, std::less<>> children;
};

bool IsSignatureField(std::string_view key) {
  return key == "Action" || key == "Version" || key.starts_with("X-Amz-") ||
         key == "AWSAccessKeyId" || key == "Signature" || key == "SignatureMethod" ||
         key == "SignatureVersion" || key == "Timestamp" || key == "Expires";
}

Status Malformed(std::string_view key) {
  return api::Error(api::ErrorId::kMalformedQueryString,
                    "The parameter " + std::string(key) + " is malformed.");
}

Status Insert(Node& root, std::string_view key, std::string value) {
  Node* n = &root;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    std::string_view seg = key.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty() || n->is_leaf) return Malformed(key);
    n = &n->children[std::string(seg)];
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (n->is_leaf || !n->children.empty()) return Malformed(key);
  n->is_leaf = true;
  n->value = std::move(value);
  return Status::Ok();
}

// Children of a list node in numeric order; fails on non-numeric indexes.
Result<std::vector<const Node*>> Indexed(const Node& n, std::string_view name) {
  std::map<long, const Node*> by_index;
  for (const auto& [k, child] : n.children) {
    long idx = 0;
    auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), idx);
    if (ec != std::errc() || p != k.data() + k.size() || idx < 1) return Malformed(name);
    by_index[idx] = &child;
  }
  std::vector<const Node*> out;
  out.reserve(by_index.size());
  for (auto& [i, c] : by_index) out.push_back(c);
  return out;
}

Result<boost::json::value> Convert(const Node& n, std::string_view service, std::string_view action);

Result<boost::json::value> ConvertCollection(const QueryCollection& row, const Node& n,
                                             std::string_view service, std::string_view action) {
  const Node* items = &n;
  bool wrapped = row.kind == CollectionKind::kWrappedList || row.kind == CollectionKind::kWrappedMap;
  if (wrapped) {
    auto it = n.children.find(row.kind == CollectionKind::kWrappedList ? "member" : "entry");
    if (n.is_leaf) return Malformed(row.json_name);
    if (it == n.children.end()) {
      if (!n.children.empty()) return Malformed(row.json_name);
      if (row.kind == CollectionKind::kWrappedList) return boost::json::value(boost::json::array());
      return boost::json::value(boost::json::object());
    }
    items = &it->second;
  }
  if (items->is_leaf) return Malformed(row.json_name);
  auto elems = Indexed(*items, row.json_name);
  if (!elems.ok()) return elems.status();
  bool is_list = row.kind == CollectionKind::kFlatList || row.kind == CollectionKind::kWrappedList;
  if (is_list) {
    boost::json::array arr;
    for (const Node* e : *elems) {
      auto v = Convert(*e, service, action);
      if (!v.ok()) return v.status();
      arr.push_back(std::move(*v));
    }
    return boost::json::value(std::move(arr));
  }
  boost::json::object obj;
  for (const Node* e : *elems) {
    auto k = e->children.find(row.key_name);
    auto v = e->children.find(row.value_name);
    if (k == e->children.end() || !k->second.is_leaf) return Malformed(row.json_name);
    boost::json::value val;
    if (v != e->children.end()) {
      auto cv = Convert(v->second, service, action);
      if (!cv.ok()) return cv.status();
      val = std::move(*cv);
    }
    obj[k->second.value] = std::move(val);
  }
  return boost::json::value(std::move(obj));
}

Result<boost::json::value> Convert(const Node& n, std::string_view service, std::string_view action) {
  if (n.is_leaf) return boost::json::value(n.value);
  boost::json::object obj;
  for (const auto& [name, child] : n.children) {
    const QueryCollection* row = FindByQueryName(service, action, name);
    if (row) {
      auto v = ConvertCollection(*row, child, service, action);
      if (!v.ok()) return v.status();
      obj[row->json_name] = std::move(*v);
    } else if (const QueryCollection* named = FindByJsonName(service, action, name);
               named && !named->response_only && child.is_leaf && child.value.empty()) {
      // SDKs send an empty list or map as its member name with no value.
      bool is_list = named->kind == CollectionKind::kFlatList ||
                     named->kind == CollectionKind::kWrappedList;
      obj[name] = is_list ? boost::json::value(boost::json::array())
                          : boost::json::value(boost::json::object());
    } else {
      auto v = Convert(child, service, action);
      if (!v.ok()) return v.status();
      obj[name] = std::move(*v);
    }
  }
  return boost::json::value(std::move(obj));
}

void WriteValue(XmlWriter& w, std::string_view name, const boost::json::value& v,
                std::string_view service, std::string_view action);

void WriteMembers(XmlWriter& w, const boost::json::object& obj, std::string_view service,
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
                std::string_view service, std::string_view action) {
  if (v.is_null()) return;
  const QueryCollection* row = FindByJsonName(service, action, name);
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

std::string_view XmlNamespace(std::string_view service) {
  if (service == "sqs") return "http://queue.amazonaws.com/doc/2012-11-05/";
  if (service == "sns") return "http://sns.amazonaws.com/doc/2010-03-31/";
  if (service == "sts") return "https://sts.amazonaws.com/doc/2011-06-15/";
  return "";
}

Result<boost::json::object> DecodeQueryParams(const FormPairs& pairs, std::string_view service,
                                              std::string_view action) {
  Node root;
  for (const auto& [k, v] : pairs) {
    if (IsSignatureField(k)) continue;
    FERRY_RETURN_IF_ERROR(Insert(root, k, v));
  }
  auto v = Convert(root, service, action);
  if (!v.ok()) return v.status();
  return std::move(v->as_object());
}

std::string EncodeQueryResult(std::string_view service, std::string_view action,
                              const boost::json::object& result, std::string_view request_id) {
  XmlWriter w;
  w.Declaration();
  std::string response = std::string(action) + "Response";
  w.Open(response, XmlNamespace(service));
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

std::string EncodeQueryError(std::string_view service, const api::ErrorDef& error,
                             std::string_view message, std::string_view request_id) {
  XmlWriter w;
  w.Declaration();
  w.Open("ErrorResponse", XmlNamespace(service));
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
