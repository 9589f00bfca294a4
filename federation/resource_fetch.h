// Resources of other schools, on demand: fetching a resource document (or its history) from its
// origin, downloading its files through the guarded HttpClient with the file size limit and
// checking each against its digestMultibase, and keeping copies in the blob store within a cap
// (least recently used copies go first; files of our own resources are never evicted).
// Network calls never run inside a store transaction. Thread-safe.
#pragma once

#include <string>

#include "federation/actor_cache.h"
#include "federation/fetcher.h"
#include "federation/http_client.h"
#include "federation/resource.h"
#include "store/files.h"

namespace federation {

// Fetches `url` (a resource or one of its versions) from its origin, checks that it is a resource
// attributed to an actor of that origin, and stores its metadata. Returns the resource id.
// kInvalidInput when the document is not a resource.
cs::Result<std::string> FetchAndStoreResource(const store::Store& store, const Fetcher& fetcher,
                                              const ActorCache& actors, const std::string& url,
                                              const cs::Clock& clock);

// Fetches the history collection of a remote resource and stores the versions it lists (each
// must be a version of `resource_id`, on its origin). Returns how many versions were new.
cs::Result<size_t> FetchResourceHistory(const store::Store& store, const Fetcher& fetcher,
                                        const std::string& resource_id, const cs::Clock& clock);

// GETs the file with `client` (whose response cap is the file limit) and checks its SHA-256
// against `file.sha256_hex`. kInvalidInput on a digest mismatch. With `signer`, the GET is signed
// by the instance actor (draft-cavage, RFC 9421 after a 401/403): the files of a resource in a
// community that is not public are served only to its members' servers.
cs::Result<std::string> DownloadFile(const HttpClient& client, const store::ResourceFile& file,
                                     const Fetcher* signer = nullptr);

// Keeps a copy of a downloaded file in the blob store, evicting least recently used copies of
// remote files so that all copies stay within `cache_cap` bytes. A file larger than the cap is
// not kept. Ok also when nothing was kept.
cs::Status CacheFile(const store::Store& store, const store::BlobStore& blobs,
                     const store::ResourceFile& file, std::string_view bytes, uint64_t cache_cap,
                     int64_t now_ms);

// The bytes of `file` from the blob store when present and intact, else kNotFound. Marks the
// copy as used (LRU).
cs::Result<std::string> ReadStoredFile(const store::Store& store, const store::BlobStore& blobs,
                                       const store::ResourceFile& file, int64_t now_ms);

}  // namespace federation
