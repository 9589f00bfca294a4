#include "federation/as2_vocab.h"

#include <algorithm>
#include <array>

namespace federation {
namespace {

template <size_t N>
bool OneOf(std::string_view type, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), type) != names.end();
}

constexpr std::array<std::string_view, 28> kActivityTypes = {
    "Create", "Update",  "Delete", "Follow", "Accept", "Reject",          "Undo",
    "Announce", "Like",  "Dislike", "Add",   "Remove", "Block",           "Flag",
    "Move",   "Invite",  "Join",   "Leave",  "Offer",  "Ignore",          "Read",
    "View",   "Listen",  "Arrive", "Travel", "TentativeAccept", "TentativeReject", "EmojiReact"};

constexpr std::array<std::string_view, 5> kActorTypes = {"Person", "Group", "Service",
                                                         "Application", "Organization"};

constexpr std::array<std::string_view, 4> kCollectionTypes = {
    "Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage"};

constexpr std::array<std::string_view, 18> kObjectTypes = {
    "Note",  "Page",    "Article", "Document", "Image",    "Audio",       "Video",
    "Event", "Place",   "Profile", "Relationship", "Tombstone", "Question", "Link",
    "Mention", "ChatMessage", "Hashtag", "Emoji"};

constexpr std::array<std::string_view, 4> kHandledContentTypes = {"Note", "Page", "Article",
                                                                  "Document"};

constexpr std::array<std::string_view, 9> kHandledActivityTypes = {
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Announce", "Like"};

}  // namespace

bool IsActivityType(std::string_view type) { return OneOf(type, kActivityTypes); }
bool IsActorType(std::string_view type) { return OneOf(type, kActorTypes); }
bool IsCollectionType(std::string_view type) { return OneOf(type, kCollectionTypes); }
bool IsObjectType(std::string_view type) { return OneOf(type, kObjectTypes); }
bool IsHandledContentType(std::string_view type) { return OneOf(type, kHandledContentTypes); }
bool IsHandledActivityType(std::string_view type) { return OneOf(type, kHandledActivityTypes); }

}  // namespace federation
