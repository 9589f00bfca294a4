// One function per command. Each returns the process exit code (cli/output.h) and prints
// either its result on stdout or one error line on stderr.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
class Validator;
}

namespace cli {

struct Global {
  std::string data_dir;
  bool json = false;
};

int CmdInit(const Global& g, const std::string& domain, bool http,
            const std::string& allow_addresses, const std::string& ca_file);
int CmdServe(const Global& g, const std::string& listen, const std::string& tls_cert,
             const std::string& tls_key);
int CmdUserAdd(const Global& g, const std::string& name, const std::string& display_name);
int CmdUserList(const Global& g);
int CmdUserDelete(const Global& g, const std::string& name);
int CmdPost(const Global& g, const std::string& as, const std::string& reply_to,
            const std::string& visibility, const std::string& summary, bool sensitive,
            const std::string& text);
int CmdEdit(const Global& g, const std::string& as, const std::string& url, const std::string& text);
int CmdDelete(const Global& g, const std::string& as, const std::string& url);
int CmdFollow(const Global& g, const std::string& as, const std::string& target);
int CmdUnfollow(const Global& g, const std::string& as, const std::string& target);
int CmdFollowList(const Global& g, const std::string& as, bool followers);
int CmdTimeline(const Global& g, const std::string& as, int limit);
int CmdLookup(const Global& g, const std::string& target);
int CmdDomain(const Global& g, const std::string& action, const std::string& domain);
int CmdBackup(const Global& g, const std::string& dir);
int CmdInspect(const Global& g, const std::vector<std::string>& files);
int CmdDeliveries(const Global& g);
// Checks a --limit: a whole number from 1 to 1000, else one clear line (CLI11's own Range says
// "Value abc not in range").
CLI::Validator LimitRange();
// Communities (cli/cmd_community.cc): `community ...`, `join`, `leave`, `trust ...`.
void AddCommunityCommands(CLI::App& app, Global& g, int& rc);
// `visibility` is what --visibility said: "followers" is refused (exit 2) for a public
// community, whose posts are public; in a closed one every post goes to the group only anyway.
int CmdCommunityPost(const Global& g, const std::string& as, const std::string& community,
                     const std::string& title, const std::string& reply_to,
                     const std::string& summary, const std::string& text,
                     const std::string& visibility);
// `resource add|update|list|show|history|fetch` (cli/cmd_resource.cc).
void AddResourceCommands(CLI::App& app, Global& g, int& rc);
// like, unlike, boost, unboost, thread (cli/cmd_discussion.cc).
void AddDiscussionCommands(CLI::App& app, Global& g, int& rc);

}  // namespace cli
