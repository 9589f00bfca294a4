// cloudschool_bench: the figures of docs/performance.md, one "name value unit" line each on
// stdout (progress and details on stderr). `make bench` runs it; it takes 20-40 s.
//
//   openssl_rsa2048_{sign,verify}_per_s      EVP RSA-2048 PKCS#1 v1.5 SHA-256, one thread, ~1 s
//                                            each (also per CPU second: *_per_cpu_s)
//   ingest_activities_per_s                  signed Create(Note)s POSTed over loopback HTTP to a
//                                            real `cloudschool serve` process, each answered 202
//                                            after its LMDB commit (+ latency, CPU per activity)
//   ingest_pipeline_activities_per_s         the same requests handed to federation::Inbox::Handle
//                                            in-process
//   fanout_deliveries_per_s                  one post to 2,000 followers on 2,000 distinct hosts
//                                            (127.10.x.y), signed and sent by the real
//                                            DeliveryWorker + HttpClient to a local sink answering
//                                            202, until every outcome is recorded (median of 3)
//   idle_rss_mib / load_rss_mib              VmRSS of the serve process after startup / its peak
//                                            during the HTTP ingest
//   other_processes_cores_while_timing       what the rest of the (shared) machine used meanwhile
//
//   community_fanout_requests_per_s          one post into a local community with 5,000 remote
//   community_members_reached_per_s          members on 1,000 hosts (127.10.x.y, shared inboxes):
//   community_first_delivery_ms              a member's signed Create through Inbox::Handle, the
//                                            group's check and Announce, 1,000 signed requests by
//                                            the real DeliveryWorker to the sink; rate to the
//                                            last 202, time to the first request (median of 3)
//
// Usage: cloudschool_bench [--quick] [--only openssl|http|pipeline|fanout|community]
//                          [--binary PATH]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "federation/crypto.h"
#include "federation/delivery_worker.h"
#include "federation/documents.h"
#include "federation/group.h"
#include "federation/http_signature.h"
#include "federation/inbox.h"
#include "federation/json.h"
#include "node/config.h"
#include "node/node.h"
#include "store/clock.h"
#include "store/community.h"
#include "store/records.h"

#ifndef CS_BINARY
#define CS_BINARY "build/cloudschool"
#endif

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void Progress(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Progress(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("bench: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

void Emit(const char* name, double value, const char* unit) {
  std::printf("%s %.1f %s\n", name, value, unit);
  std::fflush(stdout);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench: FAILED: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(cs::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}
void Must(const cs::Status& st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.ToString());
}

// A fresh directory under /tmp (same disk as the build: ext4 here, so fsync is real), removed
// at exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cs-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

// Runs `fn(i)` for i in [0, n) on `threads` threads.
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    });
  for (auto& th : pool) th.join();
}

// ---- OpenSSL reference rates ----

double ThreadCpuSeconds(clockid_t clock = CLOCK_THREAD_CPUTIME_ID) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void MeasureOpenSsl() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) Die("EVP_RSA_gen");
  // About the size of a draft-cavage signing string.
  std::string data(220, 'x');
  unsigned char sig[512];
  size_t sig_len = sizeof sig;
  auto sign_once = [&] {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    sig_len = sizeof sig;
    if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
        EVP_DigestSign(ctx, sig, &sig_len, reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1)
      Die("EVP_DigestSign");
    EVP_MD_CTX_free(ctx);
  };
  auto verify_once = [&] {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
        EVP_DigestVerify(ctx, sig, sig_len, reinterpret_cast<const unsigned char*>(data.data()),
                         data.size()) != 1)
      Die("EVP_DigestVerify");
    EVP_MD_CTX_free(ctx);
  };
  // Per wall-clock second (what the other figures are), and per CPU second of this thread (what
  // `openssl speed` prints by default): they differ when other processes share the cores.
  auto rate = [](const std::function<void()>& op, double* per_cpu_s) {
    auto start = Clock::now();
    double cpu0 = ThreadCpuSeconds();
    size_t n = 0;
    double elapsed = 0;
    do {
      for (int i = 0; i < 16; ++i) op();
      n += 16;
      elapsed = Seconds(start, Clock::now());
    } while (elapsed < 1.0);
    *per_cpu_s = n / (ThreadCpuSeconds() - cpu0);
    return n / elapsed;
  };
  Progress("openssl: RSA-2048 sign and verify, one thread, ~1 s each");
  double s_cpu = 0, v_cpu = 0;
  double s = rate(sign_once, &s_cpu);
  double v = rate(verify_once, &v_cpu);
  EVP_PKEY_free(key);
  Emit("openssl_rsa2048_sign_per_s", s, "ops/s");
  Emit("openssl_rsa2048_verify_per_s", v, "ops/s");
  Emit("openssl_rsa2048_sign_per_cpu_s", s_cpu, "ops/cpu-s");
  Emit("openssl_rsa2048_verify_per_cpu_s", v_cpu, "ops/cpu-s");
}

// ---- processes, ports, /proc ----

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) Die("bind for a free port");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = ::fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

void RunCommand(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = Spawn(args, log_path);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    Die("command failed: " + cmd + "(see " + log_path + ")");
  }
}

// A field of /proc/PID/status in kB ("VmRSS", "VmHWM"); -1 when unreadable.
long ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  std::string prefix = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  return -1;
}

// CPU seconds (user + system) this process has used, all threads.
double SelfCpuSeconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Cores other processes kept busy during the timed sections (time-weighted): stdout reports it.
double g_other_cpu_s = 0, g_timed_s = 0;
void NoteOthers(double cores, double seconds) {
  g_other_cpu_s += cores * seconds;
  g_timed_s += seconds;
}

// CPU seconds all cores have spent busy (everything but idle and iowait), from /proc/stat. The
// machine is shared: what other processes took during a measurement is printed beside it.
double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double v[8] = {};
  in >> cpu;
  for (double& x : v) in >> x;
  // user nice system idle iowait irq softirq steal
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU seconds (user + system) process `pid` has used: fields 14 and 15 of /proc/PID/stat.
double ProcCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t p = stat.rfind(')');
  if (p == std::string::npos) return 0;
  std::istringstream rest(stat.substr(p + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int ConnectTo(const std::string& ip, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Content-Length of a header block (lower-cased search), 0 when absent.
size_t ContentLength(std::string_view head) {
  std::string lower(head);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t p = lower.find("\ncontent-length:");
  if (p == std::string::npos) return 0;
  return static_cast<size_t>(std::atoll(lower.c_str() + p + 16));
}

// Reads one HTTP response on a keep-alive connection; returns its status (0 on error).
// `buf` carries bytes over between calls.
int ReadResponse(int fd, std::string& buf, std::string* body_out) {
  char chunk[8192];
  for (;;) {
    size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t len = ContentLength(std::string_view(buf).substr(0, end + 2));
      if (buf.size() >= end + 4 + len) {
        int status = buf.size() > 12 ? std::atoi(buf.c_str() + 9) : 0;
        if (body_out) *body_out = buf.substr(end + 4, len);
        buf.erase(0, end + 4 + len);
        return status;
      }
    }
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(n));
  }
}

// ---- remote actors and signed activities ----

constexpr const char* kPublic = "https://www.w3.org/ns/activitystreams#Public";

struct RemoteActor {
  std::string id;
  std::shared_ptr<const federation::PrivateKey> key;
};

// `count` actors on `count` hosts, each with its own key id and stored key record. The RSA key
// material is shared round-robin among them (`key_pairs` pairs): generating 100 keys would take
// longer than the whole measurement, and no part of the node depends on two key records holding
// different bits.
std::vector<RemoteActor> MakeRemoteActors(int count, int key_pairs) {
  std::vector<std::shared_ptr<const federation::PrivateKey>> keys(key_pairs);
  ParallelFor(keys.size(), 2, [&](size_t i) {
    keys[i] = std::make_shared<const federation::PrivateKey>(
        Must(federation::PrivateKey::GenerateRsa(2048), "generate a remote key"));
  });
  std::vector<RemoteActor> actors(count);
  for (int i = 0; i < count; ++i) {
    actors[i].id = "http://r" + std::to_string(i) + ".remote.test/users/u" + std::to_string(i);
    actors[i].key = keys[i % key_pairs];
  }
  return actors;
}

std::string CreateNoteJson(const std::string& actor, size_t n) {
  std::string note = actor + "/notes/" + std::to_string(n);
  std::string content =
      "<p>Benchmark note " + std::to_string(n) +
      ": today the year 9 group tried peer review of lab reports; notes and the rubric are "
      "<a href=\"https://example.org/rubric\">here</a>. What worked for you?</p>";
  return "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":" +
         federation::JsonString(note + "/activity") +
         ",\"type\":\"Create\",\"actor\":" + federation::JsonString(actor) + ",\"to\":[\"" +
         kPublic + "\"],\"cc\":[" + federation::JsonString(actor + "/followers") +
         "],\"object\":{\"id\":" + federation::JsonString(note) +
         ",\"type\":\"Note\",\"attributedTo\":" + federation::JsonString(actor) + ",\"to\":[\"" +
         kPublic + "\"],\"cc\":[" + federation::JsonString(actor + "/followers") +
         "],\"published\":\"2026-01-01T00:00:00Z\",\"content\":" + federation::JsonString(content) +
         "}}";
}

struct SignedActivity {
  federation::HttpRequest request;  // for the in-process pipeline
  std::string raw;                  // the same, as bytes on the wire
};

// `count` Create(Note)s round-robin over the actors, signed draft-cavage (as Mastodon does) for
// POST /inbox on `authority`, at the current time.
std::vector<SignedActivity> SignActivities(const std::vector<RemoteActor>& actors, size_t count,
                                           const std::string& authority) {
  std::vector<SignedActivity> out(count);
  int64_t now_s = cs::SystemClock::Instance().NowSeconds();
  ParallelFor(count, 2, [&](size_t i) {
    const RemoteActor& a = actors[i % actors.size()];
    federation::HttpRequest& r = out[i].request;
    r.method = "POST";
    r.scheme = "http";
    r.authority = authority;
    r.target = "/inbox";
    r.headers.Set("content-type", "application/activity+json");
    r.headers.Set("user-agent", "cloudschool-bench");
    r.body = CreateNoteJson(a.id, i);
    Must(federation::SignCavage(r, a.id + "#main-key", *a.key, now_s), "sign");
    std::string& raw = out[i].raw;
    raw = "POST /inbox HTTP/1.1\r\n";
    for (const auto& [name, value] : r.headers.items) raw += name + ": " + value + "\r\n";
    raw += "content-length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  });
  return out;
}

// Stores the remote actors and their keys as if fetched earlier, and makes `local_user` follow
// each (so every Create lands on a home timeline, as in real use).
void SeedRemoteActors(const store::Store& store, const std::vector<RemoteActor>& actors,
                      const std::string& local_user) {
  int64_t now = cs::SystemClock::Instance().NowMillis();
  Must(store.Update([&](store::Txn& txn) -> cs::Status {
    for (const auto& ra : actors) {
      store::ActorRecord a;
      a.id = ra.id;
      a.type = "Person";
      a.preferred_username = ra.id.substr(ra.id.rfind('/') + 1);
      a.inbox = ra.id + "/inbox";
      a.followers = ra.id + "/followers";
      a.shared_inbox = ra.id.substr(0, ra.id.find("/users/")) + "/inbox";
      a.key_id = ra.id + "#main-key";
      a.public_key_pem = ra.key->PublicKeyPem();
      a.fetched_at_ms = now;
      CS_RETURN_IF_ERROR(store::PutActor(txn, a));
      CS_RETURN_IF_ERROR(store::PutKey(
          txn, {.key_id = a.key_id, .owner = a.id, .pem = a.public_key_pem, .fetched_at_ms = now}));
      CS_RETURN_IF_ERROR(store::PutFollow(txn, {.follower = local_user,
                                                .followee = a.id,
                                                .activity_id = local_user + "#follow-" + a.id,
                                                .state = store::FollowState::kAccepted,
                                                .created_ms = now}));
    }
    return cs::Status::Ok();
  }),
       "seed remote actors");
}

uint64_t CountDb(const store::Store& store, store::Db db) {
  auto txn = Must(store.BeginRead(), "read txn");
  return txn.Count(db);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// ---- ingest over HTTP into a real `cloudschool serve` ----

struct ServeFigures {
  double per_s = 0, p50_ms = 0, p99_ms = 0, idle_rss_mib = 0, load_rss_mib = 0, hwm_mib = 0;
  double cpu_us = 0;  // serve's CPU time per accepted activity
};

ServeFigures IngestOverHttp(const std::string& binary, const std::vector<RemoteActor>& actors,
                            const std::vector<SignedActivity>& acts, uint16_t port,
                            int connections) {
  const size_t count = acts.size();
  TempDir tmp;
  std::string data = tmp.str() + "/node", log = tmp.str() + "/serve.log";
  std::string authority = "127.0.0.1:" + std::to_string(port);
  Progress("ingest/http: init a node at %s (%s)", data.c_str(), authority.c_str());
  RunCommand({binary, "--data", data, "init", "--domain", authority, "--http"}, log);
  RunCommand({binary, "--data", data, "user", "add", "teacher1"}, log);
  {
    auto store = Must(store::Store::Open(data), "open the node's store");
    SeedRemoteActors(*store, actors, "http://" + authority + "/users/teacher1");
  }

  pid_t pid = Spawn({binary, "--data", data, "serve", "--listen", authority}, log);
  for (int i = 0;; ++i) {
    int fd = ConnectTo("127.0.0.1", port);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (i > 500) Die("serve did not start listening (see " + log + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Startup is done when it listens; give the workers their first pass, then read.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ServeFigures f;
  f.idle_rss_mib = ProcStatusKb(pid, "VmRSS") / 1024.0;
  Progress("ingest/http: serve pid %d idle VmRSS %.1f MiB (anon %.1f, file-backed %.1f)", pid,
           f.idle_rss_mib, ProcStatusKb(pid, "RssAnon") / 1024.0,
           (ProcStatusKb(pid, "RssFile") + ProcStatusKb(pid, "RssShmem")) / 1024.0);

  std::atomic<bool> sampling{true};
  std::atomic<long> max_rss_kb{0}, anon_kb{0}, file_kb{0};
  double serve_cpu0 = ProcCpuSeconds(pid), self_cpu0 = SelfCpuSeconds();
  double busy0 = MachineBusySeconds();
  std::thread sampler([&] {
    while (sampling) {
      long kb = ProcStatusKb(pid, "VmRSS");
      if (kb > max_rss_kb) {
        max_rss_kb = kb;
        anon_kb = ProcStatusKb(pid, "RssAnon");
        file_kb = ProcStatusKb(pid, "RssFile") + ProcStatusKb(pid, "RssShmem");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  Progress("ingest/http: POSTing over %d keep-alive connections", connections);
  std::atomic<size_t> next{0}, accepted{0}, refused{0};
  std::mutex lat_mu;
  std::vector<double> latencies;
  latencies.reserve(count);
  std::string first_error;
  auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c)
    clients.emplace_back([&] {
      std::vector<double> mine;
      int fd = -1;
      std::string buf, body;
      for (size_t i; (i = next.fetch_add(1)) < count;) {
        if (fd < 0) fd = ConnectTo("127.0.0.1", port), buf.clear();
        auto t0 = Clock::now();
        int status = fd >= 0 && SendAll(fd, acts[i].raw) ? ReadResponse(fd, buf, &body) : 0;
        mine.push_back(Seconds(t0, Clock::now()) * 1000);
        if (status == 202 && body.find("accepted") != std::string::npos) {
          ++accepted;
        } else {
          ++refused;
          std::lock_guard<std::mutex> lock(lat_mu);
          if (first_error.empty()) first_error = std::to_string(status) + " " + body;
        }
        if (status == 0 && fd >= 0) ::close(fd), fd = -1;
      }
      if (fd >= 0) ::close(fd);
      std::lock_guard<std::mutex> lock(lat_mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  for (auto& t : clients) t.join();
  double elapsed = Seconds(start, Clock::now());
  sampling = false;
  sampler.join();
  f.load_rss_mib = max_rss_kb / 1024.0;
  f.hwm_mib = ProcStatusKb(pid, "VmHWM") / 1024.0;
  f.per_s = accepted / elapsed;
  double serve_cpu = ProcCpuSeconds(pid) - serve_cpu0;
  f.cpu_us = serve_cpu / std::max<size_t>(1, accepted) * 1e6;
  double others =
      (MachineBusySeconds() - busy0 - serve_cpu - (SelfCpuSeconds() - self_cpu0)) / elapsed;
  f.p50_ms = Percentile(latencies, 0.50);
  f.p99_ms = Percentile(latencies, 0.99);
  Progress(
      "ingest/http: %zu accepted, %zu not, in %.2f s; p50 %.1f ms, p99 %.1f ms; serve "
      "used %.0f us CPU each; peak VmRSS %.1f MiB (anon %.1f, file-backed %.1f: the LMDB "
      "map), VmHWM %.1f",
      accepted.load(), refused.load(), elapsed, f.p50_ms, f.p99_ms, f.cpu_us, f.load_rss_mib,
      anon_kb / 1024.0, file_kb / 1024.0, f.hwm_mib);
  Progress("ingest/http: serve used %.2f cores, the load generator %.2f, other processes %.2f",
           serve_cpu / elapsed, (SelfCpuSeconds() - self_cpu0) / elapsed, others);
  NoteOthers(others, elapsed);
  if (refused) Progress("ingest/http: first refusal: %s", first_error.c_str());

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // Durable: what the stopped server left in LMDB.
  auto store = Must(store::Store::Open(data), "reopen the node's store");
  uint64_t objects = CountDb(*store, store::Db::kObjects);
  uint64_t timeline = CountDb(*store, store::Db::kTimelines);
  Progress("ingest/http: after stop, LMDB holds %lu objects, %lu timeline entries",
           static_cast<unsigned long>(objects), static_cast<unsigned long>(timeline));
  if (objects < accepted) Die("fewer objects stored than accepted");
  return f;
}

// ---- ingest through federation::Inbox in-process ----

double IngestPipeline(const std::vector<RemoteActor>& actors,
                      const std::vector<SignedActivity>& acts, const std::string& authority,
                      int threads, double* cpu_us) {
  const size_t count = acts.size();
  TempDir tmp;
  std::string data = tmp.str() + "/node";
  node::Config config;
  config.domain = authority;
  config.scheme = "http";
  const cs::Clock& clock = cs::SystemClock::Instance();
  Must(node::InitNode(data, config, clock), "init");
  {
    auto store = Must(store::Store::Open(data), "open");
    federation::Uris uris(config.Origin());
    Must(node::AddUser(*store, uris, "teacher1", "", clock), "user add");
    SeedRemoteActors(*store, actors, uris.User("teacher1"));
  }
  auto n = Must(node::Node::Open(data, clock), "open node");
  Progress("ingest/pipeline: Inbox::Handle on %d threads", threads);
  std::atomic<size_t> accepted{0};
  auto start = Clock::now();
  double cpu0 = SelfCpuSeconds(), busy0 = MachineBusySeconds();
  ParallelFor(count, threads, [&](size_t i) {
    federation::HttpResponse r = n->inbox().Handle(acts[i].request, "");
    if (r.status == 202 && r.body.find("accepted") != std::string::npos) ++accepted;
  });
  double elapsed = Seconds(start, Clock::now());
  double self_cpu = SelfCpuSeconds() - cpu0;
  *cpu_us = self_cpu / std::max<size_t>(1, accepted) * 1e6;
  double others = (MachineBusySeconds() - busy0 - self_cpu) / elapsed;
  Progress("ingest/pipeline: the node used %.2f cores, other processes %.2f", self_cpu / elapsed,
           others);
  NoteOthers(others, elapsed);
  uint64_t objects = CountDb(n->store(), store::Db::kObjects);
  Progress("ingest/pipeline: %zu accepted of %zu in %.2f s, %.0f us CPU each; %lu objects stored",
           accepted.load(), count, elapsed, *cpu_us, static_cast<unsigned long>(objects));
  if (objects < accepted) Die("fewer objects stored than accepted");
  return accepted / elapsed;
}

// ---- fan-out ----

// An HTTP/1.1 sink: one epoll thread, one listener per address (all on one port), answers every
// complete request with 202 and an empty body, keep-alive. Counts requests per address, and
// notes when the first request since ResetRound() arrived and when the last 202 went out.
class Sink {
 public:
  explicit Sink(const std::vector<std::string>& addresses)
      : per_address_(std::make_unique<std::atomic<uint32_t>[]>(addresses.size())) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    for (int attempt = 0; attempt < 20 && listeners_.empty(); ++attempt) {
      port_ = FreePort();
      for (const auto& ip : addresses) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port_);
        ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 256) != 0) {
          ::close(fd);
          for (int l : listeners_) ::close(l);
          listeners_.clear();
          listener_index_.clear();
          break;
        }
        listener_index_[fd] = listeners_.size();
        listeners_.push_back(fd);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListener | static_cast<uint32_t>(fd);
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
      }
    }
    if (listeners_.empty()) Die("sink: cannot bind the 127.x addresses");
    thread_ = std::thread([this] { Loop(); });
  }
  ~Sink() {
    stop_ = true;
    thread_.join();
    for (auto& [fd, c] : conns_) ::close(fd);
    for (int l : listeners_) ::close(l);
    ::close(epoll_);
  }
  uint16_t port() const { return port_; }
  size_t requests() const { return requests_; }
  size_t signed_requests() const { return signed_; }
  size_t connections() const { return accepted_; }
  // Requests to addresses[i].
  uint32_t requests_to(size_t i) const { return per_address_[i]; }
  // Starts a round: forgets the first arrival and the per-address counts.
  void ResetRound() {
    first_ns_ = 0;
    for (size_t i = 0; i < listeners_.size(); ++i) per_address_[i] = 0;
  }
  // When the first complete request of the round arrived, and when the latest 202 was written
  // (steady clock); time_point{} when none yet.
  Clock::time_point first_request() const { return Clock::time_point(Clock::duration(first_ns_)); }
  Clock::time_point last_reply() const { return Clock::time_point(Clock::duration(last_ns_)); }
  // CPU seconds the sink's thread has used.
  double CpuSeconds() {
    clockid_t id;
    if (::pthread_getcpuclockid(thread_.native_handle(), &id) != 0) return 0;
    return ThreadCpuSeconds(id);
  }

 private:
  static constexpr uint64_t kListener = 1ull << 32;

  void Loop() {
    epoll_event events[256];
    char chunk[16384];
    while (!stop_) {
      int n = ::epoll_wait(epoll_, events, 256, 50);
      for (int i = 0; i < n; ++i) {
        int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
        if (events[i].data.u64 & kListener) {
          for (int c; (c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
            ++accepted_;
            conns_[c];
            conn_listener_[c] = listener_index_[fd];
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = static_cast<uint32_t>(c);
            ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c, &ev);
          }
          continue;
        }
        std::string& buf = conns_[fd];
        bool closed = false;
        for (;;) {
          ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
          if (got > 0) {
            buf.append(chunk, static_cast<size_t>(got));
            continue;
          }
          if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
          break;
        }
        std::string reply;
        for (;;) {
          size_t end = buf.find("\r\n\r\n");
          if (end == std::string::npos) break;
          std::string_view head = std::string_view(buf).substr(0, end + 2);
          size_t len = ContentLength(head);
          if (buf.size() < end + 4 + len) break;
          ++requests_;
          if (first_ns_ == 0) first_ns_ = Clock::now().time_since_epoch().count();
          ++per_address_[conn_listener_[fd]];
          std::string lower(head);
          for (char& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          if (lower.find("\nsignature: keyid=") != std::string::npos &&
              lower.find("\ndigest: sha-256=") != std::string::npos)
            ++signed_;
          buf.erase(0, end + 4 + len);
          reply += "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
        }
        if (!reply.empty()) {
          if (!SendAll(fd, reply)) closed = true;
          last_ns_ = Clock::now().time_since_epoch().count();
        }
        if (closed) {
          ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
          ::close(fd);
          conns_.erase(fd);
          conn_listener_.erase(fd);
        }
      }
    }
  }

  int epoll_ = -1;
  uint16_t port_ = 0;
  std::vector<int> listeners_;
  std::unordered_map<int, std::string> conns_;                      // the loop thread's only
  std::unordered_map<int, size_t> listener_index_, conn_listener_;  // fd -> address index
  std::unique_ptr<std::atomic<uint32_t>[]> per_address_;
  std::atomic<Clock::rep> first_ns_{0}, last_ns_{0};
  std::atomic<bool> stop_{false};
  std::atomic<size_t> requests_{0}, signed_{0}, accepted_{0};
  std::thread thread_;
};

struct FanoutRound {
  double per_s = 0, cpu_us = 0;  // cpu_us: the node's CPU per delivery (the sink's excluded)
};

std::vector<FanoutRound> Fanout(int followers, int rounds) {
  std::vector<std::string> addresses;
  for (int i = 0; i < followers; ++i)
    addresses.push_back("127.10." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1));
  Sink sink(addresses);
  TempDir tmp;
  std::string data = tmp.str() + "/node";
  node::Config config;
  config.domain = "school.bench.test";
  config.scheme = "http";
  config.allow_addresses = {"127.0.0.0/8"};
  const cs::Clock& clock = cs::SystemClock::Instance();
  Must(node::InitNode(data, config, clock), "init");
  federation::Uris uris(config.Origin());
  std::string teacher = uris.User("teacher1");
  {
    auto store = Must(store::Store::Open(data), "open");
    Must(node::AddUser(*store, uris, "teacher1", "", clock), "user add");
    int64_t now = clock.NowMillis();
    Must(store->Update([&](store::Txn& txn) -> cs::Status {
      for (const auto& ip : addresses) {
        std::string origin = "http://" + ip + ":" + std::to_string(sink.port());
        store::ActorRecord a;
        a.id = origin + "/users/f";
        a.type = "Person";
        a.preferred_username = "f";
        a.inbox = a.id + "/inbox";
        a.followers = a.id + "/followers";
        a.shared_inbox = origin + "/inbox";
        a.key_id = a.id + "#main-key";
        a.fetched_at_ms = now;
        CS_RETURN_IF_ERROR(store::PutActor(txn, a));
        CS_RETURN_IF_ERROR(store::PutFollow(txn, {.follower = a.id,
                                                  .followee = teacher,
                                                  .activity_id = a.id + "#follow",
                                                  .state = store::FollowState::kAccepted,
                                                  .created_ms = now}));
      }
      return cs::Status::Ok();
    }),
         "seed followers");
  }
  auto n = Must(node::Node::Open(data, clock), "open node");
  // What `serve` runs: the default options.
  federation::DeliveryWorker worker(n->store(), n->client(), clock, federation::DeliveryOptions{});
  worker.Start();
  std::vector<FanoutRound> out;
  for (int round = 0; round < rounds; ++round) {
    uint64_t before = worker.stats().sent;
    auto start = Clock::now();
    double cpu0 = SelfCpuSeconds(), sink0 = sink.CpuSeconds(), busy0 = MachineBusySeconds();
    Must(n->writer().Run([&](store::Txn& txn) -> cs::Status {
      auto id = n->outbox().Post(txn, "teacher1",
                                 "Round " + std::to_string(round) +
                                     " of the fan-out benchmark: *hello* to every follower.",
                                 {});
      return id.ok() ? cs::Status::Ok() : id.status();
    }),
         "post");
    worker.Wake();
    while (worker.stats().sent - before < static_cast<uint64_t>(followers)) {
      if (Seconds(start, Clock::now()) > 60) Die("fan-out did not finish in 60 s");
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    double elapsed = Seconds(start, Clock::now());
    double sink_cpu = sink.CpuSeconds() - sink0;
    double others = (MachineBusySeconds() - busy0 - (SelfCpuSeconds() - cpu0)) / elapsed;
    FanoutRound r{.per_s = followers / elapsed,
                  .cpu_us = (SelfCpuSeconds() - cpu0 - sink_cpu) / followers * 1e6};
    out.push_back(r);
    NoteOthers(others, elapsed);
    auto st = worker.stats();
    Progress(
        "fanout: round %d: %d deliveries in %.3f s (%.0f/s), node CPU %.0f us each (sink "
        "%.0f us), other processes %.2f cores; totals: delivered %lu, retried %lu, failed %lu; "
        "sink: %zu requests (%zu signed) on %zu connections",
        round, followers, elapsed, r.per_s, r.cpu_us, sink_cpu / followers * 1e6, others,
        static_cast<unsigned long>(st.delivered), static_cast<unsigned long>(st.retried),
        static_cast<unsigned long>(st.failed), sink.requests(), sink.signed_requests(),
        sink.connections());
  }
  worker.Stop();
  auto st = worker.stats();
  if (st.delivered != static_cast<uint64_t>(followers) * rounds ||
      sink.signed_requests() != static_cast<size_t>(followers) * rounds)
    Die("fan-out: not every delivery arrived signed");
  return out;
}

// ---- community fan-out ----

struct CommunityRound {
  double per_s = 0;          // signed requests / (post -> last 202 written by the sink)
  double members_per_s = 0;  // members reached / the same time
  double first_ms = 0;       // post -> first request at the sink
  double accepted_ms = 0;    // post -> the inbox's 202 (checked, stored, announce queued)
  double recorded_s = 0;     // post -> every outcome recorded by the worker
  double cpu_us = 0;         // the node's CPU per request (the sink's excluded)
};

// One local community (a Group, open, public) with `hosts` × `per_host` remote members; member k
// of host h is http://127.10.X.Y:PORT/users/mk with the shared inbox http://127.10.X.Y:PORT/inbox.
// Each round, one member POSTs a signed Create(Note) addressed to the group to the node's shared
// inbox (federation::Inbox::Handle, as `serve` does for POST /inbox): the signature is verified,
// the group checks the member and stores the note, and announces it, one delivery per shared
// inbox; then the real DeliveryWorker sends the group's signed Announce to the sink.
std::vector<CommunityRound> CommunityFanout(int hosts, int per_host, int rounds) {
  const int members = hosts * per_host;
  std::vector<std::string> addresses;
  for (int i = 0; i < hosts; ++i)
    addresses.push_back("127.10." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1));
  Sink sink(addresses);
  TempDir tmp;
  std::string data = tmp.str() + "/node";
  node::Config config;
  config.domain = "school.bench.test";
  config.scheme = "http";
  config.allow_addresses = {"127.0.0.0/8"};
  const cs::Clock& clock = cs::SystemClock::Instance();
  Must(node::InitNode(data, config, clock), "init");
  federation::Uris uris(config.Origin());
  Progress("community: a group with %d members on %d hosts (%d each)", members, hosts, per_host);
  auto group_key = Must(federation::PrivateKey::GenerateRsa(2048), "generate the group's key");
  // The members' key material: one pair (each member has its own key id and record).
  auto member_key = std::make_shared<const federation::PrivateKey>(
      Must(federation::PrivateKey::GenerateRsa(2048), "generate a member key"));
  std::string group_id;
  auto member_id = [&](int host, int k) {
    return "http://" + addresses[host] + ":" + std::to_string(sink.port()) + "/users/m" +
           std::to_string(k);
  };
  {
    auto store = Must(store::Store::Open(data), "open");
    federation::Group group(uris, clock);
    int64_t now = clock.NowMillis();
    std::string member_pem = member_key->PublicKeyPem();
    Must(store->Update([&](store::Txn& txn) -> cs::Status {
      auto c = group.Create(txn,
                            {.name = "science",
                             .title = "Science teachers",
                             .description = "Peer review, practicals, assessment."},
                            group_key.ToPem(), group_key.PublicKeyPem());
      if (!c.ok()) return c.status();
      group_id = c->id;
      for (int h = 0; h < hosts; ++h) {
        std::string origin = "http://" + addresses[h] + ":" + std::to_string(sink.port());
        for (int k = 0; k < per_host; ++k) {
          store::ActorRecord a;
          a.id = member_id(h, k);
          a.type = "Person";
          a.preferred_username = "m" + std::to_string(k);
          a.inbox = a.id + "/inbox";
          a.followers = a.id + "/followers";
          a.shared_inbox = origin + "/inbox";
          a.key_id = a.id + "#main-key";
          a.public_key_pem = member_pem;
          a.fetched_at_ms = now;
          CS_RETURN_IF_ERROR(store::PutActor(txn, a));
          CS_RETURN_IF_ERROR(store::PutKey(
              txn, {.key_id = a.key_id, .owner = a.id, .pem = member_pem, .fetched_at_ms = now}));
          // A membership is an accepted Follow of the group (what Group::OnFollow records).
          CS_RETURN_IF_ERROR(store::PutFollow(txn, {.follower = a.id,
                                                    .followee = group_id,
                                                    .activity_id = a.id + "#join",
                                                    .state = store::FollowState::kAccepted,
                                                    .created_ms = now}));
        }
      }
      return cs::Status::Ok();
    }),
         "seed the community");
  }
  auto n = Must(node::Node::Open(data, clock), "open node");
  {
    auto txn = Must(n->store().BeginRead(), "read");
    size_t listed = store::ListMembers(txn, group_id).size();
    if (listed != static_cast<size_t>(members)) Die("community: members not seeded");
  }
  // What `serve` runs: the default options.
  federation::DeliveryWorker worker(n->store(), n->client(), clock, federation::DeliveryOptions{});
  worker.Start();
  std::vector<CommunityRound> out;
  for (int round = 0; round < rounds; ++round) {
    // The author: a member on a different host each round. Signed before timing, as the
    // member's server would have done.
    const int author_host = round * 7 % hosts;
    const std::string author = member_id(author_host, 0);
    const std::string note = author + "/notes/bench-" + std::to_string(round);
    std::string content = "<p>Round " + std::to_string(round) +
                          " of the community benchmark: our year 9 peer review of lab reports, "
                          "with the rubric. What worked for you?</p>";
    std::string to = "[\"" + std::string(kPublic) + "\"]";
    std::string cc = "[" + federation::JsonString(group_id) + "]";
    federation::HttpRequest req;
    req.method = "POST";
    req.scheme = "http";
    req.authority = config.domain;
    req.target = "/inbox";
    req.headers.Set("content-type", "application/activity+json");
    req.headers.Set("user-agent", "cloudschool-bench");
    req.body =
        "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":" +
        federation::JsonString(note + "/activity") +
        ",\"type\":\"Create\",\"actor\":" + federation::JsonString(author) + ",\"to\":" + to +
        ",\"cc\":" + cc + ",\"audience\":" + federation::JsonString(group_id) +
        ",\"object\":{\"id\":" + federation::JsonString(note) +
        ",\"type\":\"Page\",\"name\":\"Peer review of lab reports\",\"attributedTo\":" +
        federation::JsonString(author) + ",\"to\":" + to + ",\"cc\":" + cc +
        ",\"audience\":" + federation::JsonString(group_id) +
        ",\"published\":\"2026-01-01T00:00:00Z\",\"content\":" + federation::JsonString(content) +
        "}}";
    Must(federation::SignCavage(req, author + "#main-key", *member_key,
                                cs::SystemClock::Instance().NowSeconds()),
         "sign the member's Create");

    uint64_t before = worker.stats().sent;
    size_t sink_before = sink.requests(), signed_before = sink.signed_requests();
    sink.ResetRound();
    auto start = Clock::now();
    double cpu0 = SelfCpuSeconds(), sink0 = sink.CpuSeconds(), busy0 = MachineBusySeconds();
    federation::HttpResponse r = n->inbox().Handle(req, "");
    auto accepted_at = Clock::now();
    if (r.status != 202)
      Die("community: the inbox answered " + std::to_string(r.status) + " " + r.body);
    worker.Wake();  // what `serve` does after an inbox 202
    while (worker.stats().sent - before < static_cast<uint64_t>(hosts)) {
      if (Seconds(start, Clock::now()) > 60) Die("community fan-out did not finish in 60 s");
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    auto recorded_at = Clock::now();
    double recorded = Seconds(start, recorded_at);
    double sink_cpu = sink.CpuSeconds() - sink0;
    double self_cpu = SelfCpuSeconds() - cpu0;
    double others = (MachineBusySeconds() - busy0 - self_cpu) / recorded;
    NoteOthers(others, recorded);
    // Exactly one signed request per host, nothing else.
    size_t got = sink.requests() - sink_before, got_signed = sink.signed_requests() - signed_before;
    for (int h = 0; h < hosts; ++h)
      if (sink.requests_to(h) != 1)
        Die("community: host " + addresses[h] + " got " + std::to_string(sink.requests_to(h)) +
            " requests in round " + std::to_string(round));
    if (got != static_cast<size_t>(hosts) || got_signed != got)
      Die("community: the sink saw " + std::to_string(got) + " requests (" +
          std::to_string(got_signed) + " signed), not " + std::to_string(hosts));
    double last = Seconds(start, sink.last_reply());
    CommunityRound c{.per_s = hosts / last,
                     .members_per_s = members / last,
                     .first_ms = Seconds(start, sink.first_request()) * 1000,
                     .accepted_ms = Seconds(start, accepted_at) * 1000,
                     .recorded_s = recorded,
                     .cpu_us = (self_cpu - sink_cpu) / hosts * 1e6};
    out.push_back(c);
    auto st = worker.stats();
    Progress(
        "community: round %d: inbox 202 after %.1f ms, first request at the sink after %.1f ms, "
        "last 202 after %.3f s (%.0f requests/s, %.0f members/s), all outcomes recorded after "
        "%.3f s; node CPU %.0f us per request (sink %.0f us), other processes %.2f cores; "
        "totals: delivered %lu, retried %lu, failed %lu; sink: %zu requests on %zu connections",
        round, c.accepted_ms, c.first_ms, last, c.per_s, c.members_per_s, recorded, c.cpu_us,
        sink_cpu / hosts * 1e6, others, static_cast<unsigned long>(st.delivered),
        static_cast<unsigned long>(st.retried), static_cast<unsigned long>(st.failed),
        sink.requests(), sink.connections());
  }
  worker.Stop();
  auto st = worker.stats();
  if (st.delivered != static_cast<uint64_t>(hosts) * rounds)
    Die("community: not every delivery succeeded");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary = CS_BINARY;
  bool quick = false;
  std::string only;  // one section (for profiling): openssl, http, pipeline, fanout, community
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--binary" && i + 1 < argc)
      binary = argv[++i];
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--only SECTION] [--binary PATH]\n", argv[0]);
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  const size_t activities = quick ? 4000 : 20000;
  auto total = Clock::now();

  auto run = [&](const char* section) { return only.empty() || only == section; };

  if (run("openssl")) MeasureOpenSsl();

  // One set of signed requests serves both ingest figures: both nodes have this authority.
  std::vector<RemoteActor> actors;
  std::vector<SignedActivity> acts;
  uint16_t port = FreePort();
  std::string authority = "127.0.0.1:" + std::to_string(port);
  if (run("http") || run("pipeline")) {
    Progress("100 remote actors, 10 RSA-2048 key pairs among them");
    actors = MakeRemoteActors(100, 10);
    Progress("signing %zu Create(Note)s for POST %s/inbox (not timed)", activities,
             authority.c_str());
    acts = SignActivities(actors, activities, authority);
  }
  if (run("http")) {
    ServeFigures http = IngestOverHttp(binary, actors, acts, port, 64);
    Emit("ingest_activities_per_s", http.per_s, "activities/s");
    Emit("ingest_latency_p50_ms", http.p50_ms, "ms");
    Emit("ingest_latency_p99_ms", http.p99_ms, "ms");
    Emit("ingest_cpu_us_per_activity", http.cpu_us, "us");
    Emit("idle_rss_mib", http.idle_rss_mib, "MiB");
    Emit("load_rss_mib", http.load_rss_mib, "MiB");
  }
  if (run("pipeline")) {
    double cpu_us = 0;
    Emit("ingest_pipeline_activities_per_s", IngestPipeline(actors, acts, authority, 64, &cpu_us),
         "activities/s");
    Emit("ingest_pipeline_cpu_us_per_activity", cpu_us, "us");
  }
  if (run("fanout")) {
    // The median round of three (each: one post, 2,000 deliveries).
    std::vector<FanoutRound> rounds = Fanout(2000, 3);
    std::sort(rounds.begin(), rounds.end(),
              [](const FanoutRound& a, const FanoutRound& b) { return a.per_s < b.per_s; });
    Emit("fanout_deliveries_per_s", rounds[1].per_s, "deliveries/s");
    Emit("fanout_cpu_us_per_delivery", rounds[1].cpu_us, "us");
  }

  if (run("community")) {
    // Three posts, each announced to 5,000 members on 1,000 hosts; each figure's median.
    std::vector<CommunityRound> rounds = CommunityFanout(1000, 5, 3);
    auto median = [&](double CommunityRound::*field) {
      std::vector<double> v;
      for (const auto& r : rounds) v.push_back(r.*field);
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    Emit("community_fanout_requests_per_s", median(&CommunityRound::per_s), "requests/s");
    Emit("community_members_reached_per_s", median(&CommunityRound::members_per_s), "members/s");
    Emit("community_first_delivery_ms", median(&CommunityRound::first_ms), "ms");
    Emit("community_post_accepted_ms", median(&CommunityRound::accepted_ms), "ms");
    Emit("community_cpu_us_per_request", median(&CommunityRound::cpu_us), "us");
  }

  if (g_timed_s > 0) Emit("other_processes_cores_while_timing", g_other_cpu_s / g_timed_s, "cores");
  Progress("done in %.0f s", Seconds(total, Clock::now()));
  return 0;
}
