// Test helpers for the specification vectors under tests/fixtures/vectors (see SOURCE.md there):
// reading files, JSON and keys, and turning the printed HTTP messages into plain structs.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "federation/crypto.h"
#include "federation/http_message.h"
#include "tests/test_util.h"

namespace vectors {

inline std::string Read(const std::string& relative) {
  return testutil::ReadFile(testutil::Fixture("vectors/" + relative));
}

inline rapidjson::Document Json(const std::string& relative) {
  rapidjson::Document doc;
  doc.Parse(Read(relative).c_str());
  EXPECT_FALSE(doc.HasParseError()) << relative;
  return doc;
}

inline federation::PublicKey PublicKey(const std::string& name) {
  auto key = federation::PublicKey::FromPem(Read("keys/" + name + ".pub.pem"));
  if (!key.ok()) ADD_FAILURE() << name << ": " << key.status().ToString();
  return std::move(key).value();
}

inline federation::PrivateKey PrivateKey(const std::string& name) {
  auto key = federation::PrivateKey::FromPem(Read("keys/" + name + ".key.pem"));
  if (!key.ok()) ADD_FAILURE() << name << ": " << key.status().ToString();
  return std::move(key).value();
}

inline federation::HttpHeaders ParseHeaderLines(std::string_view block) {
  federation::HttpHeaders headers;
  while (!block.empty()) {
    size_t nl = block.find('\n');
    std::string_view line = block.substr(0, nl);
    block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.Add(line.substr(0, colon), std::string(value));
  }
  return headers;
}

// "POST /foo?x HTTP/1.1\nHost: example.com\n...\n\nbody" -> request with authority = Host.
inline federation::HttpRequest ParseRequest(std::string_view printed) {
  federation::HttpRequest request;
  size_t blank = printed.find("\n\n");
  std::string_view head = printed.substr(0, blank);
  if (blank != std::string_view::npos) request.body = std::string(printed.substr(blank + 2));
  size_t nl = head.find('\n');
  std::string_view start = head.substr(0, nl);
  size_t sp1 = start.find(' ');
  size_t sp2 = start.find(' ', sp1 + 1);
  request.method = std::string(start.substr(0, sp1));
  request.target = std::string(start.substr(sp1 + 1, sp2 - sp1 - 1));
  request.headers = ParseHeaderLines(nl == std::string_view::npos ? "" : head.substr(nl + 1));
  request.scheme = "https";
  request.authority = request.headers.Get("host");
  return request;
}

// "HTTP/1.1 200 OK\nDate: ...\n\nbody" -> response.
inline federation::HttpResponse ParseResponse(std::string_view printed) {
  federation::HttpResponse response;
  size_t blank = printed.find("\n\n");
  std::string_view head = printed.substr(0, blank);
  if (blank != std::string_view::npos) response.body = std::string(printed.substr(blank + 2));
  size_t nl = head.find('\n');
  response.status = std::stoi(std::string(head.substr(9, 3)));
  response.headers = ParseHeaderLines(nl == std::string_view::npos ? "" : head.substr(nl + 1));
  return response;
}

inline std::string Decode(std::string_view b64) {
  auto bytes = federation::Base64Decode(b64);
  EXPECT_TRUE(bytes.ok()) << b64;
  return bytes.ok() ? *bytes : std::string();
}

}  // namespace vectors
