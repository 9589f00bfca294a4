#include "federation/http_message.h"

namespace federation {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string HttpHeaders::Get(std::string_view name) const {
  std::string key = AsciiLower(name);
  for (const auto& [k, v] : items)
    if (k == key) return v;
  return "";
}

bool HttpHeaders::Has(std::string_view name) const {
  std::string key = AsciiLower(name);
  for (const auto& [k, v] : items)
    if (k == key) return true;
  return false;
}

std::string HttpHeaders::Combined(std::string_view name) const {
  std::string key = AsciiLower(name), out;
  bool first = true;
  for (const auto& [k, v] : items) {
    if (k != key) continue;
    if (!first) out += ", ";
    out += v;
    first = false;
  }
  return out;
}

void HttpHeaders::Set(std::string_view name, std::string value) {
  Remove(name);
  items.emplace_back(AsciiLower(name), std::move(value));
}

void HttpHeaders::Add(std::string_view name, std::string value) {
  items.emplace_back(AsciiLower(name), std::move(value));
}

void HttpHeaders::Remove(std::string_view name) {
  std::string key = AsciiLower(name);
  std::erase_if(items, [&](const auto& kv) { return kv.first == key; });
}

std::string HttpRequest::Path() const {
  auto q = target.find('?');
  return q == std::string::npos ? target : target.substr(0, q);
}

std::string HttpRequest::Query() const {
  auto q = target.find('?');
  return q == std::string::npos ? "" : target.substr(q + 1);
}

}  // namespace federation
