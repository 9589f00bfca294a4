// Cloudschool interop test peer: one real Fedify (https://fedify.dev) ActivityPub
// server with one actor, "alice", plus a small JSON control API under /control/.
//
//   node peer.mjs --port P [--host 127.0.0.1] --cert cert.pem --key key.pem
//                 [--first-knock rfc9421|draft-cavage-http-signatures-12]
//                 [--reject-scheme rfc9421|draft-cavage]...
//                 [--rsa-bits 4096|3072|2048] [--rsa-only] [--log-level warning]
//
// Loopback test use only: no auth on /control/, allowPrivateAddress is on.
// See README.md in this folder for the control API.

import { readFileSync } from "node:fs";
import https from "node:https";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

import {
  createExponentialBackoffPolicy,
  createFederation,
  generateCryptoKeyPair,
  InProcessMessageQueue,
  MemoryKvStore,
  verifyRequestDetailed,
} from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  getActorTypeName,
  Group,
  isActor,
  Like,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
  Update,
} from "@fedify/vocab";
import { configure, defaultTextFormatter } from "@logtape/logtape";
// Node 22 has no global Temporal; Fedify itself uses this polyfill too.
import { Temporal } from "@js-temporal/polyfill";

// ---------------------------------------------------------------- arguments

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    cert: { type: "string" },
    key: { type: "string" },
    "first-knock": { type: "string", default: "rfc9421" },
    "rsa-only": { type: "boolean", default: false },
    "rsa-bits": { type: "string", default: "4096" },
    "reject-scheme": { type: "string", multiple: true, default: [] },
    "log-level": { type: "string", default: process.env.FEDIFY_PEER_LOG_LEVEL ?? "warning" },
  },
  strict: true,
});

if (![2048, 3072, 4096].includes(Number(args["rsa-bits"]))) {
  console.error("[fedify-peer] --rsa-bits must be 2048, 3072 or 4096");
  process.exit(2);
}
const REJECT_SCHEMES = new Set(args["reject-scheme"]);
for (const r of REJECT_SCHEMES) {
  if (!["rfc9421", "draft-cavage"].includes(r)) {
    console.error("[fedify-peer] --reject-scheme must be rfc9421 or draft-cavage");
    process.exit(2);
  }
}
if (!args.cert || !args.key) {
  console.error("[fedify-peer] --cert and --key are required");
  process.exit(2);
}
const FIRST_KNOCKS = ["rfc9421", "draft-cavage-http-signatures-12"];
if (!FIRST_KNOCKS.includes(args["first-knock"])) {
  console.error(`[fedify-peer] --first-knock must be one of ${FIRST_KNOCKS.join(", ")}`);
  process.exit(2);
}

const USERNAME = "alice";
const HOST = args.host;
// "localhost" could resolve to ::1 only; the peer is meant for IPv4 loopback.
const BIND = HOST === "localhost" ? "127.0.0.1" : HOST;

function log(msg) {
  process.stdout.write(`[fedify-peer] ${msg}\n`);
}

// Fedify's own logs (signature failures, delivery errors, ...) go to stderr.
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr(record) {
      process.stderr.write(`[fedify-peer][fedify] ${defaultTextFormatter(record)}`);
    },
  },
  loggers: [
    { category: "fedify", sinks: ["stderr"], lowestLevel: args["log-level"] },
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
  ],
});

// ---------------------------------------------------------------- state (memory only)

/** Every POST to an inbox, in arrival order. */
const received = [];
let receivedSeq = 0;
/** follower actor id -> Recipient-like {id, inboxId, endpoints: {sharedInbox}} */
const followers = new Map();
/** follow id -> {follow_id, target, state: "pending"|"accepted"|"rejected"|"undone", ...} */
const follows = new Map();
/** note id -> {note: Note, create: Create} */
const notes = new Map();
/** outbound delivery errors (queued Accepts etc.) */
const outboxErrors = [];

// ---------------------------------------------------------------- HTTPS server

const server = https.createServer({
  cert: readFileSync(args.cert),
  key: readFileSync(args.key),
});
// The port is bound first (so --port 0 works and the origin is known), but
// requests are answered 503 until the federation is set up below.
let handleRequest = null;
server.on("request", (req, res) => {
  if (handleRequest != null) return handleRequest(req, res);
  req.resume();
  res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
  res.end('{"ok":false,"error":"starting"}');
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(Number(args.port), BIND, resolve);
});
const PORT = server.address().port;
const ORIGIN = `https://${HOST}:${PORT}`;

// ---------------------------------------------------------------- keys

// Fedify's own default is RSA-4096 (generateCryptoKeyPair), which takes
// 1-3 s to make; --rsa-bits 2048 (Mastodon's size) starts faster.
const RSA_BITS = Number(args["rsa-bits"]);
const rsaKeyPair = RSA_BITS === 4096
  ? await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")
  : await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: RSA_BITS,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
const keyPairs = [rsaKeyPair];
if (!args["rsa-only"]) keyPairs.push(await generateCryptoKeyPair("Ed25519"));

// ---------------------------------------------------------------- federation

const federation = createFederation({
  kv: new MemoryKvStore(),
  // Outbox queue: so the Accept of a Follow is sent after the Follow's POST is
  // answered (not from inside it), with a few quick retries.  Control actions
  // pass {immediate: true} and so deliver synchronously.
  queue: { outbox: new InProcessMessageQueue() },
  origin: ORIGIN,
  allowPrivateAddress: true,
  firstKnock: args["first-knock"],
  outboxRetryPolicy: createExponentialBackoffPolicy({
    maxAttempts: 4,
    initialDelay: { seconds: 1 },
    maxDelay: { seconds: 5 },
    jitter: false,
  }),
  circuitBreaker: false,
  onOutboxError(error, activity) {
    const entry = {
      activity_id: activity?.id?.href ?? null,
      activity_type: activity == null ? null : activity.constructor.name,
      error: String(error?.message ?? error),
      at: new Date().toISOString(),
    };
    outboxErrors.push(entry);
    log(`outbox error ${entry.activity_type} ${entry.activity_id}: ${entry.error}`);
  },
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice (Fedify test peer)",
      summary: "Fedify interop test peer for Cloudschool",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .mapHandle((_ctx, username) => (username === USERNAME ? USERNAME : null))
  .setKeyPairsDispatcher(async (_ctx, identifier) =>
    identifier === USERNAME ? keyPairs : []
  );

federation
  .setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return { items: [...followers.values()] };
  })
  .setCounter(async (_ctx, identifier) => (identifier === USERNAME ? followers.size : null));

federation
  .setFollowingDispatcher("/users/{identifier}/following", async (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return { items: acceptedFollows().map((f) => new URL(f.target)) };
  })
  .setCounter(async (_ctx, identifier) => (identifier === USERNAME ? acceptedFollows().length : null));

federation
  .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return { items: [...notes.values()].map((n) => n.create).reverse() };
  })
  .setCounter(async (_ctx, identifier) => (identifier === USERNAME ? notes.size : null));

federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", async (_ctx, values) => {
  if (values.identifier !== USERNAME) return null;
  return notes.get(values.id)?.note ?? null;
});

// Her Creates are dereferenceable too: a Group's Announce embeds them, and Fedify (like other
// servers) refetches an embedded activity from its own origin when it is not the Announce's.
federation.setObjectDispatcher(Create, "/users/{identifier}/notes/{id}/activity", async (_ctx, values) => {
  if (values.identifier !== USERNAME) return null;
  return notes.get(values.id)?.create ?? null;
});

function acceptedFollows() {
  return [...follows.values()].filter((f) => f.state === "accepted");
}

/** Marks the HTTP-level record (ctx.data) with what Fedify's listener saw. */
function mark(ctx, listener, extra = {}) {
  if (ctx.data != null && typeof ctx.data === "object") {
    ctx.data.processed_by = listener;
    Object.assign(ctx.data, extra);
  }
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  // Fetches made while handling shared-inbox POSTs are signed as alice too
  // (personal-inbox POSTs are signed as the recipient by Fedify itself).
  .setSharedKeyDispatcher(() => ({ identifier: USERNAME }))
  .on(Follow, async (ctx, follow) => {
    mark(ctx, "Follow");
    if (follow.id == null || follow.actorId == null || follow.objectId == null) return;
    const parsed = ctx.parseUri(follow.objectId);
    if (parsed?.type !== "actor" || parsed.identifier !== USERNAME) {
      log(`Follow ${follow.id.href} is not for ${USERNAME}; ignored`);
      return;
    }
    const follower = await follow.getActor(ctx);
    if (follower == null || follower.id == null || follower.inboxId == null) {
      log(`Follow ${follow.id.href}: could not fetch actor ${follow.actorId.href}`);
      return;
    }
    followers.set(follower.id.href, {
      id: follower.id,
      inboxId: follower.inboxId,
      endpoints: follower.endpoints?.sharedInbox == null
        ? null
        : { sharedInbox: follower.endpoints.sharedInbox },
    });
    const accept = new Accept({
      id: new URL(`/users/${USERNAME}/accepts/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(USERNAME),
      object: follow,
      to: follower.id,
    });
    log(`Follow from ${follower.id.href} recorded; queueing Accept ${accept.id.href}`);
    await ctx.sendActivity({ identifier: USERNAME }, follower, accept);
  })
  .on(Accept, async (ctx, accept) => {
    mark(ctx, "Accept");
    settleFollow(accept, "accepted");
  })
  .on(Reject, async (ctx, reject) => {
    mark(ctx, "Reject");
    settleFollow(reject, "rejected");
  })
  .on(Undo, async (ctx, undo) => {
    mark(ctx, "Undo");
    let object = null;
    try {
      object = await undo.getObject(ctx);
    } catch (e) {
      log(`Undo ${undo.id?.href}: cannot read object: ${e}`);
    }
    if (object instanceof Follow && undo.actorId != null && object.actorId?.href === undo.actorId.href) {
      if (followers.delete(undo.actorId.href)) log(`Undo(Follow): ${undo.actorId.href} no longer follows`);
    }
  })
  .on(Create, async (ctx, create) => {
    let object = null;
    try {
      object = await create.getObject(ctx);
    } catch (e) {
      log(`Create ${create.id?.href}: cannot read object: ${e}`);
    }
    mark(ctx, "Create", {
      processed_object_type: object?.constructor?.name ?? null,
      processed_content: object?.content?.toString() ?? null,
    });
  })
  .on(Update, async (ctx) => mark(ctx, "Update"))
  .on(Delete, async (ctx) => mark(ctx, "Delete"))
  .on(Announce, async (ctx, announce) => {
    // What Fedify makes of the announced object: an embedded object on another origin than the
    // Announce is refetched from its id (Fedify's default, crossOrigin "ignore"), one on the same
    // origin is taken as embedded. For a Group's Announce{Create{Note}} also the Create's object.
    let object = null;
    let inner = null;
    let error = null;
    try {
      object = await announce.getObject(ctx);
      if (object instanceof Activity) inner = await object.getObject(ctx);
    } catch (e) {
      error = String(e?.message ?? e);
      log(`Announce ${announce.id?.href}: cannot read object: ${error}`);
    }
    mark(ctx, "Announce", {
      processed_object_type: object?.constructor?.name ?? null,
      processed_object_id: object?.id?.href ?? null,
      processed_object_actor: object instanceof Activity ? object.actorId?.href ?? null : null,
      processed_inner_object_type: inner?.constructor?.name ?? null,
      processed_inner_object_id: inner?.id?.href ?? null,
      processed_content: (inner ?? object)?.content?.toString() ?? null,
      processed_error: error,
    });
  })
  .on(Like, async (ctx) => mark(ctx, "Like"))
  .on(Activity, async (ctx) => mark(ctx, "Activity"))
  .onError(async (ctx, error) => {
    mark(ctx, null, { listener_error: String(error?.message ?? error) });
    log(`inbox listener error: ${error?.stack ?? error}`);
  });

function settleFollow(response, state) {
  const objectId = response.objectId?.href;
  const actorId = response.actorId?.href;
  let f = objectId == null ? undefined : follows.get(objectId);
  let matchedBy = "follow_id";
  if (f == null) {
    // Some servers answer with an Accept whose object is not our Follow's id;
    // fall back to the most recent pending follow of that actor.
    f = [...follows.values()].reverse().find((x) => x.state === "pending" && x.target === actorId);
    matchedBy = "actor";
  }
  if (f == null || f.target !== actorId) {
    log(`${state} from ${actorId} of ${objectId}: matches no pending follow`);
    return;
  }
  f.state = state;
  f.settled_at = new Date().toISOString();
  f.matched_by = matchedBy;
  f.response_id = response.id?.href ?? null;
  log(`follow ${f.follow_id} ${state} by ${actorId} (matched by ${matchedBy})`);
}

// ---------------------------------------------------------------- inbox recording

const INBOX_PATHS = [`/users/${USERNAME}/inbox`, "/inbox"];

function idOf(v) {
  if (v == null) return null;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.length > 0 ? idOf(v[0]) : null;
  if (typeof v === "object") return v.id ?? v["@id"] ?? v.href ?? null;
  return null;
}

function signatureScheme(headers) {
  if (headers.has("signature-input")) return "rfc9421";
  if (headers.has("signature")) return "draft-cavage";
  const auth = headers.get("authorization");
  if (auth != null && /^signature\s/i.test(auth)) return "draft-cavage";
  return "none";
}

async function recordInboxPost(request, bodyBuf) {
  const url = new URL(request.url);
  let json = null;
  try {
    json = JSON.parse(bodyBuf.toString("utf8"));
  } catch {
    // leave null
  }
  const obj = json != null && typeof json.object === "object" && !Array.isArray(json.object)
    ? json.object
    : null;
  const entry = {
    seq: ++receivedSeq,
    inbox: url.pathname,
    type: json?.type ?? null,
    id: json?.id ?? null,
    actor: idOf(json?.actor),
    object_id: idOf(json?.object),
    object_type: obj?.type ?? null,
    content: obj?.content ?? null,
    in_reply_to: idOf(obj?.inReplyTo),
    // An embedded activity (a Group's Announce{Create{Note}}): its actor and its object.
    inner_actor: obj == null ? null : idOf(obj.actor),
    inner_object_id: obj == null ? null : idOf(obj.object),
    inner_object_type: typeof obj?.object === "object" && obj.object != null && !Array.isArray(obj.object)
      ? obj.object.type ?? null
      : null,
    inner_content: typeof obj?.object === "object" && obj.object != null ? obj.object.content ?? null : null,
    http_signature_verified: false,
    signature_scheme: signatureScheme(request.headers),
    signature_key_id: null,
    signature_key_owner: null,
    key_owner_is_actor: false,
    signature_error: null,
    received_at: new Date().toISOString(),
    status: null,
    processed_by: null,
    rejected_scheme: false,
    body: json,
  };
  // Our own check, independent of Fedify's inbox handler (which skips the
  // HTTP signature when a body LD signature / integrity proof verifies).
  // No key cache: the signing key is fetched from the sender every time.
  try {
    const ctx = federation.createContext(request, undefined);
    // Same loader Fedify's inbox uses: key fetches are GETs signed as alice.
    const result = await verifyRequestDetailed(request.clone(), {
      documentLoader: await ctx.getDocumentLoader({ identifier: USERNAME }),
      contextLoader: ctx.contextLoader,
    });
    if (result.verified) {
      entry.http_signature_verified = true;
      entry.signature_key_id = result.key.id?.href ?? null;
      entry.signature_key_owner = result.key.ownerId?.href ?? null;
      entry.key_owner_is_actor = entry.signature_key_owner != null &&
        entry.signature_key_owner === entry.actor;
    } else {
      const r = result.reason;
      entry.signature_error = r.type +
        (r.keyId ? ` keyId=${r.keyId.href}` : "") +
        (r.type === "keyFetchError" && r.result ? ` ${describeFetchError(r.result)}` : "");
      if (r.keyId) entry.signature_key_id = r.keyId.href;
    }
  } catch (e) {
    entry.signature_error = `exception: ${e?.message ?? e}`;
  }
  received.push(entry);
  return entry;
}

function describeFetchError(result) {
  try {
    if (result.error) return String(result.error.message ?? result.error);
    if (result.status) return `status=${result.status}`;
    return JSON.stringify(result);
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------- control API

function control() {
  return federation.createContext(new URL(ORIGIN), undefined);
}

/** body.signed === true: fetch with GETs signed as alice (for servers that
 *  require signed fetches); default: unsigned, like `fedify lookup`. */
async function loaderOptions(ctx, body) {
  return body?.signed === true
    ? { documentLoader: await ctx.getDocumentLoader({ identifier: USERNAME }) }
    : {};
}

async function lookupActor(ctx, target, opts = {}) {
  if (typeof target !== "string" || target === "") throw new Error("missing target/handle");
  const object = await ctx.lookupObject(target, { crossOrigin: "throw", ...opts });
  if (object == null) throw new Error(`lookup of ${target} found nothing`);
  if (!isActor(object)) throw new Error(`${target} is a ${object.constructor.name}, not an actor`);
  return object;
}

async function actorSummary(actor) {
  let publicKey = null;
  try {
    const key = await actor.getPublicKey();
    if (key != null) publicKey = { id: key.id?.href ?? null, owner: key.ownerId?.href ?? null };
  } catch (e) {
    publicKey = { error: String(e?.message ?? e) };
  }
  return {
    id: actor.id?.href ?? null,
    type: getActorTypeName(actor),
    preferredUsername: actor.preferredUsername?.toString() ?? null,
    name: actor.name?.toString() ?? null,
    inbox: actor.inboxId?.href ?? null,
    outbox: actor.outboxId?.href ?? null,
    followers: actor.followersId?.href ?? null,
    following: actor.followingId?.href ?? null,
    endpoints: { sharedInbox: actor.endpoints?.sharedInbox?.href ?? null },
    publicKey,
    raw: await actor.toJsonLd(),
  };
}

const SENDER = { identifier: USERNAME };
const PUBLIC_ALIASES = new Set(["Public", "as:Public", PUBLIC_COLLECTION.href]);

function aliceUri() {
  return new URL(`/users/${USERNAME}`, ORIGIN);
}
function aliceFollowersUri() {
  return new URL(`/users/${USERNAME}/followers`, ORIGIN);
}

const routes = {
  "GET /control/health": async () => ({ ok: true, origin: ORIGIN, actor: aliceUri().href }),

  "GET /control/received": async () => received,
  "GET /control/followers": async () => [...followers.keys()],
  "GET /control/following": async () => acceptedFollows().map((f) => f.target),
  "GET /control/follows": async () => [...follows.values()],
  "GET /control/outbox-errors": async () => outboxErrors,
  "GET /control/notes": async () =>
    Promise.all([...notes.values()].map(async (n) => await n.create.toJsonLd())),

  "POST /control/clear": async () => {
    const n = received.length;
    received.length = 0;
    outboxErrors.length = 0;
    return { ok: true, cleared: n };
  },

  "POST /control/lookup": async (body) => {
    const target = body.handle ?? body.target;
    const ctx = control();
    const actor = await lookupActor(ctx, target, await loaderOptions(ctx, body));
    return await actorSummary(actor);
  },

  "POST /control/follow": async (body) => {
    const ctx = control();
    const target = await lookupActor(ctx, body.target ?? body.handle, await loaderOptions(ctx, body));
    const follow = new Follow({
      id: new URL(`/users/${USERNAME}/follows/${randomUUID()}`, ORIGIN),
      actor: aliceUri(),
      object: target.id,
      to: target.id,
    });
    const rec = {
      follow_id: follow.id.href,
      target: target.id.href,
      state: "pending",
      sent_at: new Date().toISOString(),
    };
    follows.set(rec.follow_id, rec);
    try {
      await ctx.sendActivity(SENDER, target, follow, { immediate: true });
    } catch (e) {
      rec.state = "failed";
      rec.error = String(e?.message ?? e);
      throw e;
    }
    return { follow_id: rec.follow_id, target: rec.target };
  },

  "POST /control/unfollow": async (body) => {
    const ctx = control();
    const target = await lookupActor(ctx, body.target ?? body.handle, await loaderOptions(ctx, body));
    const mine = [...follows.values()].filter(
      (f) => f.target === target.id.href && (f.state === "accepted" || f.state === "pending"),
    );
    const undone = [];
    for (const f of mine) {
      const undo = new Undo({
        id: new URL(`/users/${USERNAME}/undos/${randomUUID()}`, ORIGIN),
        actor: aliceUri(),
        object: new Follow({ id: new URL(f.follow_id), actor: aliceUri(), object: target.id }),
        to: target.id,
      });
      await ctx.sendActivity(SENDER, target, undo, { immediate: true });
      f.state = "undone";
      undone.push({ follow_id: f.follow_id, undo_id: undo.id.href });
    }
    if (undone.length === 0) throw new Error(`not following ${target.id.href}`);
    return { target: target.id.href, undone };
  },

  "POST /control/post": async (body) => {
    const ctx = control();
    if (typeof body.content !== "string") throw new Error("content (string) is required");
    // "group": a post into a community (FEP-1b12): to the Group, cc Public, audience the Group,
    // delivered to the Group's inbox (which then announces it to its members).
    let group = null;
    if (body.group != null) {
      group = await lookupActor(ctx, body.group, await loaderOptions(ctx, body));
      if (!(group instanceof Group)) throw new Error(`${body.group} is a ${getActorTypeName(group)}, not a Group`);
    }
    const toList = body.to ?? (group != null ? [group.id.href] : [PUBLIC_COLLECTION.href]);
    const ccList = body.cc ?? (group != null ? [PUBLIC_COLLECTION.href] : body.to == null ? ["followers"] : []);
    const audienceList = body.audience ?? (group != null ? [group.id.href] : []);
    const norm = (v) => {
      if (PUBLIC_ALIASES.has(v)) return PUBLIC_COLLECTION;
      if (v === "followers") return aliceFollowersUri();
      return new URL(v);
    };
    const tos = toList.map(norm);
    const ccs = ccList.map(norm);
    const audiences = audienceList.map(norm);
    // Explicitly addressed actors (not Public, not our followers collection):
    const explicit = new Set();
    for (const u of [...tos, ...ccs]) {
      if (u.href !== PUBLIC_COLLECTION.href && u.href !== aliceFollowersUri().href) explicit.add(u.href);
    }
    const tags = [];
    if (body.mention != null) {
      const mentioned = await lookupActor(ctx, body.mention, await loaderOptions(ctx, body));
      explicit.add(mentioned.id.href);
      tags.push(new Mention({ href: mentioned.id, name: body.mention_name ?? null }));
      if (![...tos, ...ccs].some((u) => u.href === mentioned.id.href)) ccs.push(mentioned.id);
    }
    const recipients = new Map();
    for (const f of followers.values()) recipients.set(f.id.href, f);
    if (group != null) recipients.set(group.id.href, group);
    // Addressed URLs that are not actors (e.g. a remote followers collection)
    // stay in to/cc but get no delivery; they are reported in "skipped".
    const skipped = [];
    for (const href of explicit) {
      if (recipients.has(href)) continue;
      try {
        recipients.set(href, await lookupActor(ctx, href, await loaderOptions(ctx, body)));
      } catch (e) {
        skipped.push({ href, error: String(e?.message ?? e) });
      }
    }

    const id = randomUUID();
    const noteId = ctx.getObjectUri(Note, { identifier: USERNAME, id });
    const published = Temporal.Now.instant();
    const note = new Note({
      id: noteId,
      attribution: aliceUri(),
      content: body.content,
      mediaType: "text/html",
      tos,
      ccs,
      audiences,
      tags,
      replyTarget: body.in_reply_to == null ? null : new URL(body.in_reply_to),
      url: noteId,
      published,
    });
    const create = new Create({
      id: new URL(`${noteId.href}/activity`),
      actor: aliceUri(),
      object: note,
      tos,
      ccs,
      audiences,
      published,
    });
    notes.set(id, { note, create });
    const list = [...recipients.values()];
    let deliveryError = null;
    if (list.length > 0) {
      try {
        await ctx.sendActivity(SENDER, list, create, {
          immediate: true,
          preferSharedInbox: body.prefer_shared_inbox ?? true,
        });
      } catch (e) {
        // "allow_failure": a refusal is the expected answer (reported, not an error).
        if (body.allow_failure !== true) throw e;
        deliveryError = String(e?.message ?? e);
      }
    }
    return {
      note_id: noteId.href,
      activity_id: create.id.href,
      delivered_to: deliveryError == null ? list.map((r) => r.id.href) : [],
      skipped,
      ...(body.allow_failure === true ? { delivery_error: deliveryError } : {}),
    };
  },
};

// ---------------------------------------------------------------- request glue

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toRequest(req, body) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const method = req.method ?? "GET";
  return new Request(new URL(req.url ?? "/", ORIGIN), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
}

async function sendResponse(res, response) {
  const headers = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const buf = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(buf);
}

function sendJson(res, status, value) {
  const buf = Buffer.from(JSON.stringify(value, null, 1));
  res.writeHead(status, { "content-type": "application/json", "content-length": buf.length });
  res.end(buf);
}

handleRequest = async (req, res) => {
  try {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", ORIGIN);

    if (url.pathname.startsWith("/control/")) {
      const route = routes[`${req.method} ${url.pathname}`];
      if (route == null) return sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
      let input = {};
      if (req.method === "POST" && body.length > 0) {
        try {
          input = JSON.parse(body.toString("utf8"));
        } catch (e) {
          return sendJson(res, 400, { error: `bad JSON: ${e.message}` });
        }
      }
      const started = Date.now();
      try {
        const out = await route(input);
        if (req.method === "POST") {
          log(`control ${url.pathname} ${JSON.stringify(input)} -> ok ${Date.now() - started}ms ${JSON.stringify(out).slice(0, 300)}`);
        }
        return sendJson(res, 200, out);
      } catch (e) {
        const msg = String(e?.message ?? e);
        log(`control ${url.pathname} ${JSON.stringify(input)} -> error ${Date.now() - started}ms: ${msg}`);
        return sendJson(res, 500, { error: msg });
      }
    }

    const request = toRequest(req, body);
    if (req.method === "POST" && INBOX_PATHS.includes(url.pathname)) {
      const entry = await recordInboxPost(request, body);
      // --reject-scheme: answer 401 before Fedify sees it (after our own
      // verifyRequest), to make a sender fall back to the other scheme.
      const response = REJECT_SCHEMES.has(entry.signature_scheme)
        ? new Response(`signature scheme ${entry.signature_scheme} refused (--reject-scheme)`, {
          status: 401,
          headers: { "content-type": "text/plain" },
        })
        : await federation.fetch(request, { contextData: entry });
      if (response.status === 401 && REJECT_SCHEMES.has(entry.signature_scheme)) {
        entry.rejected_scheme = true;
      }
      entry.status = response.status;
      log(
        `inbox POST ${entry.inbox} ${entry.type} id=${entry.id} actor=${entry.actor} ` +
          `object=${entry.object_id}${entry.object_type ? ` (${entry.object_type})` : ""} ` +
          `scheme=${entry.signature_scheme} verified=${entry.http_signature_verified}` +
          `${entry.signature_error ? ` (${entry.signature_error})` : ""} ` +
          `-> ${response.status} processed_by=${entry.processed_by}`,
      );
      return await sendResponse(res, response);
    }

    const response = await federation.fetch(request, {
      contextData: undefined,
      onNotFound: () => new Response("Not found", { status: 404 }),
      onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
    });
    const sig = signatureScheme(request.headers);
    log(`http ${req.method} ${url.pathname}${url.search} (signature: ${sig}) -> ${response.status}`);
    return await sendResponse(res, response);
  } catch (e) {
    log(`request error ${req.method} ${req.url}: ${e?.stack ?? e}`);
    if (!res.headersSent) sendJson(res, 500, { error: String(e?.message ?? e) });
    else res.end();
  }
};

function shutdown(sig) {
  log(`${sig}: shutting down`);
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

log(
  `ready origin=${ORIGIN} actor=${aliceUri().href} handle=acct:${USERNAME}@${HOST}:${PORT} ` +
    `first_knock=${args["first-knock"]} reject_scheme=${[...REJECT_SCHEMES].join(",") || "-"} rsa_bits=${RSA_BITS} keys=${keyPairs.length} node=${process.version}`,
);
