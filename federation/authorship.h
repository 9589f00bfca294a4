// Who may say what: rules the inbox applies to an activity before acting on it, shared with
// `activity inspect` so that inspect refuses what the inbox refuses, with the same reason.
// Stateless; thread-safe.
#pragma once

#include <string_view>

#include "federation/as2_activity.h"
#include "store/status.h"

namespace federation {

// The activity's id is on its actor's origin (BR-05): one server never speaks for another.
// Forbidden (the inbox answers 403) otherwise.
cs::Status CheckActivityOrigin(const ActivityDoc& activity);

// A Create's embedded content object is attributed to the actor that sends it and lives on the
// actor's origin. Forbidden (403) with the reason otherwise.
cs::Status CheckCreatedObject(const ObjectDoc& object, std::string_view actor);

}  // namespace federation
