// The command line: names and flags (CLI11), dispatch to cli/commands.h.
#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/output.h"

namespace cli {

CLI::Validator LimitRange() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        int n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 1000)
          return "wants a whole number from 1 to 1000, got '" + value + "'";
        return "";
      },
      "1-1000");
}

int RunCli(int argc, char** argv) {
  CLI::App app{"Cloudschool: a school's node for teachers' professional learning communities",
               "cloudschool"};
  app.require_subcommand(1);
  Global g;
  const char* env = std::getenv("CLOUDSCHOOL_DATA");
  g.data_dir = env && *env ? env : "./var/cloudschool";
  app.add_option("--data", g.data_dir, "data directory (default $CLOUDSCHOOL_DATA, else ./var/cloudschool)");
  bool version = false;  // answered before parsing (below); here for --help
  app.add_flag("--version", version, "print the version and exit");
  int rc = kExitOk;
  auto json_flag = [&](CLI::App* c) { c->add_flag("--json", g.json, "print one JSON document"); };

  // init
  std::string domain, allow, ca_file;
  bool http = false;
  auto* init = app.add_subcommand("init", "create a node in the data directory");
  init->add_option("--domain", domain, "public HOST[:PORT] of this node")->required();
  init->add_flag("--http", http, "plain http URLs and look-ups (development and tests only)");
  init->add_option("--allow-addresses", allow, "CIDR[,CIDR...] that outbound requests may reach although private");
  init->add_option("--ca-file", ca_file, "PEM file of an extra CA outbound requests trust");
  init->callback([&] { rc = CmdInit(g, domain, http, allow, ca_file); });

  // serve
  std::string listen, tls_cert, tls_key;
  auto* serve = app.add_subcommand("serve", "run the node until SIGINT/SIGTERM");
  serve->add_option("--listen", listen, "ADDR:PORT (default from cloudschool.toml)");
  serve->add_option("--tls-cert", tls_cert, "PEM certificate chain: serve HTTPS in the node");
  serve->add_option("--tls-key", tls_key, "PEM private key for --tls-cert");
  serve->callback([&] { rc = CmdServe(g, listen, tls_cert, tls_key); });

  // user
  std::string name, display_name;
  auto* user = app.add_subcommand("user", "manage teachers");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "add a teacher");
  user_add->add_option("NAME", name, "user name (1-30 ASCII letters, digits, _)")->required();
  user_add->add_option("--display-name", display_name,
                       "name shown to others (up to 100 characters)");
  user_add->callback([&] {
    cs::Status st = CheckTyped("--display-name", display_name, kMaxDisplayNameChars);
    rc = st.ok() ? CmdUserAdd(g, name, display_name) : Fail(st);
  });
  auto* user_list = user->add_subcommand("list", "list teachers");
  json_flag(user_list);
  user_list->callback([&] { rc = CmdUserList(g); });
  auto* user_delete = user->add_subcommand("delete", "delete a teacher (a Delete goes to every server that knows it)");
  user_delete->add_option("NAME", name, "user name of the teacher")->required();
  user_delete->callback([&] { rc = CmdUserDelete(g, name); });

  // post / edit / delete
  std::string as, reply_to, visibility = "public", summary, text, url, community, title;
  auto* post = app.add_subcommand("post", "post a Note (Markdown)");
  post->add_option("--as", as, "local teacher acting")->required();
  post->add_option("--reply-to", reply_to, "id of the post this replies to");
  post->add_option("--visibility", visibility, "public or followers")->check(CLI::IsMember({"public", "followers"}));
  post->add_option("--summary", summary, "content warning");
  post->add_option("--community", community, "post into this community (handle or URL)");
  auto* title_opt = post->add_option(
      "--title", title,
      "with --community: a titled post (a Page, as Lemmy expects; up to 200 characters)");
  bool sensitive = false;
  post->add_flag("--sensitive", sensitive, "mark as sensitive (also implied by --summary)");
  post->add_option("TEXT", text, "Markdown text")->required();
  post->callback([&] {
    if (community.empty() && title_opt->count() > 0) {
      rc = Fail("--title needs --community (only community posts have titles)", kExitUsage);
      return;
    }
    // `--title ""` would silently make an untitled Note: say so instead.
    if (title_opt->count() > 0 && title.empty()) {
      rc = Fail("--title may not be empty (leave it out for a post without a title)", kExitUsage);
      return;
    }
    for (cs::Status st : {CheckTyped("--title", title, kMaxTitleChars),
                          CheckTyped("--summary", summary, kMaxSummaryChars),
                          CheckTyped("TEXT", text, SIZE_MAX, Lines::kMany)})
      if (!st.ok()) {
        rc = Fail(st);
        return;
      }
    rc = community.empty() ? CmdPost(g, as, reply_to, visibility, summary, sensitive, text)
                           : CmdCommunityPost(g, as, community, title, reply_to, summary, text,
                                              visibility);
  });
  AddCommunityCommands(app, g, rc);
  auto* edit = app.add_subcommand("edit", "edit a post (Update)");
  edit->add_option("--as", as, "local teacher acting (the author)")->required();
  edit->add_option("URL", url, "id of the post")->required();
  edit->add_option("TEXT", text, "new Markdown text")->required();
  edit->callback([&] {
    if (cs::Status st = CheckTyped("TEXT", text, SIZE_MAX, Lines::kMany); !st.ok()) {
      rc = Fail(st);
      return;
    }
    rc = CmdEdit(g, as, url, text);
  });
  auto* del = app.add_subcommand("delete", "delete a post (Delete, Tombstone)");
  del->add_option("--as", as, "local teacher acting (the author)")->required();
  del->add_option("URL", url, "id of the post")->required();
  del->callback([&] { rc = CmdDelete(g, as, url); });

  // follow
  std::string target;
  auto* follow = app.add_subcommand("follow", "follow a teacher here or on another server");
  follow->add_option("--as", as, "local teacher acting")->required();
  follow
      ->add_option("HANDLE_OR_URL", target, "@user@host, user@host, acct:user@host or an actor URL")
      ->required();
  follow->callback([&] { rc = CmdFollow(g, as, target); });
  auto* unfollow = app.add_subcommand("unfollow", "stop following");
  unfollow->add_option("--as", as, "local teacher acting")->required();
  unfollow
      ->add_option("HANDLE_OR_URL", target, "@user@host, user@host, acct:user@host or an actor URL")
      ->required();
  unfollow->callback([&] { rc = CmdUnfollow(g, as, target); });
  auto* followers = app.add_subcommand("followers", "who follows a teacher, with state");
  followers->add_option("--as", as, "local teacher")->required();
  json_flag(followers);
  followers->callback([&] { rc = CmdFollowList(g, as, true); });
  auto* following = app.add_subcommand("following", "whom a teacher follows, with state");
  following->add_option("--as", as, "local teacher")->required();
  json_flag(following);
  following->callback([&] { rc = CmdFollowList(g, as, false); });

  int limit = 20;
  auto* timeline = app.add_subcommand("timeline", "a teacher's home timeline, newest first");
  timeline->add_option("--as", as, "local teacher whose timeline")->required();
  timeline->add_option("--limit", limit, "how many items (1-1000, default 20)")
      ->check(LimitRange());
  json_flag(timeline);
  timeline->callback([&] { rc = CmdTimeline(g, as, limit); });

  auto* lookup = app.add_subcommand("lookup", "resolve a handle or URL (WebFinger, fetch)");
  lookup
      ->add_option("HANDLE_OR_URL", target, "@user@host, user@host, acct:user@host or an actor URL")
      ->required();
  json_flag(lookup);
  lookup->callback([&] { rc = CmdLookup(g, target); });

  // domain
  std::string domain_arg;
  auto* dom = app.add_subcommand("domain", "domain policy");
  dom->require_subcommand(1);
  for (const char* action : {"block", "unblock"}) {
    auto* c = dom->add_subcommand(action, std::string(action) + " a server");
    c->add_option("DOMAIN", domain_arg, "HOST of the server (subdomains included)")->required();
    std::string act = action;
    c->callback([&, act] { rc = CmdDomain(g, act, domain_arg); });
  }
  auto* dom_list = dom->add_subcommand("list", "blocked servers");
  json_flag(dom_list);
  dom_list->callback([&] { rc = CmdDomain(g, "list", ""); });

  std::string backup_dir;
  auto* backup = app.add_subcommand("backup", "consistent copy of the data directory, while the node runs");
  backup->add_option("DIR", backup_dir, "new directory for the copy")->required();
  backup->callback([&] { rc = CmdBackup(g, backup_dir); });

  std::vector<std::string> files;
  auto* activity = app.add_subcommand("activity", "work with ActivityStreams documents");
  activity->require_subcommand(1);
  auto* inspect = activity->add_subcommand("inspect", "how the node understands documents (needs no node)");
  inspect->add_option("FILE", files, "JSON file(s) of ActivityStreams documents")->required();
  json_flag(inspect);
  inspect->callback([&] { rc = CmdInspect(g, files); });

  AddResourceCommands(app, g, rc);
  AddDiscussionCommands(app, g, rc);

  auto* deliveries = app.add_subcommand("deliveries", "queued and failed deliveries");
  json_flag(deliveries);
  deliveries->callback([&] { rc = CmdDeliveries(g); });

  // Before CLI11 (which would only say "A subcommand is required"): `help`, `--version` and an
  // unknown command, judged by the first word that is not a global option.
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--data") {
      ++i;
      continue;
    }
    if (arg == "--version") {
      std::printf("cloudschool %s\n", CLOUDSCHOOL_VERSION);
      return kExitOk;
    }
    if (arg.empty() || arg[0] == '-') continue;  // --help, --data=DIR, or a mistake CLI11 names
    if (arg == "help") {
      std::printf("%s", app.help().c_str());
      return kExitOk;
    }
    try {
      (void)app.get_subcommand(arg);
    } catch (const CLI::OptionNotFound&) {
      return Fail("unknown command '" + arg + "' (see 'cloudschool --help')", kExitUsage);
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // prints the help of the subcommand asked about
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return kExitOk;
    std::string msg = e.what();
    return Fail(msg + " (see 'cloudschool --help')", kExitUsage);
  }
  return rc;
}

}  // namespace cli
