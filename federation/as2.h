// ActivityStreams 2.0 documents as plain structs: one include for the readers of actors
// (as2_actor.h), content objects (as2_object.h), activities (as2_activity.h) and the type
// vocabulary (as2_vocab.h). The JSON side (parsing, checked readers) is json.h.
#pragma once

#include "federation/as2_activity.h"
#include "federation/as2_actor.h"
#include "federation/as2_object.h"
#include "federation/as2_vocab.h"
#include "federation/json.h"
