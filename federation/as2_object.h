// A content object (Note, Page, Article, Document, Question, Video, Tombstone, ChatMessage...)
// read into a plain struct. No JSON types escape; every string is an owned copy.
// Thread-safe (stateless parser).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "store/status.h"

namespace federation {

struct Attachment {
  std::string type;        // Document, Image, Link, PropertyValue...
  std::string media_type;
  std::string url;         // string `url`, Link `href`, or `url` given as a Link (BR-10); http(s) only
  std::string name;        // alt text / label, plain text
  std::string digest_multibase;
};

struct Tag {
  std::string type;      // Mention, Hashtag, Emoji (others kept as given)
  std::string name;      // as given ("@user@host", "#tag", ":shortcode:"); not validated here
  std::string href;      // http(s) only, else ""
  std::string icon_url;  // Emoji icon: first usable Image URL, http(s) only, else ""
};

struct ObjectDoc {
  std::string id;
  std::string type;           // Note, Page, Article, Document, Question, Video, Tombstone...
  std::string attributed_to;  // author: a string, an object's id, or the Person entry of an array
  std::vector<std::string> attributed_to_all;  // every id of attributedTo, in order (PeerTube channel)
  std::string content_html;   // raw; `content`, else the first value of `contentMap`
  std::string summary;        // raw (content warning, or HTML summary for NodeBB/WordPress)
  std::string name;           // title, plain text
  std::string in_reply_to;
  std::string published, updated;
  std::string url;            // first text/html href (BR-10)
  std::string audience;       // FEP-1b12 group, first of `audience`
  std::string context;        // conversation id (string or object id)
  std::string media_type;     // of `content` (text/html, text/markdown...)
  std::string source_content, source_media_type;  // `source` object, or `source` as a string
  std::vector<std::string> to, cc, bto, bcc;      // normalized: public is kPublic (BR-09)
  bool sensitive = false;
  std::vector<Attachment> attachments;
  std::vector<Tag> tags;

  bool IsPublic() const;  // kPublic in to or cc
};

// Reads a content object. Returns kInvalidInput when `doc` is not an object, has no string type,
// is an activity, actor or collection, or has no id that is an absolute http(s) URL.
cs::Result<ObjectDoc> ParseObject(const rapidjson::Value& doc);

}  // namespace federation
