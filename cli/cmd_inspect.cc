// `activity inspect`: how the node would understand documents, without a node.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "federation/inspect.h"

namespace cli {

int CmdInspect(const Global& g, const std::vector<std::string>& files) {
  constexpr size_t kMaxBytes = 1 << 20;  // the inbox's body limit
  bool refused = false, failed = false;
  std::vector<std::pair<std::string, federation::Inspection>> results;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      Fail("cannot read " + file);
      failed = true;
      continue;
    }
    std::string body(kMaxBytes + 1, '\0');
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<size_t>(in.gcount()));
    federation::Inspection ins;
    if (body.size() > kMaxBytes) {
      ins.verdict = federation::Inspection::Verdict::kRefused;
      ins.reason = "larger than the 1 MiB inbox limit";
    } else {
      ins = federation::Inspect(body);
    }
    if (ins.verdict == federation::Inspection::Verdict::kRefused) refused = true;
    results.emplace_back(file, std::move(ins));
  }
  if (g.json) {
    std::string out = "[";
    for (size_t i = 0; i < results.size(); ++i) {
      std::string one = federation::InspectionToJson(results[i].second);
      // Add the file name as the first key.
      std::string file_json;
      for (char c : results[i].first) {
        if (c == '"' || c == '\\') file_json.push_back('\\');
        file_json.push_back(c);
      }
      if (!one.empty() && one[0] == '{')
        one = "{\"file\":\"" + file_json + "\"" + (one.size() > 2 ? "," : "") + one.substr(1);
      out += (i ? "," : "") + one;
    }
    out += "]";
    std::printf("%s\n", out.c_str());
  } else {
    for (const auto& [file, ins] : results)
      std::printf("%s: %s\n", file.c_str(), federation::InspectionToText(ins).c_str());
  }
  if (failed) return kExitFailed;
  return refused ? kExitRefused : kExitOk;
}

}  // namespace cli
