// The inbox pipeline: what happens to a POST to /inbox or /users/NAME/inbox while the sender
// waits. Cheap checks first (content type, digest, signature header shape), then the JSON
// (depth-limited), domain policy, the signature (the only step that may fetch: the signer's
// key), the actor/key/id binding, duplicate detection, and one write unit through the group
// committer. Anything else that needs the network becomes a durable job. Thread-safe.
#pragma once

#include <string>

#include "federation/actor_cache.h"
#include "federation/http_message.h"
#include "federation/outbox.h"
#include "store/writer.h"

namespace federation {

class ActivityHandlers;

struct InboxOptions {
  int64_t signature_window_seconds = 3600;  // accepted skew of Date / created (docs/interop.md)
};

class Inbox {
 public:
  Inbox(const store::Store& store, store::Writer& writer, const ActorCache& actors,
        const Outbox& outbox, const Uris& uris, const cs::Clock& clock, InboxOptions options);
  ~Inbox();

  // Handles one delivery. `addressed_user` is NAME for /users/NAME/inbox, "" for the shared inbox.
  // 202 accepted (also for duplicates and ignored types), 400 malformed, 401 unverifiable,
  // 403 refused by policy or spoofing, 404 unknown user, 413 too large, 415 wrong content type.
  HttpResponse Handle(const HttpRequest& request, std::string_view addressed_user) const;

  // Verifies the HTTP signature of any request (inbox POST or signed GET). On success returns the
  // key's owner (an actor id). kNotFound when unsigned; kUnauthorized when it does not verify.
  cs::Result<std::string> VerifyRequest(const HttpRequest& request) const;

 private:
  const store::Store& store_;
  store::Writer& writer_;
  const ActorCache& actors_;
  const Uris& uris_;
  const cs::Clock& clock_;
  InboxOptions options_;
  std::unique_ptr<ActivityHandlers> handlers_;
};

}  // namespace federation
