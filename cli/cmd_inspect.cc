// `activity inspect`: how the node would understand documents, without a node.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "federation/inspect.h"

namespace cli {

int CmdInspect(const Global& g, const std::vector<std::string>& files) {
  constexpr size_t kMaxBytes = 1 << 20;  // the inbox's body limit
  // A path that is no file the user can fix (2, as `resource add --file` says); refusals 3.
  bool refused = false, bad_path = false;
  std::vector<std::pair<std::string, federation::Inspection>> results;
  for (const auto& file : files) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      Fail(file + " is a directory", kExitUsage);
      bad_path = true;
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      Fail(std::filesystem::exists(file, ec) ? "cannot read " + file : file + ": no such file",
           kExitUsage);
      bad_path = true;
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
      // Add the file name as the first key (a JSON string: quotes and controls escaped).
      rapidjson::StringBuffer file_json;
      rapidjson::Writer<rapidjson::StringBuffer> w(file_json);
      w.String(results[i].first.data(), static_cast<rapidjson::SizeType>(results[i].first.size()));
      if (!one.empty() && one[0] == '{')
        one = std::string("{\"file\":") + file_json.GetString() + (one.size() > 2 ? "," : "") +
              one.substr(1);
      out += (i ? "," : "") + one;
    }
    out += "]";
    std::printf("%s\n", out.c_str());  // JSON: every control character is escaped
  } else {
    for (const auto& [file, ins] : results)
      Say("%s: %s\n", file, Multiline{federation::InspectionToText(ins)});
  }
  if (bad_path) return kExitUsage;
  return refused ? kExitRefused : kExitOk;
}

}  // namespace cli
