#include "auth/policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>

#include "auth/identity.h"

namespace ferry::auth {
namespace {

using Statement = Policy::Statement;
using Condition = Policy::Condition;
using Key = Policy::Key;
using Operator = Policy::Operator;
using Cidr = Policy::Cidr;

Status Invalid(std::string reason) { return Status(Code::kInvalidArgument, std::move(reason)); }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool EqualsFolded(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

// A string, or a non-empty array of strings; numbers and booleans are taken
// as their text, as IAM reads condition values.
Result<std::vector<std::string>> Strings(const boost::json::value& v, std::string_view what,
                                         bool scalars = false) {
  std::vector<std::string> out;
  auto one = [&](const boost::json::value& e) -> bool {
    if (e.is_string()) {
      out.emplace_back(e.get_string());
      return true;
    }
    if (!scalars) return false;
    if (e.is_bool()) {
      out.emplace_back(e.get_bool() ? "true" : "false");
      return true;
    }
    if (e.is_int64() || e.is_uint64()) {
      out.emplace_back(boost::json::serialize(e));
      return true;
    }
    return false;
  };
  if (v.is_array()) {
    for (const boost::json::value& e : v.get_array()) {
      if (!one(e)) return Invalid(std::string(what) + " must be a string or a list of strings");
    }
  } else if (!one(v)) {
    return Invalid(std::string(what) + " must be a string or a list of strings");
  }
  if (out.empty()) return Invalid(std::string(what) + " must not be an empty list");
  return out;
}

// arn:aws:iam::<account>:root, :user/..., :role/...; arn:aws:sts::<account>:assumed-role/...
std::optional<std::string_view> IamArnAccount(std::string_view arn) {
  for (std::string_view prefix : {"arn:aws:iam::", "arn:aws:sts::"}) {
    if (!arn.starts_with(prefix)) continue;
    std::string_view rest = arn.substr(prefix.size());
    if (rest.size() < 14 || rest[12] != ':' || !IsAccountId(rest.substr(0, 12))) return std::nullopt;
    std::string_view resource = rest.substr(13);
    if (resource.empty()) return std::nullopt;
    if (prefix == "arn:aws:iam::" &&
        !(resource == "root" || resource.starts_with("user/") || resource.starts_with("role/"))) {
      return std::nullopt;
    }
    if (prefix == "arn:aws:sts::" && !resource.starts_with("assumed-role/")) return std::nullopt;
    return rest.substr(0, 12);
  }
  return std::nullopt;
}

Result<Policy::Principals> ParsePrincipals(const boost::json::value& v) {
  Policy::Principals p;
  if (v.is_string()) {
    if (v.get_string() != "*") return Invalid("Invalid principal in policy");
    p.any = true;
    return p;
  }
  if (!v.is_object() || v.get_object().empty()) return Invalid("Invalid principal in policy");
  for (const auto& [name, value] : v.get_object()) {
    if (name == "AWS") {
      auto ids = Strings(value, "Principal AWS");
      if (!ids.ok()) return ids.status();
      for (std::string& id : *ids) {
        if (id == "*") {
          p.any = true;
        } else if (IsAccountId(id)) {
          p.accounts.push_back(std::move(id));
        } else if (auto account = IamArnAccount(id)) {
          if (id.ends_with(":root")) {
            p.accounts.emplace_back(*account);
          } else {
            p.arns.push_back(std::move(id));
          }
        } else {
          return Invalid("Invalid principal in policy: \"AWS\":\"" + id + "\"");
        }
      }
    } else if (name == "Service") {
      auto services = Strings(value, "Principal Service");
      if (!services.ok()) return services.status();
      for (std::string& s : *services) {
        if (s.empty()) return Invalid("Invalid principal in policy");
        p.services.push_back(Lowered(s));
      }
    } else {
      return Invalid("Unsupported principal type: " + std::string(name));
    }
  }
  return p;
}

Result<std::vector<std::string>> ParseActions(const boost::json::value& v, std::string_view service) {
  auto actions = Strings(v, "Action");
  if (!actions.ok()) return actions.status();
  for (std::string& a : *actions) {
    if (a != "*") {
      const size_t colon = a.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == a.size()) {
        return Invalid("Invalid action: " + a);
      }
      const std::string_view prefix = std::string_view(a).substr(0, colon);
      if (!service.empty() && !EqualsFolded(prefix, service) && prefix != "*") {
        return Invalid("Policy statement action out of service scope!");
      }
    }
    a = Lowered(a);
  }
  return actions;
}

Key KeyOf(std::string_view name) {
  if (EqualsFolded(name, "aws:SourceArn")) return Key::kSourceArn;
  if (EqualsFolded(name, "aws:SourceAccount")) return Key::kSourceAccount;
  if (EqualsFolded(name, "aws:SourceOwner")) return Key::kSourceOwner;
  if (EqualsFolded(name, "aws:SecureTransport")) return Key::kSecureTransport;
  if (EqualsFolded(name, "aws:SourceIp")) return Key::kSourceIp;
  return Key::kOther;
}

// An IPv4 or IPv6 address into 16 bytes (IPv4 in the first 4); an IPv6
// address that maps an IPv4 one is that IPv4 address.
bool ParseAddress(std::string_view text, bool* v6, std::array<uint8_t, 16>* bytes) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  bytes->fill(0);
  if (inet_pton(AF_INET, buf, bytes->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes->data()) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes->data(), kMapped, sizeof(kMapped)) == 0) {
    std::memmove(bytes->data(), bytes->data() + 12, 4);
    std::fill(bytes->begin() + 4, bytes->end(), 0);
    *v6 = false;
    return true;
  }
  *v6 = true;
  return true;
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  Cidr c;
  const size_t slash = text.find('/');
  if (!ParseAddress(text.substr(0, slash), &c.v6, &c.bytes)) return std::nullopt;
  const int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 3) return std::nullopt;
    int n = 0;
    for (char d : bits) {
      if (d < '0' || d > '9') return std::nullopt;
      n = n * 10 + (d - '0');
    }
    if (n > max) return std::nullopt;
    c.prefix = n;
  }
  return c;
}

bool InCidr(const Cidr& c, bool v6, const std::array<uint8_t, 16>& addr) {
  if (c.v6 != v6) return false;
  int bits = c.prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((c.bytes[i] & mask) != (addr[i] & mask)) return false;
  }
  return true;
}

Result<Condition> ParseCondition(std::string_view op_name, std::string_view key,
                                 const boost::json::value& value) {
  Condition c;
  std::string_view op = op_name;
  constexpr std::string_view kIfExists = "IfExists";
  if (op.size() > kIfExists.size() &&
      EqualsFolded(op.substr(op.size() - kIfExists.size()), kIfExists)) {
    c.if_exists = true;
    op.remove_suffix(kIfExists.size());
  }
  struct Known {
    std::string_view name;
    Operator op;
    bool negated;
  };
  static constexpr Known kKnown[] = {
      {"ArnEquals", Operator::kArnLike, false},        {"ArnLike", Operator::kArnLike, false},
      {"ArnNotEquals", Operator::kArnLike, true},      {"ArnNotLike", Operator::kArnLike, true},
      {"StringEquals", Operator::kStringEquals, false}, {"StringNotEquals", Operator::kStringEquals, true},
      {"StringLike", Operator::kStringLike, false},    {"StringNotLike", Operator::kStringLike, true},
      {"Bool", Operator::kBool, false},                {"IpAddress", Operator::kIpAddress, false},
      {"NotIpAddress", Operator::kIpAddress, true},
  };
  const Known* known = nullptr;
  for (const Known& k : kKnown) {
    if (EqualsFolded(op, k.name)) known = &k;
  }
  if (known == nullptr) return Invalid("Unsupported condition operator: " + std::string(op_name));
  c.op = known->op;
  c.negated = known->negated;
  c.key = KeyOf(key);
  auto values = Strings(value, "Condition value", true);
  if (!values.ok()) return values.status();
  c.values = std::move(*values);
  if (c.op == Operator::kBool) {
    for (std::string& v : c.values) {
      v = Lowered(v);
      if (v != "true" && v != "false") return Invalid("Invalid boolean value in condition: " + v);
    }
  }
  if (c.op == Operator::kIpAddress) {
    for (const std::string& v : c.values) {
      std::optional<Cidr> cidr = ParseCidr(v);
      if (!cidr) return Invalid("Invalid IP address in condition: " + v);
      c.cidrs.push_back(*cidr);
    }
  }
  return c;
}

Result<Statement> ParseStatement(const boost::json::value& v, std::string_view service) {
  if (!v.is_object()) return Invalid("Statement must be an object");
  const boost::json::object& o = v.get_object();
  Statement s;
  bool has_effect = false;
  const boost::json::value* principal = nullptr;
  const boost::json::value* action = nullptr;
  const boost::json::value* resource = nullptr;
  for (const auto& [name, value] : o) {
    if (name == "Sid") {
      if (!value.is_string()) return Invalid("Sid must be a string");
    } else if (name == "Effect") {
      if (!value.is_string() || (value.get_string() != "Allow" && value.get_string() != "Deny")) {
        return Invalid("Invalid effect: " + (value.is_string() ? std::string(value.get_string())
                                                               : boost::json::serialize(value)));
      }
      s.deny = value.get_string() == "Deny";
      has_effect = true;
    } else if (name == "Principal" || name == "NotPrincipal") {
      if (principal) return Invalid("Statement must not have both Principal and NotPrincipal");
      principal = &value;
      s.not_principal = name == "NotPrincipal";
    } else if (name == "Action" || name == "NotAction") {
      if (action) return Invalid("Statement must not have both Action and NotAction");
      action = &value;
      s.not_action = name == "NotAction";
    } else if (name == "Resource" || name == "NotResource") {
      if (resource) return Invalid("Statement must not have both Resource and NotResource");
      resource = &value;
      s.not_resource = name == "NotResource";
    } else if (name == "Condition") {
      if (!value.is_object()) return Invalid("Condition must be an object");
      for (const auto& [op, keys] : value.get_object()) {
        if (!keys.is_object() || keys.get_object().empty()) {
          return Invalid("Condition " + std::string(op) + " must be an object of keys");
        }
        for (const auto& [key, values] : keys.get_object()) {
          auto c = ParseCondition(op, key, values);
          if (!c.ok()) return c.status();
          s.conditions.push_back(std::move(*c));
        }
      }
    } else {
      return Invalid("Unknown field " + std::string(name));
    }
  }
  if (!has_effect) return Invalid("Missing required field Effect");
  if (!principal) return Invalid("Missing required field Principal");
  if (!action) return Invalid("Missing required field Action");
  auto principals = ParsePrincipals(*principal);
  if (!principals.ok()) return principals.status();
  s.principals = std::move(*principals);
  auto actions = ParseActions(*action, service);
  if (!actions.ok()) return actions.status();
  s.actions = std::move(*actions);
  if (resource) {
    auto resources = Strings(*resource, "Resource");
    if (!resources.ok()) return resources.status();
    s.resources = std::move(*resources);
    s.any_resource = false;
  }
  return s;
}

bool PrincipalMatches(const Policy::Principals& p, const PolicyCaller& c) {
  if (p.any) return true;
  if (!c.service.empty()) {
    return std::any_of(p.services.begin(), p.services.end(),
                       [&](const std::string& s) { return EqualsFolded(s, c.service); });
  }
  if (!c.account.empty() && std::find(p.accounts.begin(), p.accounts.end(), c.account) !=
                                p.accounts.end()) {
    return true;
  }
  if (c.arn.empty()) return false;
  for (const std::string& arn : p.arns) {
    if (arn == c.arn) return true;
    // A role (arn:aws:iam::<acct>:role/<path>/<name>) matches its sessions,
    // arn:aws:sts::<acct>:assumed-role/<name>/<session>.
    const size_t role = arn.find(":role/");
    if (role == std::string::npos) continue;
    const std::string_view account = std::string_view(arn).substr(13, 12);
    const std::string_view name = std::string_view(arn).substr(arn.rfind('/') + 1);
    constexpr std::string_view kSts = "arn:aws:sts::";
    std::string_view session = c.arn;
    if (!session.starts_with(kSts)) continue;
    session.remove_prefix(kSts.size());
    if (!session.starts_with(account)) continue;
    session.remove_prefix(account.size());
    constexpr std::string_view kAssumed = ":assumed-role/";
    if (!session.starts_with(kAssumed)) continue;
    session.remove_prefix(kAssumed.size());
    if (session.starts_with(name) && session.size() > name.size() && session[name.size()] == '/') {
      return true;
    }
  }
  return false;
}

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view text, bool fold) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return WildcardMatch(p, text, fold); });
}

bool ConditionHolds(const Condition& c, const PolicyContext& ctx) {
  std::string_view value;
  bool present = false;
  switch (c.key) {
    case Key::kSourceArn:
      value = ctx.source_arn;
      break;
    case Key::kSourceAccount:
      value = ctx.source_account;
      break;
    case Key::kSourceOwner:
      value = ctx.source_owner;
      break;
    case Key::kSourceIp:
      value = ctx.source_ip;
      break;
    case Key::kSecureTransport:
      if (ctx.secure_transport) value = *ctx.secure_transport ? "true" : "false";
      break;
    case Key::kOther:
      break;
  }
  present = !value.empty();
  if (!present) return c.if_exists || c.negated;
  bool any = false;
  switch (c.op) {
    case Operator::kArnLike:
    case Operator::kStringLike:
      any = AnyMatches(c.values, value, false);
      break;
    case Operator::kStringEquals:
      any = std::find(c.values.begin(), c.values.end(), value) != c.values.end();
      break;
    case Operator::kBool:
      any = std::any_of(c.values.begin(), c.values.end(),
                        [&](const std::string& v) { return EqualsFolded(v, value); });
      break;
    case Operator::kIpAddress: {
      bool v6 = false;
      std::array<uint8_t, 16> addr{};
      if (ParseAddress(value, &v6, &addr)) {
        any = std::any_of(c.cidrs.begin(), c.cidrs.end(),
                          [&](const Cidr& cidr) { return InCidr(cidr, v6, addr); });
      }
      break;
    }
  }
  return c.negated ? !any : any;
}

bool Applies(const Statement& s, const PolicyRequest& r) {
  if (PrincipalMatches(s.principals, r.caller) == s.not_principal) return false;
  if (AnyMatches(s.actions, r.action, true) == s.not_action) return false;
  if (!s.any_resource && AnyMatches(s.resources, r.resource, false) == s.not_resource) return false;
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const Condition& c) { return ConditionHolds(c, r.context); });
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text, bool fold_case) {
  auto same = [fold_case](char p, char t) { return fold_case ? Lower(p) == Lower(t) : p == t; };
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<Policy> ParsePolicy(std::string_view json, std::string_view service) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;
  boost::json::value doc = boost::json::parse(json, ec, {}, options);
  if (ec) return Invalid("The policy is not valid JSON");
  if (!doc.is_object()) return Invalid("The policy must be a JSON object");
  Policy policy;
  const boost::json::value* statements = nullptr;
  for (const auto& [name, value] : doc.get_object()) {
    if (name == "Version") {
      if (!value.is_string() ||
          (value.get_string() != "2008-10-17" && value.get_string() != "2012-10-17")) {
        return Invalid("Invalid policy version");
      }
    } else if (name == "Id") {
      if (!value.is_string()) return Invalid("Id must be a string");
    } else if (name == "Statement") {
      statements = &value;
    } else {
      return Invalid("Unknown field " + std::string(name));
    }
  }
  if (statements == nullptr) return Invalid("Missing required field Statement");
  if (statements->is_array()) {
    // No statements: a policy that grants nothing.
    for (const boost::json::value& s : statements->get_array()) {
      auto parsed = ParseStatement(s, service);
      if (!parsed.ok()) return parsed.status();
      policy.statements_.push_back(std::move(*parsed));
    }
  } else {
    auto parsed = ParseStatement(*statements, service);
    if (!parsed.ok()) return parsed.status();
    policy.statements_.push_back(std::move(*parsed));
  }
  return policy;
}

Decision Policy::Evaluate(const PolicyRequest& request) const {
  Decision decision = Decision::kNotAllowed;
  for (const Statement& s : statements_) {
    if (!Applies(s, request)) continue;
    if (s.deny) return Decision::kDeny;
    decision = Decision::kAllow;
  }
  return decision;
}

bool IsAllowed(const Policy* policy, const PolicyRequest& request, std::string_view owner_account) {
  const Decision d = policy != nullptr ? policy->Evaluate(request) : Decision::kNotAllowed;
  if (d != Decision::kNotAllowed) return d == Decision::kAllow;
  if (owner_account.empty()) return false;
  return request.caller.service.empty() ? request.caller.account == owner_account
                                        : request.context.source_account == owner_account;
}

}  // namespace ferry::auth
