#include "federation/authorship.h"

#include <string>

#include "federation/url.h"

namespace federation {

cs::Status CheckActivityOrigin(const ActivityDoc& a) {
  if (!SameOrigin(a.id, a.actor))
    return cs::Status::Forbidden("activity id " + a.id + " is not on the actor's origin");
  return cs::Status::Ok();
}

cs::Status CheckCreatedObject(const ObjectDoc& o, std::string_view actor) {
  if (o.attributed_to != actor)
    return cs::Status::Forbidden("object " + o.id + " is attributed to " + o.attributed_to +
                                 ", not to the sender " + std::string(actor));
  if (!SameOrigin(o.id, actor))
    return cs::Status::Forbidden("object " + o.id + " is not on the sender's origin");
  return cs::Status::Ok();
}

}  // namespace federation
