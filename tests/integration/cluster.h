// A small harness for multi-node integration tests: real `cloudschool` processes on 127.0.0.1,
// each with its own data directory and a port chosen at run time, serving HTTPS with a
// certificate from a CA the test makes (tests/tls_test_util.h). Commands run as child processes
// of the test, exactly as an admin would run them. Nothing is faked.
//
//   Cluster cluster;                         // CA + one server certificate for 127.0.0.1
//   TestNode& a = cluster.AddNode("a");      // init + serve, ready when NodeInfo answers
//   ASSERT_EQ(a.Run({"user", "add", "ann"}).exit_code, 0);
//   ASSERT_TRUE(WaitFor([&] { return ...; }, 10s)) << "what we waited for";
//
// Ownership: a Cluster owns its nodes and its temporary directory; a TestNode owns its serving
// child. Every child is killed (SIGKILL) when its TestNode is destroyed, also when a test fails,
// and dies with the test process (PR_SET_PDEATHSIG) if the test binary crashes. Not thread-safe:
// one test thread drives a cluster. Header-only because the integration binary compiles only
// *_test.cc files and tests/test_util.cc.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "federation/crypto.h"
#include "federation/http_message.h"
#include "federation/http_signature.h"
#include "store/lmdb_store.h"
#include "store/records.h"
#include "tests/test_util.h"
#include "tests/tls_test_util.h"

namespace integ {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Processes

struct RunResult {
  int exit_code = -1;  // the command's exit status; -1 when killed by a signal or not started
  std::string out, err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `argv` with stdin from /dev/null and stdout/stderr appended to the given files. The
// child gets SIGKILL when the test process dies. Returns the pid, or -1.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_file,
                   const std::string& err_file) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  int in = open("/dev/null", O_RDONLY);
  int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (in < 0 || out < 0 || err < 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  // Children of the test run in their own process group: a Ctrl-C on the test reaches them
  // through PDEATHSIG, and a SIGTERM we send reaches only them.
  setpgid(0, 0);
  execv(args[0], args.data());
  _exit(127);
}

// Waits for `pid` up to `timeout`; SIGKILLs it after that. Returns the exit code (-1 if signalled).
inline int WaitChild(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  int status = 0;
  auto pause = 1ms;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return -1;
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "child " << pid << " did not finish within " << timeout.count()
                    << " ms; killed";
      return -1;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Command output without its trailing newline (and spaces).
inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Polls `pred` every 50 ms until it is true or `timeout` passes. True when it became true.
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 15s) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

// A port that was free a moment ago (bind to 0, read it, close). Callers retry on a clash.
inline uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// A socket listening on 127.0.0.1:port that never accepts: the kernel completes TCP handshakes,
// nobody ever answers (a TLS client waits until its connect timeout). Closed on destruction.
class BlackHole {
 public:
  explicit BlackHole(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 128) == 0;
  }
  ~BlackHole() {
    if (fd_ >= 0) close(fd_);
  }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  bool ok() const { return ok_; }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP (libcurl, straight: the product's own client is not used to test the product)

struct HttpResult {
  long status = 0;                             // 0 when no HTTP answer came
  std::string error;                           // curl's message when status == 0
  std::map<std::string, std::string> headers;  // lower-cased names, last value wins
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  int64_t declared_length = -1;  // POST: announce this Content-Length instead of body.size()
};

namespace detail {
inline size_t CollectBody(char* p, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(p, size * n);
  return size * n;
}
inline size_t CollectHeader(char* p, size_t size, size_t n, void* user) {
  std::string line(p, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = federation::AsciiLower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}
// Feeds `remaining` zero bytes (a declared body we never really mean to send in full).
inline size_t ZeroBody(char* p, size_t size, size_t n, void* user) {
  auto* remaining = static_cast<int64_t*>(user);
  size_t k = std::min<int64_t>(*remaining, static_cast<int64_t>(size * n));
  std::memset(p, 'x', k);
  *remaining -= static_cast<int64_t>(k);
  return k;
}
}  // namespace detail

inline HttpResult Http(const HttpCall& call, const std::string& ca_file) {
  HttpResult result;
  CURL* c = curl_easy_init();
  if (!c) {
    result.error = "curl_easy_init failed";
    return result;
  }
  curl_slist* list = nullptr;
  for (const auto& h : call.headers) list = curl_slist_append(list, h.c_str());
  int64_t remaining = call.declared_length;
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, detail::CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, detail::CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &result.headers);
  if (call.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    if (call.declared_length >= 0) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(call.declared_length));
      curl_easy_setopt(c, CURLOPT_READFUNCTION, detail::ZeroBody);
      curl_easy_setopt(c, CURLOPT_READDATA, &remaining);
    } else {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    }
  } else if (call.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  if (rc != CURLE_OK && result.status == 0) result.error = curl_easy_strerror(rc);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return result;
}

// ---------------------------------------------------------------------------------------------
// JSON of `--json` output and of served documents

inline std::unique_ptr<rapidjson::Document> ParseJson(const std::string& text) {
  auto doc = std::make_unique<rapidjson::Document>();
  doc->Parse(text.c_str(), text.size());
  if (doc->HasParseError()) {
    ADD_FAILURE() << "not JSON: " << text.substr(0, 500);
    doc->SetNull();
  }
  return doc;
}

// obj[key] as a string; "" when absent, null or not a string.
inline std::string Str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// obj[key] as an unsigned number; 0 when absent or not one.
inline uint64_t Uint(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return 0;
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

inline bool IsNull(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return true;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() || it->value.IsNull();
}

// The element of array `arr` whose `key` equals `value`, or nullptr.
inline const rapidjson::Value* FindBy(const rapidjson::Value& arr, const char* key,
                                      const std::string& value) {
  if (!arr.IsArray()) return nullptr;
  for (const auto& el : arr.GetArray())
    if (Str(el, key) == value) return &el;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Nodes

class TestNode {
 public:
  TestNode(std::string name, std::string dir, std::string log_dir, std::string ca_file,
           testutil::TestCert cert)
      : name_(std::move(name)),
        dir_(std::move(dir)),
        log_dir_(std::move(log_dir)),
        ca_file_(std::move(ca_file)),
        cert_(std::move(cert)) {
    std::filesystem::create_directories(log_dir_);
  }
  ~TestNode() { Kill9(); }
  TestNode(const TestNode&) = delete;
  TestNode& operator=(const TestNode&) = delete;

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  uint16_t port() const { return port_; }
  std::string domain() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string origin() const { return "https://" + domain(); }
  std::string ActorId(const std::string& user) const { return origin() + "/users/" + user; }
  std::string Handle(const std::string& user) const { return user + "@" + domain(); }
  const std::string& ca_file() const { return ca_file_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void SetPort(uint16_t port) { port_ = port; }

  // `cloudschool init` for 127.0.0.1:port, HTTPS, loopback allowed, trusting the test CA; then
  // appends `extra_toml` (config keys) to cloudschool.toml.
  ::testing::AssertionResult Init(uint16_t port, const std::string& extra_toml = "") {
    port_ = port;
    RunResult r = Run(
        {"init", "--domain", domain(), "--allow-addresses", "127.0.0.0/8", "--ca-file", ca_file_});
    if (r.exit_code != 0) return ::testing::AssertionFailure() << "init " << name_ << ": " << r.err;
    if (!extra_toml.empty()) {
      std::ofstream toml(dir_ + "/cloudschool.toml", std::ios::app);
      toml << "\n" << extra_toml << "\n";
    }
    return ::testing::AssertionSuccess();
  }

  // Starts `serve` on the node's port and waits until NodeInfo answers over HTTPS. Fails when the
  // process exits first (its stderr is in the message) or it is not up within `timeout`.
  ::testing::AssertionResult Start(std::chrono::milliseconds timeout = 20s) {
    if (running()) return ::testing::AssertionFailure() << name_ << " already runs";
    ++starts_;
    serve_out_ = log_dir_ + "/serve-" + std::to_string(starts_) + ".out";
    serve_err_ = log_dir_ + "/serve-" + std::to_string(starts_) + ".err";
    pid_ =
        Spawn({CS_BINARY, "--data", dir_, "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
               "--tls-cert", cert_.cert_file, "--tls-key", cert_.key_file},
              serve_out_, serve_err_);
    if (pid_ <= 0) return ::testing::AssertionFailure() << "cannot start serve for " << name_;
    auto deadline = Clock::now() + timeout;
    while (true) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure()
               << "serve " << name_ << " exited: " << Slurp(serve_err_);
      }
      HttpResult r = Http({.url = origin() + "/.well-known/nodeinfo"}, ca_file_);
      if (r.status == 200) return ::testing::AssertionSuccess();
      if (Clock::now() > deadline) {
        Kill9();
        return ::testing::AssertionFailure() << "serve " << name_ << " not answering: " << r.error;
      }
      std::this_thread::sleep_for(50ms);
    }
  }

  // Start, retrying while the port is taken by someone else (a restart on the node's own port).
  ::testing::AssertionResult Restart(std::chrono::milliseconds timeout = 20s) {
    auto deadline = Clock::now() + timeout;
    while (true) {
      auto r = Start(timeout);
      if (r || Clock::now() > deadline || !PortClash()) return r;
      std::this_thread::sleep_for(200ms);
    }
  }

  // True when the last serve failed because the address was in use.
  bool PortClash() const { return Slurp(serve_err_).find("in use") != std::string::npos; }

  // SIGTERM and wait (the node finishes requests in flight).
  ::testing::AssertionResult Stop() {
    if (!running()) return ::testing::AssertionSuccess();
    kill(pid_, SIGTERM);
    int code = WaitChild(pid_, 30s);
    pid_ = -1;
    if (code != 0)
      return ::testing::AssertionFailure() << "serve " << name_ << " exited with " << code;
    return ::testing::AssertionSuccess();
  }

  // SIGKILL and reap: a crash.
  void Kill9() {
    if (!running()) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // Runs `cloudschool --data DIR args...` and waits for it.
  RunResult Run(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s) {
    ++runs_;
    std::string out = log_dir_ + "/cmd-" + std::to_string(runs_) + ".out";
    std::string err = log_dir_ + "/cmd-" + std::to_string(runs_) + ".err";
    std::vector<std::string> argv = {CS_BINARY, "--data", dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r;
    pid_t pid = Spawn(argv, out, err);
    if (pid > 0) r.exit_code = WaitChild(pid, timeout);
    r.out = Slurp(out);
    r.err = Slurp(err);
    std::error_code ec;
    std::filesystem::remove(out, ec);
    std::filesystem::remove(err, ec);
    return r;
  }

  // Runs a command with --json and parses its output (a failed test and a Null document when
  // the command fails or prints no JSON).
  std::unique_ptr<rapidjson::Document> Json(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.push_back("--json");
    RunResult r = Run(a);
    if (r.exit_code != 0) {
      ADD_FAILURE() << name_ << ": cloudschool " << ::testing::PrintToString(args) << " exited "
                    << r.exit_code << ": " << r.err;
      auto doc = std::make_unique<rapidjson::Document>();
      doc->SetNull();
      return doc;
    }
    return ParseJson(r.out);
  }

  std::unique_ptr<rapidjson::Document> Timeline(const std::string& user, int limit = 100) {
    return Json({"timeline", "--as", user, "--limit", std::to_string(limit)});
  }
  // The state ("accepted", "pending") of `user`'s follower/followee `actor`; "" when not listed.
  std::string FollowState(const std::string& user, const std::string& actor, bool followers) {
    auto list = Json({followers ? "followers" : "following", "--as", user});
    const rapidjson::Value* f = FindBy(*list, "actor", actor);
    return f ? Str(*f, "state") : "";
  }
  // Whether `user`'s home timeline lists the object `id`.
  bool TimelineHas(const std::string& user, const std::string& id) {
    auto tl = Timeline(user);
    return FindBy(*tl, "id", id) != nullptr;
  }

  // Reads a value from the node's LMDB (safe while the node serves: LMDB is multi-process).
  cs::Result<std::string> ReadStore(store::Db db, const std::string& key) const {
    auto s = store::Store::Open(dir_);
    if (!s.ok()) return s.status();
    auto txn = (*s)->BeginRead();
    if (!txn.ok()) return txn.status();
    return txn->Get(db, key);
  }

  // The private key of a local actor, from the node's store.
  cs::Result<federation::PrivateKey> PrivateKeyOf(const std::string& actor_id) const {
    auto pem = ReadStore(store::Db::kPrivateKeys, actor_id);
    if (!pem.ok()) return pem.status();
    return federation::PrivateKey::FromPem(*pem);
  }

  // The serve logs (all starts), for a failed test's output.
  std::string ServeLogs() const {
    std::string all;
    for (int i = 1; i <= starts_; ++i) {
      std::string err = Slurp(log_dir_ + "/serve-" + std::to_string(i) + ".err");
      if (err.size() > 4000) err = "..." + err.substr(err.size() - 4000);
      all += "---- " + name_ + " serve #" + std::to_string(i) + " stderr\n" + err;
    }
    return all;
  }

 private:
  std::string name_, dir_, log_dir_, ca_file_;
  testutil::TestCert cert_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int starts_ = 0, runs_ = 0;
  std::string serve_out_, serve_err_;
};

// The content of `id` on `user`'s home timeline on `node`, "" when it is not there.
inline std::string ContentOn(TestNode& node, const std::string& user, const std::string& id) {
  auto tl = node.Timeline(user);
  const rapidjson::Value* item = FindBy(*tl, "id", id);
  return item ? Str(*item, "content") : "";
}

// Signs `call` (method, url, body set) with draft-cavage as the given key, the way a node does
// (federation::SignCavage over the request as it will be sent), and adds the headers to the call.
inline ::testing::AssertionResult SignCall(HttpCall& call, const std::string& key_id,
                                           const federation::PrivateKey& key,
                                           int64_t now = static_cast<int64_t>(std::time(nullptr))) {
  federation::HttpRequest req;
  req.method = call.method;
  std::string url = call.url;
  auto scheme_end = url.find("://");
  auto path_start = url.find('/', scheme_end + 3);
  req.scheme = url.substr(0, scheme_end);
  req.authority = url.substr(scheme_end + 3, path_start - scheme_end - 3);
  req.target = url.substr(path_start);
  req.body = call.body;
  for (const auto& h : call.headers) {
    auto colon = h.find(':');
    req.headers.Add(h.substr(0, colon), h.substr(h.find_first_not_of(' ', colon + 1)));
  }
  cs::Status st = federation::SignCavage(req, key_id, key, now);
  if (!st.ok()) return ::testing::AssertionFailure() << st.ToString();
  call.headers.clear();
  for (const auto& [name, value] : req.headers.items) call.headers.push_back(name + ": " + value);
  return ::testing::AssertionSuccess();
}

// A CA, a certificate for 127.0.0.1 that every node serves, and the nodes.
class Cluster {
 public:
  Cluster() {
    auto ca = testutil::MakeCa(root_.str());
    if (!ca.ok()) {
      ADD_FAILURE() << ca.status().ToString();
      return;
    }
    ca_ = *ca;
    auto cert = testutil::MakeServerCert(ca_, root_.str(), {"127.0.0.1", "localhost"});
    if (!cert.ok())
      ADD_FAILURE() << cert.status().ToString();
    else
      cert_ = *cert;
  }
  ~Cluster() {
    if (::testing::Test::HasFailure())
      for (const auto& n : nodes_) std::fprintf(stderr, "%s\n", n->ServeLogs().c_str());
    for (auto& n : nodes_) n->Kill9();
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::string& ca_file() const { return ca_.cert_file; }
  std::string root() const { return root_.str(); }

  // A new node: init on a free port and serve; another port is tried when the first one turns
  // out to be taken. `users` are added. `extra_toml` goes into its cloudschool.toml.
  TestNode& AddNode(const std::string& name, const std::vector<std::string>& users = {},
                    const std::string& extra_toml = "") {
    for (int attempt = 0;; ++attempt) {
      std::string dir = root_.str() + "/" + name + (attempt ? "-" + std::to_string(attempt) : "");
      auto node = std::make_unique<TestNode>(name, dir, dir + "-logs", ca_.cert_file, cert_);
      auto init = node->Init(FreePort(), extra_toml);
      EXPECT_TRUE(init);
      auto started = node->Start();
      if (!started && node->PortClash() && attempt < 5) continue;
      EXPECT_TRUE(started);
      for (const auto& u : users) {
        RunResult r = node->Run({"user", "add", u});
        EXPECT_EQ(r.exit_code, 0) << r.err;
      }
      nodes_.push_back(std::move(node));
      return *nodes_.back();
    }
  }

  // A node whose data directory is `dir` (e.g. a backup), served on `port`.
  TestNode& AdoptNode(const std::string& name, const std::string& dir, uint16_t port) {
    auto node = std::make_unique<TestNode>(name, dir, dir + "-logs", ca_.cert_file, cert_);
    node->SetPort(port);
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }

  HttpResult Get(const std::string& url, std::vector<std::string> headers = {}) const {
    return Http({.method = "GET", .url = url, .headers = std::move(headers)}, ca_.cert_file);
  }

 private:
  testutil::TempDir root_;
  testutil::TestCa ca_;
  testutil::TestCert cert_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

}  // namespace integ
