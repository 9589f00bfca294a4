// The ActivityStreams 2.0 type names the node classifies documents by. Stateless; thread-safe.
// Type names are compared exactly (AS2 terms are case-sensitive); compacted forms like "as:Note"
// are not expanded.
#pragma once

#include <string_view>

namespace federation {

// AS2 activity types (Create Update Delete Follow Accept Reject Undo Announce Like Dislike Add
// Remove Block Flag Move Invite Join Leave Offer Ignore Read View Listen Arrive Travel
// TentativeAccept TentativeReject) plus EmojiReact (Misskey/Pleroma). "Question" is left out: in
// practice it is a poll object (Mastodon), not an activity.
bool IsActivityType(std::string_view type);

// Person, Group, Service, Application, Organization.
bool IsActorType(std::string_view type);

// Collection, OrderedCollection, CollectionPage, OrderedCollectionPage.
bool IsCollectionType(std::string_view type);

// Object types we know are objects, not activities: the AS2 object types (Note Page Article
// Document Image Audio Video Event Place Profile Relationship Tombstone Question Link Mention)
// and common extensions (ChatMessage from litepub/Lemmy 0.19, Hashtag, Emoji).
bool IsObjectType(std::string_view type);

// Content objects the node stores as posts: Note, Page, Article, Document.
bool IsHandledContentType(std::string_view type);

// Activities the node acts on: Follow Accept Reject Undo Create Update Delete Announce Like.
bool IsHandledActivityType(std::string_view type);

}  // namespace federation
