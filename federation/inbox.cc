#include "federation/inbox.h"

#include "federation/activity_handlers.h"
#include "federation/crypto.h"
#include "federation/digest.h"
#include "federation/documents.h"
#include "federation/http_signature.h"
#include "federation/json.h"
#include "federation/punycode.h"
#include "federation/url.h"

namespace federation {
namespace {

// {"status": "..."} for 2xx, {"error": "..."} otherwise: the reason a sender can log.
HttpResponse Answer(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", "application/json");
  r.body =
      std::string("{\"") + (status < 300 ? "status" : "error") + "\":" + JsonString(message) + "}";
  return r;
}

bool IsActivityContentType(std::string_view ct) {
  std::string lower = AsciiLower(ct);
  auto semi = lower.find(';');
  std::string base = lower.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  return base == "application/activity+json" || base == "application/ld+json" ||
         base == "application/json";
}

int HttpStatusFor(const cs::Status& st) {
  switch (st.code()) {
    case cs::Status::Code::kInvalidInput:
      return 400;
    case cs::Status::Code::kUnauthorized:
      return 401;
    case cs::Status::Code::kForbidden:
      return 403;
    case cs::Status::Code::kNotFound:
      return 404;
    case cs::Status::Code::kGone:
      return 410;
    case cs::Status::Code::kTooLarge:
      return 413;
    case cs::Status::Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace

Inbox::Inbox(const store::Store& store, store::Writer& writer, const ActorCache& actors,
             const Outbox& outbox, const Uris& uris, const cs::Clock& clock, InboxOptions options)
    : store_(store),
      writer_(writer),
      actors_(actors),
      uris_(uris),
      clock_(clock),
      options_(options),
      handlers_(std::make_unique<ActivityHandlers>(outbox, uris, clock)) {}

Inbox::~Inbox() = default;

cs::Result<std::string> Inbox::VerifyRequest(const HttpRequest& request) const {
  auto sigs = ParseSignatures(request);
  if (!sigs.ok()) return sigs.status();
  cs::Status last = cs::Status::Unauthorized("no signature verified");
  for (const auto& sig : *sigs) {
    // Hosts are compared and fetched in their ASCII (punycode) spelling only (BR-15).
    const std::string key_id = NormalizeUrlHost(sig.key_id);
    // A key we cannot fetch (SSRF guard, 410, timeouts) means the request is unauthenticated.
    for (bool refresh : {false, true}) {
      auto key = actors_.GetKey(key_id, refresh);
      if (!key.ok()) {
        last = cs::Status::Unauthorized("key " + sig.key_id + ": " + key.status().message());
        break;
      }
      auto pub = PublicKey::FromPem(key->pem);
      if (!pub.ok()) {
        last = cs::Status::Unauthorized("key " + sig.key_id +
                                        " is unusable: " + pub.status().message());
        break;
      }
      cs::Status st = VerifySignature(request, sig, *pub, clock_.NowSeconds(),
                                      options_.signature_window_seconds);
      if (st.ok()) return key->owner;
      last = st;
      // Only a cryptographic mismatch can be a rotated key; fetch it again once.
      if (refresh || key->fetched_at_ms > clock_.NowMillis() - 60'000) break;
    }
  }
  return last.Is(cs::Status::Code::kUnauthorized) ? last : cs::Status::Unauthorized(last.message());
}

HttpResponse Inbox::Handle(const HttpRequest& request, std::string_view addressed_user) const {
  if (request.method != "POST") {
    HttpResponse r = Answer(405, "inboxes take POST");
    r.headers.Set("allow", "POST");
    return r;
  }
  if (!IsActivityContentType(request.headers.Get("content-type")))
    return Answer(415, "expected application/activity+json");
  if (!addressed_user.empty()) {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return Answer(503, "storage unavailable");
    auto user = store::GetLocalActorByName(*txn, addressed_user);
    if (!user.ok() || user->deleted) return Answer(404, "no such user");
  }
  // Cheap checks before the JSON: a signature must be there, and the body must match its digest.
  if (!request.headers.Has("signature"))
    return Answer(401, "a signature is required (draft-cavage or RFC 9421)");
  if (cs::Status st = VerifyDigest(request.headers, request.body, /*require=*/true); !st.ok())
    return Answer(401, st.message());
  auto doc = ParseJson(request.body);
  if (!doc.ok()) return Answer(400, doc.status().message());
  auto activity = ParseActivity(*doc);
  if (!activity.ok()) return Answer(400, activity.status().message());
  activity->source_json = request.body;
  auto actor_url = ParseUrl(activity->actor);
  if (!actor_url.ok()) return Answer(400, "actor is not a URL");

  {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return Answer(503, "storage unavailable");
    if (store::IsBlocked(*txn, actor_url->Authority()))
      return Answer(403, "this server does not accept activities from " + actor_url->host);
    // An actor deleting itself that we never knew: nothing to do, and nothing to fetch (its
    // key is gone with it). Answered before any I/O (BR-24).
    if (activity->type == "Delete" && activity->object_id == activity->actor &&
        !store::GetActor(*txn, activity->actor).ok())
      return Answer(202, "unknown actor");
  }

  auto signer = VerifyRequest(request);
  if (!signer.ok()) {
    // Generic to the sender: why a key fetch failed (address refused, DNS) is for our log only,
    // or the inbox would probe our network for anyone.
    const std::string& why = signer.status().message();
    const bool fetch_failed =
        why.rfind("key ", 0) == 0 && why.find(" is unusable") == std::string::npos;
    HttpResponse r = Answer(
        401, fetch_failed ? "the signature key could not be fetched" : "signature did not verify");
    r.log_detail = why;
    return r;
  }
  // One actor never speaks for another: the key's owner is the actor, and the activity's id
  // is on the actor's origin (BR-05).
  if (*signer != activity->actor)
    return Answer(401, "signed by " + *signer + " but the actor is " + activity->actor);
  if (!SameOrigin(activity->id, activity->actor))
    return Answer(403, "activity id " + activity->id + " is not on the actor's origin");
  // Only now, verified: "duplicate" to an unverified request would tell anyone which
  // activities we received.
  {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return Answer(503, "storage unavailable");
    if (txn->Contains(store::Db::kSeen, activity->id)) return Answer(202, "duplicate");
  }
  if (!ActivityHandlers::Handles(activity->type)) {
    (void)writer_.Run([&](store::Txn& txn) -> cs::Status {
      auto fresh = store::MarkSeen(txn, activity->id, clock_.NowMillis());
      return fresh.ok() ? cs::Status::Ok() : fresh.status();
    });
    return Answer(202, "ignored");
  }
  auto sender = actors_.GetActor(activity->actor);
  if (!sender.ok()) {
    HttpResponse r = Answer(401, "the sender could not be fetched");
    r.log_detail = sender.status().message();
    return r;
  }

  cs::Status st = writer_.Run([&](store::Txn& txn) -> cs::Status {
    auto fresh = store::MarkSeen(txn, activity->id, clock_.NowMillis());
    if (!fresh.ok()) return fresh.status();
    if (!*fresh) return cs::Status::Ok();  // raced with the same delivery
    return handlers_->Apply(txn, *activity, *sender);
  });
  if (!st.ok()) return Answer(HttpStatusFor(st), st.message());
  return Answer(202, "accepted");
}

}  // namespace federation
