#include "federation/signature_base.h"

#include <algorithm>

#include "federation/structured_fields.h"

namespace federation {

namespace {

cs::Status Missing(std::string what) { return cs::Status::Unauthorized(std::move(what)); }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// The value of a header field as both schemes sign it: every field line trimmed, joined by
// ", ". `host` is the request's public authority when it is known (BR-03).
cs::Result<std::string> FieldValue(const HttpRequest* request, const HttpHeaders& headers,
                                   std::string_view name) {
  if (name == "host" && request != nullptr && !request->authority.empty())
    return NormalizedAuthority(request->scheme, request->authority);
  std::string out;
  bool found = false;
  for (const auto& [key, value] : headers.items) {
    if (key != name) continue;
    if (found) out += ", ";
    out += TrimOws(value);
    found = true;
  }
  if (!found) return Missing("signed header field '" + std::string(name) + "' is not present");
  if (HasLineBreak(out)) return Missing("header field '" + std::string(name) + "' has a line break");
  return out;
}

bool IsUnreservedForForm(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' ||
         c == '-' || c == '.' || c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded parsing of one name or value (WHATWG URL section 5.1).
std::string FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Percent-encoding with the application/x-www-form-urlencoded percent-encode set, spaces as
// %20, as RFC 9421 section 2.2.8 re-encodes query parameter names and values.
std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreservedForForm(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// RFC 9421 section 2.2.8: the single value of the query parameter whose encoded name is
// `encoded_name`. Absent or repeated -> error.
cs::Result<std::string> QueryParamValue(std::string_view query, std::string_view encoded_name) {
  std::string value;
  int count = 0;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (FormEncode(FormDecode(name)) != encoded_name) continue;
    value = FormEncode(FormDecode(raw));
    ++count;
  }
  if (count == 0) return Missing("query parameter '" + std::string(encoded_name) + "' is not present");
  if (count > 1) return Missing("query parameter '" + std::string(encoded_name) + "' is repeated");
  return value;
}

struct ComponentId {
  std::string name;
  SfParameters params;
};

cs::Result<ComponentId> ParseComponentId(std::string_view text) {
  size_t semi = text.find(';');
  std::string_view name = text.substr(0, semi);
  if (!IsComponentName(name))
    return Missing("bad component identifier '" + std::string(text) + "'");
  auto params = ParseSfParameters(semi == std::string_view::npos ? "" : text.substr(semi));
  if (!params.ok()) return Missing("bad component parameters in '" + std::string(text) + "'");
  return ComponentId{std::string(name), std::move(*params)};
}

// A request or a response, whichever the signature base is built for.
struct MessageView {
  const HttpRequest* request = nullptr;
  const HttpResponse* response = nullptr;
  const HttpHeaders& headers() const { return request ? request->headers : response->headers; }
};

cs::Result<std::string> DerivedValue(const MessageView& message, const ComponentId& id) {
  if (id.name == "@status") {
    if (!message.response) return Missing("@status is only defined for responses");
    return std::to_string(message.response->status);
  }
  const HttpRequest* r = message.request;
  if (!r) return Missing(id.name + " is not defined for responses");
  if (id.name == "@method") {
    if (r->method.empty()) return Missing("request method unknown");
    return r->method;
  }
  if (id.name == "@authority" || id.name == "@target-uri") {
    if (r->authority.empty()) return Missing("request authority unknown");
    std::string authority = NormalizedAuthority(r->scheme, r->authority);
    if (id.name == "@authority") return authority;
    if (r->scheme.empty()) return Missing("request scheme unknown");
    std::string uri = AsciiLower(r->scheme);
    uri += "://";
    uri += authority;
    uri += r->target;
    return uri;
  }
  if (id.name == "@scheme") {
    if (r->scheme.empty()) return Missing("request scheme unknown");
    return AsciiLower(r->scheme);
  }
  if (id.name == "@request-target") return r->target;
  if (id.name == "@path") {
    std::string path = r->Path();
    return path.empty() ? std::string("/") : path;
  }
  if (id.name == "@query") return std::string(1, '?').append(r->Query());
  if (id.name == "@query-param") {
    const SfBareItem* name = FindSfParameter(id.params, "name");
    if (!name || name->type != SfBareItem::Type::kString)
      return Missing("@query-param needs a name parameter");
    return QueryParamValue(r->Query(), name->text);
  }
  return Missing("unsupported derived component " + id.name);
}

cs::Result<std::string> ComponentValue(const MessageView& message, const ComponentId& id) {
  for (const auto& [key, value] : id.params) {
    if (!(id.name == "@query-param" && key == "name"))
      return Missing("unsupported component parameter '" + key + "' on " + id.name);
  }
  auto value = id.name[0] == '@' ? DerivedValue(message, id)
                                 : FieldValue(message.request, message.headers(), id.name);
  if (value.ok() && HasLineBreak(*value)) return Missing(id.name + " value has a line break");
  return value;
}

cs::Result<std::string> BuildSignatureBase(const MessageView& message,
                                           const std::vector<std::string>& components,
                                           std::string_view signature_params) {
  if (HasLineBreak(signature_params)) return Missing("signature parameters have a line break");
  std::string base;
  std::vector<std::string> seen;
  for (const std::string& text : components) {
    auto id = ParseComponentId(text);
    if (!id.ok()) return id.status();
    if (id->name == "@signature-params") return Missing("@signature-params listed as covered");
    std::string serialized = "\"" + id->name + "\"" + SerializeSfParameters(id->params);
    if (std::find(seen.begin(), seen.end(), serialized) != seen.end())
      return Missing("component " + serialized + " listed twice");
    auto value = ComponentValue(message, *id);
    if (!value.ok()) return value.status();
    base += serialized + ": " + *value + "\n";
    seen.push_back(std::move(serialized));
  }
  base += "\"@signature-params\": ";
  base += signature_params;
  return base;
}

}  // namespace

bool IsComponentName(std::string_view name) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("@!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  };
  return !name.empty() && std::all_of(name.begin(), name.end(), allowed);
}

std::string NormalizedAuthority(std::string_view scheme, std::string_view authority) {
  std::string out = AsciiLower(authority);
  std::string lower_scheme = AsciiLower(scheme);
  std::string_view default_port = lower_scheme == "https" ? ":443"
                                  : lower_scheme == "http" ? ":80"
                                                           : "";
  if (!default_port.empty() && out.size() > default_port.size() && out.ends_with(default_port))
    return out.substr(0, out.size() - default_port.size());
  return out;
}

cs::Result<std::string> CavageSigningString(const HttpRequest& request,
                                            const std::vector<std::string>& headers,
                                            int64_t created, int64_t expires) {
  if (headers.empty()) return Missing("no headers to sign");
  std::string out;
  for (const std::string& header : headers) {
    std::string name = AsciiLower(header);
    std::string value;
    if (name == "(request-target)") {
      if (request.method.empty() || request.target.empty()) return Missing("request target unknown");
      value = AsciiLower(request.method) + " " + request.target;
    } else if (name == "(created)" || name == "(expires)") {
      int64_t v = name == "(created)" ? created : expires;
      if (v < 0) return Missing(name + " is signed but has no value");
      value = std::to_string(v);
    } else {
      auto field = FieldValue(&request, request.headers, name);
      if (!field.ok()) return field.status();
      value = std::move(*field);
    }
    if (!out.empty()) out += '\n';
    out += name + ": " + value;
  }
  if (HasLineBreak(request.target)) return Missing("request target has a line break");
  return out;
}

cs::Result<std::string> CavageSigningString(const HttpRequest& request,
                                            const std::vector<std::string>& headers) {
  return CavageSigningString(request, headers, -1, -1);
}

cs::Result<std::string> Rfc9421SignatureBase(const HttpRequest& request,
                                             const std::vector<std::string>& components,
                                             std::string_view signature_params) {
  return BuildSignatureBase(MessageView{&request, nullptr}, components, signature_params);
}

cs::Result<std::string> Rfc9421SignatureBase(const HttpResponse& response,
                                             const std::vector<std::string>& components,
                                             std::string_view signature_params) {
  return BuildSignatureBase(MessageView{nullptr, &response}, components, signature_params);
}

}  // namespace federation
