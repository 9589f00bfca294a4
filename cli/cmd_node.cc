// Commands that manage the node itself: init, serve, backup, domain policy, deliveries.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/output.h"
#include "federation/address_guard.h"
#include "federation/handle.h"
#include "federation/punycode.h"
#include "federation/url.h"
#include "node/node.h"

namespace cli {

namespace {

// True when `cidr` spans public addresses and non-public ones (0.0.0.0/0, ::/0, 2000::/3, ...):
// allowing it switches the outbound address protection off for far more than a school network.
bool SpansPublicAndPrivate(const federation::Cidr& cidr) {
  const federation::AddressGuard strict;
  bool public_seen = false, private_seen = false;
  for (const char* probe :
       {"8.8.8.8", "1.1.1.1", "9.9.9.9", "203.0.114.1", "10.0.0.1", "127.0.0.1", "169.254.169.254",
        "172.16.0.1", "192.168.0.1", "100.64.0.1", "2001:4860:4860::8888", "2606:4700:4700::1111",
        "2a00:1450::1", "::1", "fc00::1", "fe80::1", "2001:db8::1", "::ffff:10.0.0.1"}) {
    auto ip = federation::ParseIpAddress(probe);
    if (!ip.ok() || !cidr.Contains(*ip)) continue;
    (strict.IsAllowed(*ip) ? public_seen : private_seen) = true;
  }
  return public_seen && private_seen;
}

}  // namespace

int CmdInit(const Global& g, const std::string& domain, bool http, const std::string& allow,
            const std::string& ca_file) {
  node::Config config;
  config.scheme = http ? "http" : "https";
  // The domain is every id's authority: it must parse back as exactly that.
  auto parsed = ParseDomain("--domain", domain, config.scheme);
  if (!parsed.ok()) return Fail(parsed.status());
  config.domain = parsed->Authority();  // canonical: no default port
  for (size_t start = 0; start < allow.size();) {
    auto end = allow.find(',', start);
    std::string part =
        allow.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto cidr = federation::ParseCidr(part);
    if (!part.empty() && !cidr.ok())
      return Fail("--allow-addresses wants CIDR[,CIDR...], got '" + part + "'", kExitUsage);
    if (!part.empty() && SpansPublicAndPrivate(*cidr))
      std::fprintf(stderr,
                   "cloudschool: warning: --allow-addresses %s covers public and private addresses "
                   "alike: outbound requests may reach loopback and internal networks (the "
                   "address protection is off); list only the private ranges you need\n",
                   part.c_str());
    if (!part.empty()) config.allow_addresses.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (!ca_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(ca_file, ec))
      return Fail("--ca-file: no such file " + ca_file, kExitUsage);
    config.ca_file = std::filesystem::absolute(ca_file).string();
  }
  if (auto colon = config.domain.rfind(':'); colon != std::string::npos)
    config.listen = "127.0.0.1:" + config.domain.substr(colon + 1);
  cs::Status st = node::InitNode(g.data_dir, config, cs::SystemClock::Instance());
  if (!st.ok()) return Fail(st);
  Say("created node %s in %s\n", config.Origin().c_str(), g.data_dir.c_str());
  Say("next: cloudschool --data %s user add NAME; cloudschool --data %s serve\n",
      g.data_dir.c_str(), g.data_dir.c_str());
  return kExitOk;
}

int CmdServe(const Global& g, const std::string& listen, const std::string& tls_cert,
             const std::string& tls_key) {
  // Block the stop signals before any thread starts, so only sigwait below sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  node::ServeOptions options{.listen = listen, .tls_cert = tls_cert, .tls_key = tls_key};
  options.delivery.first_retry_ms = (*n)->config().delivery_first_retry_ms;
  cs::Status st = (*n)->Serve(options);
  if (!st.ok()) return Fail(st);
  Say("serving %s on port %u (Ctrl-C stops)\n", (*n)->uris().origin().c_str(), (*n)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  Say("stopping: finishing requests in flight\n");
  std::fflush(stdout);
  (*n)->Shutdown();
  return kExitOk;
}

int CmdBackup(const Global& g, const std::string& dir) {
  auto config = node::LoadConfig(g.data_dir);
  if (!config.ok()) return Fail(config.status());
  std::error_code ec;
  if (std::filesystem::exists(dir + "/cloudschool.toml", ec) ||
      std::filesystem::exists(dir + "/db", ec))
    return Fail(dir + " already holds a node; choose a new directory", kExitRefused);
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  // The copy holds every private key: like the live node, nothing in it for group or others.
  // Everything is created 0700/0600 (umask) and chmod-ed after, whatever made it.
  ::umask(077);
  const bool existed = std::filesystem::exists(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail("cannot create " + dir + ": " + ec.message());
  if (!existed) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) return Fail("cannot restrict " + dir + ": " + ec.message());
  // LMDB's own copy (a consistent snapshot in one read transaction), then the config.
  cs::Status st = (*store)->CopyTo(dir + "/db");
  if (!st.ok()) return Fail(st);
  std::filesystem::copy_file(g.data_dir + "/cloudschool.toml", dir + "/cloudschool.toml", ec);
  if (!ec)
    std::filesystem::permissions(
        dir + "/cloudschool.toml",
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  if (ec) return Fail("cannot copy the config: " + ec.message());
  // The files of shared resources (content-addressed, written before their records commit, so
  // every file the snapshot names is already there); not media/tmp, the writers' unfinished files.
  if (std::filesystem::exists(g.data_dir + "/media/sha256")) {
    std::filesystem::create_directories(dir + "/media", ec);
    if (!ec)
      std::filesystem::copy(g.data_dir + "/media/sha256", dir + "/media/sha256",
                            std::filesystem::copy_options::recursive, ec);
  }
  if (ec) return Fail("cannot copy media: " + ec.message());
  Say("backup of %s written to %s (serve it with: cloudschool --data %s serve)\n",
      g.data_dir.c_str(), dir.c_str(), dir.c_str());
  return kExitOk;
}

int CmdDomain(const Global& g, const std::string& action, const std::string& domain) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  if (action == "list") {
    std::vector<std::string> blocked;
    (void)(*store)->View([&](store::Txn& t) {
      return t.Scan(store::Db::kPolicy, store::JoinKey("block", ""),
                    [&](std::string_view k, std::string_view) {
                      blocked.emplace_back(k.substr(6));
                      return true;
                    });
    });
    if (g.json) {
      JsonOut out;
      out.w().StartArray();
      for (const auto& d : blocked) {
        out.w().StartObject();
        out.Str("domain", d);
        out.Str("policy", "block");
        out.w().EndObject();
      }
      out.w().EndArray();
      out.Print();
    } else {
      for (const auto& d : blocked) Say("%s\tblocked\n", d.c_str());
      if (blocked.empty()) Say("no blocked domains\n");
    }
    return kExitOk;
  }
  // The parser of `init --domain`: a host name or IP, with an optional port.
  auto parsed = ParseDomain("domain " + action, domain);
  if (!parsed.ok()) return Fail(parsed.status());
  const std::string host = DomainKey(*parsed);
  cs::Status st = (*store)->Update([&](store::Txn& t) -> cs::Status {
    const std::string key = store::JoinKey("block", host);
    // Blocking twice, or unblocking what is not blocked: nothing to do, refused (exit 3).
    const bool blocked = t.Get(store::Db::kPolicy, key).ok();
    if (action == "block" && blocked) return cs::Status::Conflict(host + " is already blocked");
    if (action != "block" && !blocked) return cs::Status::Conflict(host + " is not blocked");
    return action == "block" ? t.Put(store::Db::kPolicy, key, "")
                             : t.Delete(store::Db::kPolicy, key);
  });
  if (!st.ok()) return Fail(st);
  Say("%s %s\n", host.c_str(), action == "block" ? "blocked" : "unblocked");
  return kExitOk;
}

int CmdDeliveries(const Global& g) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  std::vector<std::pair<std::string, store::DeliveryRecord>> all;
  (void)(*store)->View([&](store::Txn& t) {
    CS_RETURN_IF_ERROR(
        t.Scan(store::Db::kDeliveries, "", [&](std::string_view, std::string_view v) {
          if (auto d = store::DeliveryRecord::Decode(v)) all.emplace_back("queued", *d);
          return true;
        }));
    return t.Scan(store::Db::kFailed, "", [&](std::string_view, std::string_view v) {
      if (auto d = store::DeliveryRecord::Decode(v)) all.emplace_back("failed", *d);
      return true;
    });
  });
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& [state, d] : all) {
      out.w().StartObject();
      out.Str("state", state);
      out.Str("activity", d.activity_id);
      out.Str("inbox", d.inbox);
      out.Key("attempts");
      out.w().Uint64(d.attempts);
      out.Time("next_attempt", state == "queued" ? d.due_ms : 0);
      out.StrOrNull("last_error", d.last_error);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
  } else {
    for (const auto& [state, d] : all)
      Say("%s\t%s\t%s\tattempts=%llu\t%s\n", state.c_str(), d.inbox.c_str(), d.activity_id.c_str(),
          static_cast<unsigned long long>(d.attempts), d.last_error.c_str());
    if (all.empty()) Say("no queued or failed deliveries\n");
  }
  return kExitOk;
}

}  // namespace cli
