// Commands of shared resources: resource add / update / list / show / history / fetch.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/output.h"
#include "federation/crypto.h"
#include "federation/handle.h"
#include "federation/resource.h"
#include "federation/resource_fetch.h"
#include "node/node.h"
#include "store/resources.h"

namespace cli {
namespace {

// A file over the limit is refused by policy (exit 3), like other refusals.
int FailFile(const cs::Status& st) {
  return st.Is(cs::Status::Code::kTooLarge) ? Fail(st.message(), kExitRefused) : Fail(st);
}

struct ResourceArgs {
  std::string as, community, title, description, license, language, url, out;
  std::vector<std::string> files, subjects, levels;
};

// The community's actor id for --community: a local name ("maths"), a handle or a URL, as
// `post --community` takes it. Any actor the lookup finds is accepted when it is a Group;
// communities are Group actors (FEP-1b12).
cs::Result<std::string> ResolveCommunity(const node::Node& n, const std::string& text) {
  cs::Result<store::ActorRecord> actor = cs::Status::NotFound("");
  if (!federation::LooksLikeUrl(text) && text.find('@') == std::string::npos) {
    auto txn = n.store().BeginRead();
    if (!txn.ok()) return txn.status();
    actor = store::GetLocalActorByName(*txn, text);
    if (!actor.ok())
      return cs::Status::NotFound("--community " + text + ": no community named '" + text +
                                  "' on this node");
  } else {
    actor = n.ResolveActor(text);
  }
  if (!actor.ok())
    return cs::Status(actor.status().code(),
                      "--community " + text + ": " + actor.status().message());
  if (actor->type != "Group")
    return cs::Status::InvalidInput("--community " + text + " is a " + actor->type +
                                    ", not a community (a Group)");
  return actor->id;
}

federation::ResourceInput InputFrom(const ResourceArgs& a, const CLI::App& cmd) {
  federation::ResourceInput in;
  if (cmd.count("--title")) in.title = a.title;
  if (cmd.count("--description")) in.description = a.description;
  if (cmd.count("--license")) in.license = a.license;
  if (cmd.count("--language")) in.language = a.language;
  // Teachers may type Dutch names or any case: the wire carries the codes.
  auto codes = [](const std::vector<std::string>& terms, std::string (*code)(std::string_view)) {
    std::vector<std::string> out;  // in the order given, each once (wiskunde = mathematics)
    for (const auto& t : terms)
      if (std::string c = code(t); std::find(out.begin(), out.end(), c) == out.end())
        out.push_back(std::move(c));
    return out;
  };
  if (cmd.count("--subject")) in.subjects = codes(a.subjects, federation::SubjectCode);
  if (cmd.count("--level")) in.levels = codes(a.levels, federation::SchoolLevelCode);
  return in;
}

// When `r` was deleted (by its author here, or a Delete from its origin), else 0.
int64_t DeletedMs(const store::Txn& txn, const store::ResourceRecord& r) {
  if (r.deleted_ms) return r.deleted_ms;
  auto o = store::GetObject(txn, r.id);
  return o.ok() && o->deleted() ? o->deleted_ms : 0;
}

void PrintFile(JsonOut& out, const store::ResourceFile& f) {
  out.w().StartObject();
  out.Str("name", f.name);
  out.Str("media_type", f.media_type);
  out.Key("size");
  out.w().Uint64(f.size);
  out.Str("sha256", f.sha256_hex);
  out.Str("digest_multibase", federation::DigestMultibase(store::FromHex(f.sha256_hex)));
  out.Str("url", f.url);
  out.w().EndObject();
}

void StrArray(JsonOut& out, const char* key, const std::vector<std::string>& v) {
  out.Key(key);
  out.w().StartArray();
  for (const auto& s : v) out.w().String(s.c_str());
  out.w().EndArray();
}

void PrintVersion(JsonOut& out, const store::ResourceRecord& r,
                  const store::ResourceVersionRecord& v, bool with_resource,
                  int64_t deleted_ms = 0) {
  out.w().StartObject();
  if (with_resource) {
    out.Str("id", r.id);
    out.Time("deleted", deleted_ms);  // null, or when it was deleted
    out.Str("author", r.attributed_to);
    out.StrOrNull("community", r.audience);
    out.Key("local");
    out.w().Bool(r.local);
    out.Time("published", r.created_ms);
    out.Time("updated", r.updated_ms);
  }
  out.Key("version");
  out.w().Uint64(v.version);
  out.StrOrNull("version_id", v.version_id);
  out.Str("title", v.title);
  out.StrOrNull("description", v.description_markdown);
  out.StrOrNull("description_html", v.description_html);
  out.StrOrNull("license", v.license);
  out.StrOrNull("language", v.language);
  StrArray(out, "subjects", v.subjects);
  StrArray(out, "levels", v.levels);
  StrArray(out, "authors", v.authors);
  out.Time("version_published", v.published_ms);
  out.Key("files");
  out.w().StartArray();
  for (const auto& f : v.files) PrintFile(out, f);
  out.w().EndArray();
  out.w().EndObject();
}

// The resource `url` names (a resource or one of its versions): from the store, or fetched from
// its origin when it is another school's and not here yet.
cs::Result<std::string> FindResource(const node::Node& n, const std::string& url, bool fetch) {
  {
    auto txn = n.store().BeginRead();
    if (!txn.ok()) return txn.status();
    if (store::GetResource(*txn, url).ok()) return url;
    // A version URL of one of ours: RESOURCE/versions/N.
    auto p = url.rfind("/versions/");
    if (p != std::string::npos && store::GetResource(*txn, url.substr(0, p)).ok())
      return url.substr(0, p);
  }
  if (n.uris().IsLocal(url) || !fetch) return cs::Status::NotFound("no resource " + url);
  return federation::FetchAndStoreResource(n.store(), n.fetcher(), n.actors(), url, n.clock());
}

// Writes `bytes` as DIR/NAME atomically (temporary file in DIR, fsync, rename).
cs::Status WriteOut(const std::string& dir, const std::string& name, std::string_view bytes) {
  std::string path = dir + "/" + name;
  std::string tmp = dir + "/.cloudschool-" + federation::RandomId() + ".part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return cs::Status::IOError("cannot write in " + dir);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w <= 0) break;
    done += static_cast<size_t>(w);
  }
  bool ok = done == bytes.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return cs::Status::IOError("cannot write " + path);
  }
  return cs::Status::Ok();
}

// Typed text (the title one line of at most 200 characters, the description Markdown of several
// lines), then what the federation layer checks of every resource.
cs::Status CheckInput(const federation::ResourceInput& in, bool creating) {
  if (in.title) CS_RETURN_IF_ERROR(CheckTyped("--title", *in.title, kMaxTitleChars));
  if (in.description)
    CS_RETURN_IF_ERROR(CheckTyped("--description", *in.description, SIZE_MAX, Lines::kMany));
  return federation::ValidateResourceInput(in, creating);
}

int CmdResourceAdd(const Global& g, const ResourceArgs& a, const CLI::App& cmd) {
  federation::ResourceInput in = InputFrom(a, cmd);
  if (cs::Status st = CheckInput(in, true); !st.ok()) return Fail(st);
  if (a.files.empty()) return Fail("a resource needs at least one --file", kExitUsage);
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  if (!a.community.empty()) {
    auto c = ResolveCommunity(**n, a.community);
    if (!c.ok()) return Fail(c.status());
    in.community = *c;
  }
  {  // the teacher must exist before any file is copied
    auto txn = (*n)->store().BeginRead();
    if (!txn.ok()) return Fail(txn.status());
    auto me = store::GetLocalActorByName(*txn, a.as);
    if (me.ok() && me->type == "Person" && me->deleted)
      return Fail(cs::Status::Gone("user '" + a.as + "' was deleted"));
    if (!me.ok() || me->type != "Person")
      return Fail(cs::Status::NotFound("no teacher '" + a.as + "' here"));
  }
  auto files = federation::ImportFiles((*n)->blobs(), (*n)->uris(), a.files);
  if (!files.ok()) return FailFile(files.status());
  std::string id;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto r = federation::CreateResource(t, (*n)->outbox(), (*n)->uris(), (*n)->clock(), a.as, in,
                                        *files);
    if (!r.ok()) return r.status();
    id = *r;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("%s\n", id.c_str());
  return kExitOk;
}

// True when every option given equals what the current version has: a new version would be
// the same as the one before, so none is made (and nothing is sent).
bool Unchanged(const federation::ResourceInput& in,
               const std::optional<std::vector<store::ResourceFile>>& files,
               const store::ResourceVersionRecord& cur) {
  if (in.title && *in.title != cur.title) return false;
  if (in.description && *in.description != cur.description_markdown) return false;
  if (in.license) {
    auto l = federation::NormalizeLicense(*in.license);
    if (!l.ok() || *l != cur.license) return false;
  }
  if (in.language && *in.language != cur.language) return false;
  if (in.subjects && *in.subjects != cur.subjects) return false;
  if (in.levels && *in.levels != cur.levels) return false;
  if (files) {
    if (files->size() != cur.files.size()) return false;
    for (size_t i = 0; i < files->size(); ++i)
      if ((*files)[i].name != cur.files[i].name ||
          (*files)[i].sha256_hex != cur.files[i].sha256_hex)
        return false;
  }
  return true;
}

int CmdResourceUpdate(const Global& g, const ResourceArgs& a, const CLI::App& cmd) {
  federation::ResourceInput in = InputFrom(a, cmd);
  if (!in.title && !in.description && !in.license && !in.language && !in.subjects && !in.levels &&
      a.files.empty())
    return Fail(
        "nothing to change: give at least one of --title, --description, --license, "
        "--subject, --level, --language, --file",
        kExitUsage);
  if (cs::Status st = CheckInput(in, false); !st.ok()) return Fail(st);
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  {
    auto txn = (*n)->store().BeginRead();
    if (!txn.ok()) return Fail(txn.status());
    auto r = store::GetResource(*txn, a.url);
    if (!r.ok()) return Fail(cs::Status::NotFound("no resource " + a.url + " here"));
    if (!r->local)
      return Fail(cs::Status::Forbidden(a.url + " is another school's resource; only its author "
                                                "can update it, on their own node"));
    auto me = store::GetLocalActorByName(*txn, a.as);
    if (!me.ok() || me->id != r->attributed_to)
      return Fail(cs::Status::Forbidden(a.as + " is not the author of " + a.url));
  }
  std::optional<std::vector<store::ResourceFile>> files;
  if (!a.files.empty()) {
    auto imported = federation::ImportFiles((*n)->blobs(), (*n)->uris(), a.files);
    if (!imported.ok()) return FailFile(imported.status());
    files = std::move(*imported);
  }
  {
    auto txn = (*n)->store().BeginRead();
    if (!txn.ok()) return Fail(txn.status());
    auto r = store::GetResource(*txn, a.url);
    if (!r.ok()) return Fail(r.status());
    auto cur = store::GetCurrentVersion(*txn, *r);
    if (cur.ok() && Unchanged(in, files, *cur)) {
      Say("%s is unchanged: the options equal version %llu, so no new version was made\n", a.url,
          static_cast<unsigned long long>(cur->version));
      return kExitOk;
    }
  }
  uint64_t version = 0;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto v = federation::UpdateResource(t, (*n)->outbox(), (*n)->uris(), (*n)->clock(), a.as, a.url,
                                        in, files);
    if (!v.ok()) return v.status();
    version = *v;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("%s\n", federation::VersionUrl(a.url, version).c_str());
  return kExitOk;
}

int CmdResourceList(const Global& g, const ResourceArgs& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  std::string community;
  if (!a.community.empty()) {
    auto c = ResolveCommunity(**n, a.community);
    if (!c.ok()) return Fail(c.status());
    community = *c;
  }
  std::vector<std::pair<store::ResourceRecord, store::ResourceVersionRecord>> list;
  cs::Status st = (*n)->store().View([&](store::Txn& t) -> cs::Status {
    for (auto& r : store::ListResources(t)) {
      if (!community.empty() && r.audience != community) continue;
      if (DeletedMs(t, r)) continue;
      auto v = store::GetCurrentVersion(t, r);
      if (v.ok()) list.emplace_back(std::move(r), std::move(*v));
    }
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  std::sort(list.begin(), list.end(),
            [](const auto& x, const auto& y) { return x.first.updated_ms > y.first.updated_ms; });
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& [r, v] : list) PrintVersion(out, r, v, true);
    out.w().EndArray();
    out.Print();
  } else {
    for (const auto& [r, v] : list)
      Say("%s  v%llu  %s  (%zu file%s)  %s\n  %s\n", cs::FormatRfc3339(r.updated_ms / 1000).c_str(),
          static_cast<unsigned long long>(v.version), v.title.c_str(), v.files.size(),
          v.files.size() == 1 ? "" : "s", r.attributed_to.c_str(), r.id.c_str());
    if (list.empty()) Say("no resources yet\n");
  }
  return kExitOk;
}

int CmdResourceShow(const Global& g, const ResourceArgs& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto id = FindResource(**n, a.url, true);
  if (id.status().Is(cs::Status::Code::kGone)) {
    // Its origin answers 410 and we never stored it: all there is to show is that it is gone,
    // since when we know (now).
    if (g.json) {
      JsonOut out;
      out.w().StartObject();
      out.Str("id", a.url);
      out.Time("deleted", (*n)->clock().NowMillis());
      out.w().EndObject();
      out.Print();
    } else {
      Say("%s\n  deleted (%s)\n", a.url, id.status().message());
    }
    return kExitOk;
  }
  if (!id.ok()) return Fail(id.status());
  store::ResourceRecord r;
  store::ResourceVersionRecord v;
  int64_t deleted_ms = 0;
  cs::Status st = (*n)->store().View([&](store::Txn& t) -> cs::Status {
    auto rr = store::GetResource(t, *id);
    if (!rr.ok()) return rr.status();
    r = *rr;
    deleted_ms = DeletedMs(t, r);
    auto p = a.url.rfind("/versions/");
    auto vv =
        p != std::string::npos && a.url.substr(0, p) == r.id
            ? store::GetResourceVersion(t, r.id, std::strtoull(a.url.c_str() + p + 10, nullptr, 10))
            : store::GetCurrentVersion(t, r);
    if (!vv.ok()) return deleted_ms ? cs::Status::Ok() : vv.status();  // gone with it
    v = *vv;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  if (g.json) {
    JsonOut out;
    PrintVersion(out, r, v, true, deleted_ms);
    out.Print();
    return kExitOk;
  }
  Say("%s%s\n  id: %s\n", deleted_ms ? "(deleted) " : "", v.title, r.id);
  if (deleted_ms) Say("  deleted: %s\n", cs::FormatRfc3339(deleted_ms / 1000));
  Say("  version: %llu (%s)\n  author: %s\n", static_cast<unsigned long long>(v.version),
      cs::FormatRfc3339(v.published_ms / 1000).c_str(), r.attributed_to.c_str());
  if (!r.audience.empty()) Say("  community: %s\n", r.audience.c_str());
  Say("  license: %s (%s)\n", federation::LicenseLabel(v.license).c_str(), v.license.c_str());
  if (!v.language.empty()) Say("  language: %s\n", v.language.c_str());
  auto join = [](const std::vector<std::string>& xs) {
    std::string s;
    for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!v.subjects.empty()) Say("  subjects: %s\n", join(v.subjects).c_str());
  if (!v.levels.empty()) Say("  levels: %s\n", join(v.levels).c_str());
  Say("  files:\n");
  for (const auto& f : v.files)
    Say("    %s  %s  %s\n      %s\n", f.name.c_str(), store::HumanBytes(f.size).c_str(),
        f.media_type.c_str(), f.url.c_str());
  if (!v.description_markdown.empty()) Say("\n%s\n", Multiline{v.description_markdown});
  return kExitOk;
}

int CmdResourceHistory(const Global& g, const ResourceArgs& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto id = FindResource(**n, a.url, true);
  if (!id.ok()) return Fail(id.status());
  store::ResourceRecord r;
  std::vector<store::ResourceVersionRecord> versions;
  auto load = [&] {
    return (*n)->store().View([&](store::Txn& t) -> cs::Status {
      auto rr = store::GetResource(t, *id);
      if (!rr.ok()) return rr.status();
      r = *rr;
      versions = store::ListResourceVersions(t, *id);
      return cs::Status::Ok();
    });
  };
  if (cs::Status st = load(); !st.ok()) return Fail(st);
  if (!r.local && versions.size() < r.current_version) {
    // Versions we never received (we learnt of it late): ask its origin for the history.
    if (federation::FetchResourceHistory((*n)->store(), (*n)->fetcher(), r.id, (*n)->clock()).ok())
      if (cs::Status st = load(); !st.ok()) return Fail(st);
  }
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) PrintVersion(out, r, *it, false);
    out.w().EndArray();
    out.Print();
    return kExitOk;
  }
  for (auto it = versions.rbegin(); it != versions.rend(); ++it)
    Say("v%llu  %s  %s  (%zu file%s)\n  %s\n", static_cast<unsigned long long>(it->version),
        cs::FormatRfc3339(it->published_ms / 1000).c_str(), it->title.c_str(), it->files.size(),
        it->files.size() == 1 ? "" : "s",
        it->version_id.empty() ? "(no id)" : it->version_id.c_str());
  return kExitOk;
}

// A directory for downloads next to where they go, removed (with what is in it) unless Keep()
// is called: a failed fetch leaves nothing behind, not even the --out it would have created.
class Staging {
 public:
  // In --out when it exists; else in its nearest existing ancestor (the same file system, so
  // the final rename is atomic).
  static cs::Result<Staging> In(const std::filesystem::path& out) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path base = out;
    if (!fs::is_directory(out, ec)) {
      if (fs::exists(out, ec))
        return cs::Status::InvalidInput("--out " + out.string() + " is not a directory");
      base = fs::absolute(out, ec).parent_path();
      while (!base.empty() && !fs::exists(base, ec) && base != base.root_path())
        base = base.parent_path();
      if (!fs::is_directory(base, ec))
        return cs::Status::InvalidInput("--out " + out.string() + ": " + base.string() +
                                        " is not a directory");
    }
    Staging s;
    s.dir_ = base / (".cloudschool-fetch-" + federation::RandomId());
    if (!fs::create_directory(s.dir_, ec))
      return cs::Status::IOError("cannot write in " + base.string() + ": " + ec.message());
    return s;
  }
  Staging() = default;
  Staging(Staging&& o) noexcept : dir_(std::move(o.dir_)) { o.dir_.clear(); }
  Staging& operator=(Staging&&) = delete;
  ~Staging() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  const std::filesystem::path& dir() const { return dir_; }

  // Moves every file into `out` (created, with missing parents, when absent).
  cs::Status MoveInto(const std::filesystem::path& out, const std::vector<std::string>& names) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(out, ec)) {
      if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
      fs::rename(dir_, out, ec);
      if (ec) return cs::Status::IOError("cannot create " + out.string() + ": " + ec.message());
      dir_.clear();
      return cs::Status::Ok();
    }
    for (const auto& name : names) {
      fs::rename(dir_ / name, out / name, ec);
      if (ec)
        return cs::Status::IOError("cannot write " + (out / name).string() + ": " + ec.message());
    }
    return cs::Status::Ok();
  }

 private:
  std::filesystem::path dir_;
};

int CmdResourceFetch(const Global& g, const ResourceArgs& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto id = FindResource(**n, a.url, true);
  if (id.status().Is(cs::Status::Code::kGone))
    return Fail(a.url + " was deleted (" + id.status().message() + "); nothing written",
                kExitRefused);
  if (!id.ok()) return Fail(id.status());
  if (!(*n)->uris().IsLocal(*id)) {
    // Another school's resource: ask its origin again before downloading, so that a deletion
    // there (410) is not missed when its Delete never reached us, and the newest version is
    // what gets written. An origin that does not answer leaves what we hold.
    auto fresh = federation::FetchAndStoreResource((*n)->store(), (*n)->fetcher(), (*n)->actors(),
                                                   *id, (*n)->clock());
    if (fresh.status().Is(cs::Status::Code::kGone)) {
      const int64_t now = (*n)->clock().NowMillis();
      (void)(*n)->store().Update([&](store::Txn& t) -> cs::Status {
        auto r = store::GetResource(t, *id);
        if (!r.ok() || r->deleted_ms) return cs::Status::Ok();
        r->deleted_ms = now;  // `resource show` says so from now on
        return store::PutResource(t, *r);
      });
      return Fail(*id + " was deleted at its origin (" + fresh.status().message() +
                      "); nothing written",
                  kExitRefused);
    }
  }
  store::ResourceVersionRecord v;
  int64_t deleted_ms = 0;
  cs::Status st = (*n)->store().View([&](store::Txn& t) -> cs::Status {
    auto r = store::GetResource(t, *id);
    if (!r.ok()) return r.status();
    deleted_ms = DeletedMs(t, *r);
    auto cur = store::GetCurrentVersion(t, *r);
    if (!cur.ok()) return cur.status();
    v = *cur;
    return cs::Status::Ok();
  });
  if (deleted_ms)
    return Fail(*id + " was deleted " + cs::FormatRfc3339(deleted_ms / 1000) + "; nothing written",
                kExitRefused);
  if (!st.ok()) return Fail(st);
  // Downloads get the file limit instead of the 2 MiB document limit, and more time.
  federation::HttpClientOptions opts = (*n)->client().options();
  opts.max_response_bytes = static_cast<size_t>((*n)->config().max_file_bytes);
  opts.total_timeout_ms = 300000;
  federation::HttpClient downloads(std::move(opts));
  const uint64_t cap = static_cast<uint64_t>((*n)->config().max_cache_bytes);
  // Every file is downloaded and verified into a staging directory first; --out gets them only
  // when all are good, so a bad file leaves no partial set behind.
  auto staging = Staging::In(a.out);
  if (!staging.ok()) return Fail(staging.status());
  struct Written {
    std::string name, sha256_hex;
    uint64_t size = 0;
    bool cached = false;
  };
  std::vector<Written> written;
  std::vector<std::string> names;
  for (const auto& f : v.files) {
    auto name =
        federation::SanitizeFileName(f.name);  // again: never trust a stored name for a path
    if (!name.ok()) return Fail(name.status().message() + "; nothing written", kExitFailed);
    const int64_t now = (*n)->clock().NowMillis();
    auto bytes = federation::ReadStoredFile((*n)->store(), (*n)->blobs(), f, now);
    bool cached = bytes.ok();
    if (!cached) {
      if ((*n)->uris().IsLocal(f.url))
        return Fail(f.name + ": " +
                    (bytes.status().Is(cs::Status::Code::kCorruption)
                         ? bytes.status().message()
                         : "the file is missing from " + (*n)->blobs().root()) +
                    "; nothing written");
      // Signed: a closed community's files are served only to its members' servers.
      bytes = federation::DownloadFile(downloads, f, &(*n)->fetcher());
      // A failed download is a failure (1), whatever the cause, except a file over the limit
      // (refused by policy, 3) and a resource its origin deleted (3).
      if (!bytes.ok()) {
        const cs::Status& e = bytes.status();
        const bool refused = e.Is(cs::Status::Code::kTooLarge) || e.Is(cs::Status::Code::kGone);
        return Fail(e.message() + "; nothing written", refused ? kExitRefused : kExitFailed);
      }
      if (cs::Status c = federation::CacheFile((*n)->store(), (*n)->blobs(), f, *bytes, cap, now);
          !c.ok())
        Warn(f.name + " not kept in the cache: " + c.message());
    }
    if (cs::Status w = WriteOut(staging->dir().string(), *name, *bytes); !w.ok())
      return Fail(w.message() + "; nothing written", kExitFailed);
    written.push_back({*name, f.sha256_hex, bytes->size(), cached});
    names.push_back(*name);
  }
  if (cs::Status m = staging->MoveInto(a.out, names); !m.ok()) return Fail(m);
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& w : written) {
      out.w().StartObject();
      out.Str("name", w.name);
      out.Str("path", a.out + "/" + w.name);
      out.Key("size");
      out.w().Uint64(w.size);
      out.Str("sha256", w.sha256_hex);
      out.Str("digest_multibase", federation::DigestMultibase(store::FromHex(w.sha256_hex)));
      out.Key("verified");
      out.w().Bool(true);
      out.Key("from_cache");
      out.w().Bool(w.cached);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
  } else {
    for (const auto& w : written)
      Say("%s  %s  sha256 %s verified\n", w.name, store::HumanBytes(w.size), w.sha256_hex);
    Say("%zu file%s of version %llu written to %s\n", v.files.size(),
        v.files.size() == 1 ? "" : "s", static_cast<unsigned long long>(v.version), a.out);
  }
  return kExitOk;
}

}  // namespace

void AddResourceCommands(CLI::App& app, Global& g, int& rc) {
  static ResourceArgs a;  // CLI11 binds to storage that outlives parsing
  auto* res = app.add_subcommand("resource", "shared resources: lesson plans, slides, worksheets");
  res->require_subcommand(1);
  auto metadata = [&](CLI::App* c) {
    c->add_option("--title", a.title, "title (up to 200 characters)");
    c->add_option("--description", a.description, "description (Markdown)");
    c->add_option("--license", a.license,
                  "Creative Commons license URL (default: the community's, else CC BY 4.0)");
    c->add_option("--subject", a.subjects,
                  "subject (repeatable): mathematics (wiskunde, rekenen), dutch (Nederlands), "
                  "english, german, french, frisian, physics, chemistry, biology, science, "
                  "geography, history, economics, social-studies, religion-philosophy, arts, "
                  "music, physical-education, computer-science, technology, pedagogy, other; "
                  "Dutch names work too (docs/vocabulary.md)")
        ->allow_extra_args(false);
    c->add_option("--level", a.levels,
                  "school level: po, so, vo, vmbo, havo, vwo, mbo, hbo, wo, ... (repeatable)")
        ->allow_extra_args(false);
    c->add_option("--language", a.language, "language code (nl, en, fy, ...)");
    c->add_option("--file", a.files, "a file to share (repeatable)")->allow_extra_args(false);
  };
  auto* add = res->add_subcommand("add", "share a resource (prints its id)");
  add->add_option("--as", a.as, "local teacher")->required();
  add->add_option("--community", a.community, "community (handle or URL) it is shared in");
  metadata(add);
  add->callback([&g, &rc, add] { rc = CmdResourceAdd(g, a, *add); });

  auto* update = res->add_subcommand("update", "a new version (given --file's replace the files)");
  update->add_option("URL", a.url, "the resource")->required();
  update->add_option("--as", a.as, "local teacher (the author)")->required();
  metadata(update);
  update->callback([&g, &rc, update] { rc = CmdResourceUpdate(g, a, *update); });

  auto* list = res->add_subcommand("list", "resources here and from other schools, newest first");
  list->add_option("--community", a.community, "only those of this community");
  list->add_flag("--json", g.json, "print one JSON document");
  list->callback([&g, &rc] { rc = CmdResourceList(g, a); });

  auto* show = res->add_subcommand("show", "a resource (fetched from its school when not here)");
  show->add_option("URL", a.url)->required();
  show->add_flag("--json", g.json, "print one JSON document");
  show->callback([&g, &rc] { rc = CmdResourceShow(g, a); });

  auto* history = res->add_subcommand("history", "every version of a resource, newest first");
  history->add_option("URL", a.url)->required();
  history->add_flag("--json", g.json, "print one JSON document");
  history->callback([&g, &rc] { rc = CmdResourceHistory(g, a); });

  auto* fetch = res->add_subcommand("fetch", "download the newest files and check their digests");
  fetch->add_option("URL", a.url)->required();
  fetch->add_option("--out", a.out, "directory to write the files into")->required();
  fetch->add_flag("--json", g.json, "print one JSON document");
  fetch->callback([&g, &rc] { rc = CmdResourceFetch(g, a); });
}

}  // namespace cli
