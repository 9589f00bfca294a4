#include "node/node.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "federation/address_guard.h"
#include "federation/crypto.h"
#include "federation/handle.h"
#include "federation/url.h"
#include "node/http_server.h"
#include "node/routes.h"

namespace node {

bool IsValidLocalName(std::string_view name) {
  if (name.empty() || name.size() > 30) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string LocalNameRule(std::string_view name) {
  return "a name is 1-30 ASCII letters, digits or '_' (no accents, spaces or dots): '" +
         std::string(name) + "'";
}

cs::Status InitNode(const std::string& data_dir, const Config& config, const cs::Clock& clock) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir + "/cloudschool.toml") ||
      std::filesystem::exists(data_dir + "/db/data.mdb"))
    return cs::Status::Conflict("a node already exists in " + data_dir + " (refusing to overwrite it)");
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return cs::Status::IOError("cannot create " + data_dir + ": " + ec.message());
  std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, ec);
  for (const auto& cidr : config.allow_addresses)
    if (auto c = federation::ParseCidr(cidr); !c.ok())
      return cs::Status::InvalidInput("--allow-addresses: " + c.status().message());
  auto store = store::Store::Open(data_dir, {.create = true});
  if (!store.ok()) return store.status();
  federation::Uris uris(config.Origin());
  auto key = federation::PrivateKey::GenerateRsa(2048);
  if (!key.ok()) return key.status();
  store::ActorRecord instance;
  instance.id = uris.InstanceActor();
  instance.type = "Application";
  instance.preferred_username = config.domain.substr(0, config.domain.find(':'));
  instance.name = "Cloudschool node " + config.domain;
  instance.inbox = uris.SharedInbox();
  instance.shared_inbox = uris.SharedInbox();
  instance.url = uris.origin() + "/";
  instance.key_id = federation::Uris::KeyId(instance.id);
  instance.public_key_pem = key->PublicKeyPem();
  instance.local = true;
  instance.manually_approves_followers = true;
  instance.created_at_ms = clock.NowMillis();
  CS_RETURN_IF_ERROR((*store)->Update([&](store::Txn& txn) -> cs::Status {
    CS_RETURN_IF_ERROR(txn.Put(store::Db::kActors, instance.id, instance.Encode()));
    CS_RETURN_IF_ERROR(txn.Put(store::Db::kPrivateKeys, instance.id, key->ToPem()));
    return txn.Put(store::Db::kMeta, "domain", config.domain);
  }));
  // The config is written last: its presence means the node is complete.
  return SaveConfig(data_dir, config);
}

cs::Result<store::ActorRecord> AddUser(const store::Store& store, const federation::Uris& uris,
                                       std::string_view name, std::string_view display_name,
                                       const cs::Clock& clock) {
  if (!IsValidLocalName(name)) return cs::Status::InvalidInput(LocalNameRule(name));
  auto key = federation::PrivateKey::GenerateRsa(2048);  // outside the write transaction
  if (!key.ok()) return key.status();
  store::ActorRecord user;
  user.id = uris.User(name);
  user.type = "Person";
  user.preferred_username = std::string(name);
  user.name = display_name.empty() ? std::string(name) : std::string(display_name);
  user.inbox = uris.Inbox(name);
  user.outbox = uris.Outbox(name);
  user.followers = uris.Followers(name);
  user.following = uris.Following(name);
  user.shared_inbox = uris.SharedInbox();
  user.url = user.id;
  user.key_id = federation::Uris::KeyId(user.id);
  user.public_key_pem = key->PublicKeyPem();
  user.local = true;
  user.created_at_ms = clock.NowMillis();
  CS_RETURN_IF_ERROR(store.Update([&](store::Txn& txn) -> cs::Status {
    if (auto taken = store::GetLocalActorByName(txn, name); taken.ok())
      return cs::Status::Conflict("the name '" + std::string(name) + "' is taken (by " +
                                  (taken->type == "Group" ? "a community" : "a teacher") +
                                  (taken->deleted ? ", deleted" : "") + ")");
    CS_RETURN_IF_ERROR(store::PutActor(txn, user));
    return txn.Put(store::Db::kPrivateKeys, user.id, key->ToPem());
  }));
  return user;
}

cs::Result<std::unique_ptr<Node>> Node::Open(const std::string& data_dir, const cs::Clock& clock) {
  std::unique_ptr<Node> n(new Node(clock));
  n->data_dir_ = data_dir;
  auto config = LoadConfig(data_dir);
  if (!config.ok()) return config.status();
  n->config_ = std::move(config).value();
  auto store = store::Store::Open(data_dir);
  if (!store.ok()) return store.status();
  n->store_ = std::move(store).value();
  n->writer_ = std::make_unique<store::Writer>(*n->store_);
  n->blobs_ = std::make_unique<store::BlobStore>(data_dir + "/media",
                                                 static_cast<uint64_t>(n->config_.max_file_bytes));
  n->uris_ = std::make_unique<federation::Uris>(n->config_.Origin());
  std::vector<federation::Cidr> allowed;
  for (const auto& c : n->config_.allow_addresses) {
    auto cidr = federation::ParseCidr(c);
    if (!cidr.ok())
      return cs::Status::Corruption(
          data_dir +
          "/cloudschool.toml: 'allow_addresses' must be CIDRs: " + cidr.status().message());
    allowed.push_back(*cidr);
  }
  federation::HttpClientOptions copts{.guard = federation::AddressGuard(allowed)};
  copts.ca_file = n->config_.ca_file;
  copts.allow_http = n->config_.scheme == "http";
  copts.resolve = n->config_.resolve;
  n->client_ = std::make_unique<federation::HttpClient>(std::move(copts));
  n->fetcher_ = std::make_unique<federation::Fetcher>(*n->store_, *n->client_, *n->uris_, clock);
  n->actors_ = std::make_unique<federation::ActorCache>(*n->store_, *n->fetcher_, clock,
                                                        n->config_.scheme == "http");
  n->outbox_ = std::make_unique<federation::Outbox>(*n->uris_, clock);
  n->inbox_ = std::make_unique<federation::Inbox>(
      *n->store_, *n->writer_, *n->actors_, *n->outbox_, *n->uris_, clock,
      federation::InboxOptions{.signature_window_seconds = n->config_.signature_window_seconds});
  n->handlers_ = std::make_unique<federation::ActivityHandlers>(*n->outbox_, *n->uris_, clock);
  // A member-list lookup runs while the request that needs it waits (a signed GET of a post our
  // teacher wrote into another node's community): a client of its own with short timeouts.
  federation::HttpClientOptions mopts = n->client_->options();
  mopts.connect_timeout_ms = 2000;
  mopts.total_timeout_ms = 4000;
  n->membership_client_ = std::make_unique<federation::HttpClient>(std::move(mopts));
  n->membership_fetcher_ =
      std::make_unique<federation::Fetcher>(*n->store_, *n->membership_client_, *n->uris_, clock);
  n->membership_ = std::make_unique<federation::GroupMembership>(
      *n->store_, *n->membership_fetcher_, *n->uris_, clock);
  return n;
}

Node::Node(const cs::Clock& clock) : clock_(clock) {}

Node::~Node() {
  Shutdown();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

namespace {
// A URL of a post where an actor is wanted: refused (kConflict, exit 3), the same for both sides.
cs::Status NotAnActor(std::string_view url, const std::string& type) {
  return cs::Status::Conflict(std::string(url) + " is a " + (type.empty() ? "post" : type) +
                              ", not an actor");
}
}  // namespace

cs::Result<store::ActorRecord> Node::ResolveActor(std::string_view text) const {
  std::string local_name;
  if (federation::LooksLikeUrl(text)) {
    if (uris_->IsLocal(text)) {
      auto txn = store_->BeginRead();
      if (!txn.ok()) return txn.status();
      auto actor = store::GetActor(*txn, text);
      if (actor.ok()) return actor;
      if (auto o = store::GetObject(*txn, text); o.ok()) return NotAnActor(text, o->type);
      return cs::Status::NotFound("no local actor " + std::string(text));
    }
    auto actor = actors_->Lookup(text);
    // The same answer for a remote post as for a local one (exit 3 in the CLI), not "usage".
    static constexpr std::string_view kNotActor = " is not an actor type";
    if (!actor.ok() && actor.status().Is(cs::Status::Code::kInvalidInput)) {
      const std::string& m = actor.status().message();
      if (m.size() > kNotActor.size() && m.ends_with(kNotActor)) {
        // "<url>: Note is not an actor type": the type is the last word before the suffix.
        std::string type = m.substr(0, m.size() - kNotActor.size());
        if (auto space = type.rfind(' '); space != std::string::npos) type.erase(0, space + 1);
        return NotAnActor(text, type);
      }
    }
    return actor;
  }
  auto handle = federation::ParseHandle(text);
  if (!handle.ok()) return handle.status();
  if (handle->host == federation::NormalizeHost(config_.domain)) {
    auto txn = store_->BeginRead();
    if (!txn.ok()) return txn.status();
    return store::GetLocalActorByName(*txn, handle->user);
  }
  return actors_->Lookup(text);
}

cs::Status Node::EnsureObject(const std::string& id) const {
  {
    auto txn = store_->BeginRead();
    if (!txn.ok()) return txn.status();
    if (store::GetObject(*txn, id).ok()) return cs::Status::Ok();
  }
  if (uris_->IsLocal(id)) return cs::Status::NotFound("no post " + id);
  return federation::FetchAndStoreObject(*store_, *actors_, *fetcher_, *handlers_, id, "");
}

cs::Status Node::Serve(const ServeOptions& options) {
  // One serving process per data directory.
  std::string lock_path = data_dir_ + "/serve.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return cs::Status::Conflict("another 'cloudschool serve' is running on " + data_dir_);
  std::string listen = options.listen.empty() ? config_.listen : options.listen;
  const std::string setting =
      options.listen.empty() ? "'listen' in " + data_dir_ + "/cloudschool.toml" : "--listen";
  auto bad_listen = [&] {
    return cs::Status::InvalidInput(
        setting + " wants ADDR:PORT with a numeric address (or localhost), got '" + listen + "'");
  };
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return bad_listen();
  ServerOptions so;
  so.listen_address = listen.substr(0, colon);
  if (so.listen_address.size() > 2 && so.listen_address.front() == '[' &&
      so.listen_address.back() == ']')
    so.listen_address = so.listen_address.substr(1, so.listen_address.size() - 2);
  if (so.listen_address == "localhost") so.listen_address = "127.0.0.1";
  unsigned char addr[sizeof(struct in6_addr)];
  if (::inet_pton(AF_INET, so.listen_address.c_str(), addr) != 1 &&
      ::inet_pton(AF_INET6, so.listen_address.c_str(), addr) != 1)
    return bad_listen();
  const std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return bad_listen();
  int port = std::atoi(port_text.c_str());
  if (port > 65535) return bad_listen();
  so.port = static_cast<uint16_t>(port);
  so.tls_cert_file = options.tls_cert.empty() ? config_.tls_cert : options.tls_cert;
  so.tls_key_file = options.tls_key.empty() ? config_.tls_key : options.tls_key;
  if (so.tls_cert_file.empty() != so.tls_key_file.empty())
    return cs::Status::InvalidInput("--tls-cert and --tls-key go together");
  so.public_scheme = config_.scheme;
  so.public_authority = config_.domain;
  so.handler_threads = options.handler_threads;
  so.max_connections_per_ip = static_cast<size_t>(config_.max_connections_per_ip);
  router_ = std::make_unique<Router>(*this);
  server_ = std::make_unique<HttpServer>(so, [this](const federation::HttpRequest& r) {
    return router_->Handle(r);
  });
  CS_RETURN_IF_ERROR(server_->Start());
  blobs_->CleanTemp();  // temporary files of writers that crashed
  delivery_ = std::make_unique<federation::DeliveryWorker>(*store_, *client_, clock_, options.delivery);
  delivery_->Start();
  jobs_ = std::make_unique<federation::JobWorker>(*store_, *actors_, *fetcher_, *handlers_, clock_);
  jobs_->Start();
  return cs::Status::Ok();
}

uint16_t Node::port() const { return server_ ? server_->port() : 0; }

void Node::Shutdown() {
  if (server_) server_->Stop();
  if (delivery_) delivery_->Stop();
  if (jobs_) jobs_->Stop();
}

}  // namespace node
