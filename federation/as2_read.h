// Readers for the AS2 fields that come in several shapes (BR-09, BR-10): addressing, URL
// references, `url`, `icon`, attachment `url`. Built on the checked readers of json.h; they never
// assert and leave a field empty ("") when no shape they know gives a usable http(s) URL.
// Stateless; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace federation {

// Addressing (`to`, `cc`, `bto`, `bcc`, `audience`): one-or-many ids, the public collection
// normalized to kPublic, entries that are not http(s) URLs dropped, duplicates removed (first
// occurrence kept). Missing or null -> empty.
std::vector<std::string> ReadAudience(const rapidjson::Value& obj, const char* key);

// The first reference of `key` (string, object with id/href, or array of those) that is an
// http(s) URL, or "".
std::string ReadUrlRef(const rapidjson::Value& obj, const char* key);

// A profile/page URL from a `url` value: a string; a Link whose mediaType is absent or text/html;
// or the first such entry of an array, in order (deterministic). Links of other media types
// (HLS playlists, torrents) are skipped. "" when none.
std::string HtmlUrl(const rapidjson::Value& url);

// The first usable URL of an image or link value: a string; a Link's `href`; an Image's `url`
// (itself a string, Link or array); the first usable entry of an array. Followed at most 4
// levels deep. "" when none. Used for `icon` and attachment `url`.
std::string FirstHref(const rapidjson::Value& v);

// Removes repeated entries, keeping the first occurrence and the order (hash set: linear even for
// the tens of thousands of entries a hostile 1 MiB document can hold).
void RemoveDuplicates(std::vector<std::string>& ids);

}  // namespace federation
