// The bytes an HTTP signature is computed over: the draft-cavage-12 signing string and the
// RFC 9421 signature base, rebuilt from a plain message. Used by http_signature.h to sign and
// verify, and by the tests against the specifications' printed examples. Stateless; thread-safe.
//
// `host` (both schemes) and `@authority` come from request.authority — the public authority the
// request was addressed to, never a proxy's Host (BR-03) — lower-cased and without the scheme's
// default port. A component that is missing or not supported fails with kUnauthorized, since
// these builders run while verifying.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "federation/http_message.h"
#include "store/status.h"

namespace federation {

// "Example.COM:443" with scheme "https" -> "example.com"; other ports are kept.
std::string NormalizedAuthority(std::string_view scheme, std::string_view authority);

// A component name as RFC 9421 allows it: a lower-case field name or "@" derived name.
bool IsComponentName(std::string_view name);

// draft-cavage-12 section 2.3: one "name: value" line per entry of `headers` (any case),
// joined by "\n". Supports (request-target), (created), (expires) — the latter two need the
// values, pass -1 when absent — and header fields (repeated fields joined with ", ").
cs::Result<std::string> CavageSigningString(const HttpRequest& request,
                                            const std::vector<std::string>& headers,
                                            int64_t created, int64_t expires);
cs::Result<std::string> CavageSigningString(const HttpRequest& request,
                                            const std::vector<std::string>& headers);

// RFC 9421 section 2.5. `components` are component identifiers as in SignatureInfo::covered:
// the name, then any parameters in RFC 8941 form, e.g. "@method", "content-digest",
// "@query-param;name=\"Pet\"". `signature_params` is the serialized inner list with its
// parameters (the value after `label=` in Signature-Input). Supports @method @target-uri
// @authority @scheme @request-target @path @query @query-param;name= and header fields;
// other parameters (req, sf, key, bs, tr) are refused.
cs::Result<std::string> Rfc9421SignatureBase(const HttpRequest& request,
                                             const std::vector<std::string>& components,
                                             std::string_view signature_params);
// The same for a response: @status and header fields.
cs::Result<std::string> Rfc9421SignatureBase(const HttpResponse& response,
                                             const std::vector<std::string>& components,
                                             std::string_view signature_params);

}  // namespace federation
