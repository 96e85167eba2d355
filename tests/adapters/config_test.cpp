// The bot's configuration file: the shipped example, the defaults, and a start-up error that names the
// key at fault for every kind of mistake.

#include <gtest/gtest.h>

#include <string>

#include "adapters/config/toml_checks.hpp"
#include "bot/config.hpp"
#include "bot/platforms.hpp"
#include "bot/platforms/discord/section.hpp"
#include "bot/platforms/mattermost/section.hpp"
#include "bot/platforms/shell/section.hpp"
#include "bot/platforms/slack/section.hpp"
#include "temp_dir.hpp"

namespace collab::bot {
namespace {

using config::ConfigError;
namespace fs = std::filesystem;

Config parse(std::string_view text, const fs::path& base_dir = "/etc/collab-bot") {
    return parse_config(text, "test.toml", base_dir);
}

// The message of the ConfigError that parsing `text` throws, or a failure when it parses.
std::string error_of(std::string_view text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
}

std::string store_url(const Config& config) {
    if (const auto* postgres = std::get_if<PostgresUrl>(&config.store.location)) return postgres->url;
    return "sqlite://" + std::get<SqliteFile>(config.store.location).file.string();
}

// Each platform's settings, as its run reads them.
auto& shell(auto& config) {
    return config.template settings<ShellConfig>("shell");
}
auto& slack(auto& config) {
    return config.template settings<SlackConfig>("slack");
}
auto& discord(auto& config) {
    return config.template settings<DiscordConfig>("discord");
}
auto& mattermost(auto& config) {
    return config.template settings<MattermostConfig>("mattermost");
}

// Every setting, the file name aside.
void expect_same_settings(const Config& a, const Config& b) {
    EXPECT_EQ(a.adapter, b.adapter);
    EXPECT_EQ(a.provider, b.provider);
    EXPECT_EQ(a.state_dir, b.state_dir);
    EXPECT_EQ(a.log_level, b.log_level);
    EXPECT_EQ(a.log_format, b.log_format);
    EXPECT_EQ(a.health_listen, b.health_listen);
    EXPECT_EQ(a.service.confirmation_ttl, b.service.confirmation_ttl);
    EXPECT_EQ(a.confirmation_key_file, b.confirmation_key_file);
    EXPECT_EQ(a.service.rules.admins, b.service.rules.admins);
    EXPECT_EQ(a.service.rules.channel_databases, b.service.rules.channel_databases);
    EXPECT_EQ(a.service.rules.default_policy, b.service.rules.default_policy);
    EXPECT_EQ(a.service.rules.allow_apps, b.service.rules.allow_apps);
    EXPECT_EQ(a.service.max_addresses_per_add, b.service.max_addresses_per_add);
    EXPECT_EQ(a.service.audit_rows, b.service.audit_rows);
    EXPECT_EQ(a.service.record_reads, b.service.record_reads);
    EXPECT_EQ(a.identities, b.identities);
    EXPECT_EQ(shell(a).user_id, shell(b).user_id);
    EXPECT_EQ(shell(a).email, shell(b).email);
    EXPECT_EQ(a.sandbox_seed, b.sandbox_seed);
    EXPECT_EQ(store_url(a), store_url(b));
    EXPECT_EQ(a.store.audit_retention_days, b.store.audit_retention_days);
    EXPECT_EQ(slack(a).mode, slack(b).mode);
    EXPECT_EQ(slack(a).web.api_url, slack(b).web.api_url);
    EXPECT_EQ(slack(a).socket.connections, slack(b).socket.connections);
    EXPECT_EQ(slack(a).socket.websocket.ca_file, slack(b).socket.websocket.ca_file);
    EXPECT_EQ(slack(a).socket.websocket.timeouts.idle, slack(b).socket.websocket.timeouts.idle);
    EXPECT_EQ(slack(a).http.ca_file, slack(b).http.ca_file);
    EXPECT_EQ(slack(a).http.timeouts.request, slack(b).http.timeouts.request);
    EXPECT_EQ(slack(a).http_mode.server.listen, slack(b).http_mode.server.listen);
    EXPECT_EQ(slack(a).http_mode.server.read_timeout, slack(b).http_mode.server.read_timeout);
    EXPECT_EQ(slack(a).http_mode.server.write_timeout, slack(b).http_mode.server.write_timeout);
    EXPECT_EQ(slack(a).desk.answer_budget, slack(b).desk.answer_budget);
    EXPECT_EQ(slack(a).desk.visibility.by_command, slack(b).desk.visibility.by_command);
    EXPECT_EQ(slack(a).directory.ttl, slack(b).directory.ttl);
    EXPECT_EQ(discord(a).mode, discord(b).mode);
    EXPECT_EQ(discord(a).endpoint.server.listen, discord(b).endpoint.server.listen);
    EXPECT_EQ(discord(a).public_key, discord(b).public_key);
    EXPECT_EQ(mattermost(a).rest.server_url, mattermost(b).rest.server_url);
    EXPECT_EQ(mattermost(a).commands.server.listen, mattermost(b).commands.server.listen);
    EXPECT_EQ(mattermost(a).commands.server.public_url, mattermost(b).commands.server.public_url);
    EXPECT_EQ(mattermost(a).commands.server.read_timeout, mattermost(b).commands.server.read_timeout);
    EXPECT_EQ(mattermost(a).commands.server.write_timeout, mattermost(b).commands.server.write_timeout);
    EXPECT_EQ(mattermost(a).command_token_file, mattermost(b).command_token_file);
    EXPECT_EQ(mattermost(a).bot_token_file, mattermost(b).bot_token_file);
    EXPECT_EQ(mattermost(a).http.ca_file, mattermost(b).http.ca_file);
    EXPECT_EQ(mattermost(a).http.timeouts.request, mattermost(b).http.timeouts.request);
    EXPECT_EQ(mattermost(a).desk.answer_budget, mattermost(b).desk.answer_budget);
    EXPECT_EQ(mattermost(a).desk.visibility.by_command, mattermost(b).desk.visibility.by_command);
    EXPECT_EQ(discord(a).desk.answer_budget, discord(b).desk.answer_budget);
    EXPECT_EQ(discord(a).desk.visibility.by_command, discord(b).desk.visibility.by_command);
    EXPECT_EQ(mattermost(a).socket.enabled, mattermost(b).socket.enabled);
    EXPECT_EQ(a.scalingo.region, b.scalingo.region);
    EXPECT_EQ(a.scalingo.api_url, b.scalingo.api_url);
    EXPECT_EQ(a.scalingo.api.auth_url, b.scalingo.api.auth_url);
    EXPECT_EQ(a.scalingo.token_file, b.scalingo.token_file);
    EXPECT_EQ(a.scalingo.http.ca_file, b.scalingo.http.ca_file);
    EXPECT_EQ(a.scalingo.api.requests_per_minute, b.scalingo.api.requests_per_minute);
    EXPECT_EQ(a.scalingo.http.timeouts.connect, b.scalingo.http.timeouts.connect);
    EXPECT_EQ(a.scalingo.http.timeouts.handshake, b.scalingo.http.timeouts.handshake);
    EXPECT_EQ(a.scalingo.http.timeouts.request, b.scalingo.http.timeouts.request);
    EXPECT_EQ(a.scalingo.api.database_ttl, b.scalingo.api.database_ttl);
    EXPECT_EQ(a.scalingo.api.collaborators_ttl, b.scalingo.api.collaborators_ttl);
}

TEST(ConfigTest, the_shipped_file_parses_and_is_the_embedded_default) {
    const fs::path file = testing::source_file("config/collab-bot.toml");
    const Config shipped = parse_config(testing::read_file(file), file.string(), file.parent_path());
    const Config embedded = embedded_config();
    EXPECT_EQ(embedded.source, "embedded default configuration");
    expect_same_settings(shipped, embedded);

    // What README's first command runs: the shell, on the sandbox, as user1 of the seed.
    EXPECT_EQ(embedded.adapter->name, "shell");
    EXPECT_EQ(embedded.provider, ProviderKind::sandbox);
    EXPECT_EQ(shell(embedded).email, "user1@example.com");
    EXPECT_EQ(embedded.service.confirmation_ttl, std::chrono::seconds{300});
    EXPECT_EQ(embedded.service.rules.default_policy, DefaultChannelPolicy::allow_all);
    EXPECT_TRUE(embedded.sandbox_seed.empty());

    // With no section at all, every setting has the value the example documents, but for the one
    // the example sets: each command's visibility written out, the same defaults as none.
    Config bare = parse("");
    for (auto* platform :
         {&slack(bare).desk.visibility, &discord(bare).desk.visibility, &mattermost(bare).desk.visibility}) {
        EXPECT_TRUE(platform->by_command.empty());
        *platform = slack(embedded).desk.visibility;
    }
    expect_same_settings(bare, embedded);
}

TEST(ConfigTest, a_file_with_only_confirmation_keeps_the_shells_default_identity) {
    const Config config = parse("[confirmation]\nttl_seconds = 600\n");
    EXPECT_EQ(config.service.confirmation_ttl, std::chrono::seconds{600});
    EXPECT_EQ(shell(config).email, "user1@example.com");
    Config without_email = parse("[shell]\nuser_id = \"me\"\n");
    EXPECT_EQ(shell(without_email).email, "user1@example.com");
    // Said on purpose: nobody.
    Config nobody = parse("[shell]\nemail = \"\"\n");
    EXPECT_EQ(shell(nobody).email, "");
}

TEST(ConfigTest, an_empty_file_gives_the_documented_defaults) {
    const Config config = parse("");
    EXPECT_EQ(config.source, "test.toml");
    EXPECT_EQ(config.adapter->name, "shell");
    EXPECT_EQ(config.provider, ProviderKind::sandbox);
    EXPECT_TRUE(config.state_dir.empty());
    EXPECT_EQ(config.log_level, "info");
    EXPECT_EQ(config.service.confirmation_ttl, std::chrono::seconds{300});
    EXPECT_EQ(config.service.request_ttl, std::chrono::seconds{900});
    EXPECT_EQ(config.service.rules.default_policy, DefaultChannelPolicy::allow_all);
    EXPECT_TRUE(config.service.rules.admins.empty());
    EXPECT_FALSE(config.service.rules.allow_apps);
    EXPECT_EQ(shell(config).user_id, "local");
    EXPECT_EQ(config.service.audit_rows, 20);
    EXPECT_FALSE(config.service.record_reads);
    EXPECT_EQ(config.scalingo.region, "osc-fr1");
    EXPECT_EQ(config.scalingo.api.requests_per_minute, 60);
    EXPECT_EQ(config.scalingo.http.timeouts.request, std::chrono::seconds{15});
    EXPECT_EQ(slack(config).mode, SlackMode::socket);
    EXPECT_EQ(slack(config).http.timeouts.request, std::chrono::seconds{10});
    EXPECT_TRUE(std::holds_alternative<SqliteFile>(config.store.location));
    EXPECT_TRUE(std::get<SqliteFile>(config.store.location).file.empty()) << "in the state directory";
}

TEST(ConfigTest, unknown_keys_are_rejected_by_their_full_name) {
    EXPECT_EQ(error_of("colour = \"blue\"\n"), "test.toml: unknown key \"colour\"");
    EXPECT_EQ(error_of("[shell]\nnmae = \"me\"\n"), "test.toml: unknown key \"shell.nmae\"");
    EXPECT_EQ(error_of("[policy]\nadmin = [\"U1\"]\n"), "test.toml: unknown key \"policy.admin\"");
    EXPECT_EQ(error_of("[confirmation]\nttl = 60\n"), "test.toml: unknown key \"confirmation.ttl\"");
    EXPECT_EQ(error_of("[scalingo]\ntoken = \"tk-us-secret\"\n"), "test.toml: unknown key \"scalingo.token\"");
}

TEST(ConfigTest, the_default_policy_is_allow_or_deny) {
    EXPECT_EQ(parse("[policy]\ndefault = \"deny\"\n").service.rules.default_policy, DefaultChannelPolicy::deny_all);
    EXPECT_EQ(parse("[policy]\ndefault = \"allow\"\n").service.rules.default_policy, DefaultChannelPolicy::allow_all);
    EXPECT_EQ(error_of("[policy]\ndefault = \"maybe\"\n"),
              "test.toml: policy.default is \"allow\" or \"deny\", not \"maybe\"");
    EXPECT_EQ(error_of("[policy]\ndefault = \"Deny\"\n"),
              "test.toml: policy.default is \"allow\" or \"deny\", not \"Deny\"");
}

TEST(ConfigTest, the_addresses_one_add_may_invite_are_capped_at_ten_unless_configured) {
    EXPECT_EQ(parse("").service.max_addresses_per_add, 10u);
    EXPECT_EQ(parse("[policy]\nmax_addresses_per_add = 25\n").service.max_addresses_per_add, 25u);
    EXPECT_NE(error_of("[policy]\nmax_addresses_per_add = 0\n").find("policy.max_addresses_per_add"),
              std::string::npos);
    EXPECT_NE(error_of("[policy]\nmax_addresses_per_add = 100000\n").find("policy.max_addresses_per_add"),
              std::string::npos);
}

TEST(ConfigTest, channel_rules_name_the_databases_each_channel_may_manage) {
    const Config config = parse(R"toml(
[policy.channels]
"C0123ABCD" = ["my-dedicated-db", "analytics-db"]
C0NOTHING = []
)toml");
    EXPECT_EQ(config.service.rules.channel_databases,
              (std::map<std::string, std::set<std::string>>{{"slack:C0123ABCD", {"analytics-db", "my-dedicated-db"}},
                                                            {"slack:C0NOTHING", {}}}));

    EXPECT_EQ(error_of("[policy.channels]\nC1 = \"my-dedicated-db\"\n"),
              "test.toml: policy.channels.C1 must be an array of strings");
    EXPECT_EQ(error_of("[policy.channels]\nC1 = [\"My_DB\"]\n"),
              "test.toml: policy.channels.C1: \"My_DB\" is not a valid database name: it starts with a letter and "
              "has only lower-case letters, digits and hyphens (e.g. my-dedicated-db).");
    EXPECT_EQ(error_of("[policy]\nchannels = [\"C1\"]\n"), "test.toml: policy.channels must be a table");
}

TEST(ConfigTest, admins_are_a_list_of_chat_user_ids) {
    EXPECT_EQ(parse("[policy]\nadmins = [\"U0123ABCD\", \"U0456EFGH\"]\n").service.rules.admins,
              (std::set<std::string>{"slack:U0123ABCD", "slack:U0456EFGH"}));
    EXPECT_EQ(error_of("[policy]\nadmins = \"U0123ABCD\"\n"), "test.toml: policy.admins must be an array of strings");
    EXPECT_EQ(error_of("[policy]\nadmins = [42]\n"), "test.toml: policy.admins must be an array of strings");
}

TEST(ConfigTest, identities_map_chat_users_to_emails) {
    const Config config = parse("[identities]\nU0123ABCD = \"user1@example.com\"\n\"U0456\" = \"user2@example.com\"\n");
    EXPECT_EQ(config.identities, (std::map<std::string, std::string>{{"slack:U0123ABCD", "user1@example.com"},
                                                                     {"slack:U0456", "user2@example.com"}}));
    EXPECT_EQ(error_of("[identities]\nU0123ABCD = \"user1\"\n"),
              "test.toml: identities.U0123ABCD must be an e-mail address");
    EXPECT_EQ(error_of("[identities]\nU0123ABCD = 7\n"), "test.toml: identities.U0123ABCD must be an e-mail address");
}

TEST(ConfigTest, identities_admins_and_channels_take_platform_qualified_ids_and_a_bare_id_is_slack) {
    const Config config = parse(R"toml(
[identities]
"discord:53908232506183680" = "user1@example.com"
"slack:U0123ABCD" = "user2@example.com"
U0456EFGH = "user3@example.com"
"shell:local" = "user4@example.com"

[policy]
admins = ["discord:53908232506183680", "U0123ABCD"]

[policy.channels]
"discord:1096147298201649253" = ["my-dedicated-db"]
C0123ABCD = ["analytics-db"]
)toml");
    EXPECT_EQ(config.identities, (std::map<std::string, std::string>{
                                     {"discord:53908232506183680", "user1@example.com"},
                                     {"shell:local", "user4@example.com"},
                                     {"slack:U0123ABCD", "user2@example.com"},
                                     {"slack:U0456EFGH", "user3@example.com"},
                                 }));
    EXPECT_EQ(config.service.rules.admins, (std::set<std::string>{"discord:53908232506183680", "slack:U0123ABCD"}));
    EXPECT_EQ(config.service.rules.channel_databases,
              (std::map<std::string, std::set<std::string>>{{"discord:1096147298201649253", {"my-dedicated-db"}},
                                                            {"slack:C0123ABCD", {"analytics-db"}}}));
}

TEST(ConfigTest, an_id_qualified_by_an_unknown_platform_is_refused_with_the_known_ones) {
    const std::string known = "(known: " + platform_names(", ") + "; a bare id is a Slack id)";
    EXPECT_EQ(error_of("[identities]\n\"discrod:5390\" = \"user1@example.com\"\n"),
              "test.toml: identities.discrod:5390: \"discrod\" is not a chat platform " + known);
    EXPECT_EQ(error_of("[policy]\nadmins = [\"teams:29:1\"]\n"),
              "test.toml: policy.admins \"teams:29:1\": \"teams\" is not a chat platform " + known);
    EXPECT_EQ(error_of("[policy.channels]\n\"irc:#ops\" = []\n"),
              "test.toml: policy.channels.irc:#ops: \"irc\" is not a chat platform " + known);
    EXPECT_EQ(error_of("[identities]\n\"discord:\" = \"user1@example.com\"\n"),
              "test.toml: identities.discord: names no id after \"discord:\"");
    EXPECT_NE(known.find("discord"), std::string::npos);
}

TEST(ConfigTest, a_value_of_the_wrong_type_or_range_is_rejected) {
    EXPECT_EQ(error_of("[confirmation]\nttl_seconds = \"5\"\n"),
              "test.toml: confirmation.ttl_seconds has the wrong type");
    EXPECT_EQ(error_of("[confirmation]\nttl_seconds = 5\n"),
              "test.toml: confirmation.ttl_seconds must be between 10 and 86400");
    EXPECT_EQ(error_of("[requests]\nttl_seconds = 5\n"),
              "test.toml: requests.ttl_seconds must be between 60 and 86400");
    EXPECT_EQ(parse("[requests]\nttl_seconds = 1800\n").service.request_ttl, std::chrono::seconds{1800});
    EXPECT_EQ(parse("[confirmation]\nttl_seconds = 600\n").service.confirmation_ttl, std::chrono::seconds{600});
    EXPECT_EQ(error_of("adapter = 1\n"), "test.toml: adapter has the wrong type");
    EXPECT_EQ(error_of("[policy]\nallow_apps = \"yes\"\n"), "test.toml: policy.allow_apps has the wrong type");
    EXPECT_EQ(error_of("shell = \"local\"\n"), "test.toml: shell must be a table");
    EXPECT_EQ(error_of("[audit]\nrows = 0\n"), "test.toml: audit.rows must be between 1 and 200");
    EXPECT_TRUE(parse("[audit]\nrecord_reads = true\n").service.record_reads);
    EXPECT_EQ(error_of("[scalingo]\nrequests_per_minute = 100\n"),
              "test.toml: scalingo.requests_per_minute must be between 1 and 60");
}

TEST(ConfigTest, every_registered_platform_is_an_adapter_with_its_own_strict_section) {
    ASSERT_FALSE(platforms().empty());
    EXPECT_EQ(platforms().front().name, "shell") << "the default";
    EXPECT_EQ(default_platform(), &platforms().front());
    for (const Platform& platform : platforms()) {
        const std::string name(platform.name);
        EXPECT_EQ(platform_named(name), &platform);
        EXPECT_NE(platform.section, nullptr) << name;
        EXPECT_NE(platform.run, nullptr) << name;
        EXPECT_EQ(parse("adapter = \"" + name + "\"\n[" + name + "]\n").adapter, &platform);
        EXPECT_EQ(error_of("[" + name + "]\nmisspelt = 1\n"), "test.toml: unknown key \"" + name + ".misspelt\"");
    }
    EXPECT_EQ(platform_names(" or "), "shell, slack, discord or mattermost");
}

TEST(ConfigTest, unknown_choices_are_rejected_with_the_known_ones) {
    EXPECT_EQ(error_of("adapter = \"irc\"\n"),
              "test.toml: adapter \"irc\" is not available (known: shell, slack, discord, mattermost)");
    EXPECT_EQ(error_of("provider = \"heroku\"\n"),
              "test.toml: provider \"heroku\" is not available (known: sandbox, scalingo)");
    EXPECT_EQ(error_of("log_level = \"verbose\"\n"),
              "test.toml: log_level \"verbose\" is not one of trace, debug, info, warn, error, off");
    EXPECT_EQ(error_of("[shell]\nemail = \"user1\"\n"),
              "test.toml: shell.email: \"user1\" is not an e-mail address: it has no @.");
}

TEST(ConfigTest, relative_paths_are_relative_to_the_files_directory) {
    const Config config = parse(R"toml(
state_dir = "state"
[sandbox]
seed = "seeds/demo.toml"
[confirmation]
key_file = "/run/secrets/collab.key"
)toml",
                                "/etc/collab-bot");
    EXPECT_EQ(config.sandbox_seed, fs::path("/etc/collab-bot/seeds/demo.toml"));
    EXPECT_EQ(config.state_dir, fs::path("/etc/collab-bot/state"));
    EXPECT_EQ(config.confirmation_key_file, fs::path("/run/secrets/collab.key"));  // absolute: as written
    EXPECT_TRUE(parse("[sandbox]\nseed = \"\"\n").sandbox_seed.empty());           // empty: the embedded seed
}

TEST(ConfigTest, a_config_file_is_read_relative_to_its_own_directory) {
    testing::TempDir dir;
    testing::write_file(dir / "bot.toml", "[sandbox]\nseed = \"seed.toml\"\n");
    const Config config = load_config_file(dir / "bot.toml");
    EXPECT_EQ(config.source, (dir / "bot.toml").string());
    EXPECT_EQ(config.sandbox_seed, dir / "seed.toml");

    try {
        load_config_file(dir / "missing.toml");
        FAIL() << "a missing file was read";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "cannot read the configuration file " + (dir / "missing.toml").string());
    }
}

TEST(ConfigTest, a_toml_syntax_error_gives_the_line_and_column) {
    const std::string message = error_of("adapter = \"shell\"\n[policy\n");
    EXPECT_TRUE(message.starts_with("test.toml:2:")) << message;
}

TEST(ConfigTest, the_slack_section_is_read_strictly) {
    const Config config = parse(R"toml(
adapter = "slack"
[slack]
mode = "http"
connections = 3
bot_token_file = "secrets/bot"
answer_budget_ms = 1500
http_read_timeout_seconds = 4
http_write_timeout_seconds = 30
[slack.responses]
list = "in_channel"
add = "ephemeral"
)toml");
    EXPECT_EQ(config.adapter->name, "slack");
    EXPECT_EQ(slack(config).mode, SlackMode::http);
    EXPECT_EQ(slack(config).socket.connections, 3);
    EXPECT_EQ(slack(config).bot_token_file, fs::path("/etc/collab-bot/secrets/bot"));
    EXPECT_EQ(slack(config).desk.answer_budget, std::chrono::milliseconds{1500});
    EXPECT_EQ(slack(config).http_mode.server.read_timeout, std::chrono::seconds{4});
    EXPECT_EQ(slack(config).http_mode.server.write_timeout, std::chrono::seconds{30});
    EXPECT_EQ(slack(config).desk.visibility.by_command.at("list"), chat::Visibility::in_channel);
    EXPECT_EQ(slack(config).desk.visibility.by_command.at("add"), chat::Visibility::ephemeral);

    EXPECT_EQ(error_of("[slack]\nmode = \"webhook\"\n"),
              "test.toml: slack.mode is \"socket\" or \"http\", not \"webhook\"");
    EXPECT_EQ(error_of("[slack]\nconnections = 11\n"), "test.toml: slack.connections must be between 1 and 10");
    EXPECT_EQ(error_of("[slack]\nbot_token = \"xoxb-1\"\n"), "test.toml: unknown key \"slack.bot_token\"");
    EXPECT_EQ(error_of("[slack.responses]\nlsit = \"ephemeral\"\n"),
              "test.toml: slack.responses.lsit: no such command");
    EXPECT_EQ(error_of("[slack]\nhttp_read_timeout_seconds = 0\n"),
              "test.toml: slack.http_read_timeout_seconds must be between 1 and 300");
    EXPECT_EQ(error_of("[slack]\nhttp_timeout_seconds = 5\n"), "test.toml: unknown key \"slack.http_timeout_seconds\"");
    EXPECT_EQ(error_of("[slack.responses]\nlist = \"public\"\n"),
              "test.toml: slack.responses.list is \"ephemeral\" or \"in_channel\"");
}

TEST(ConfigTest, every_platform_reads_its_responses_table_and_refuses_a_command_or_value_it_does_not_know) {
    const Config config = parse(R"toml(
[slack.responses]
list = "in_channel"
[discord.responses]
add = "ephemeral"
[mattermost.responses]
whoami = "in_channel"
)toml");
    EXPECT_EQ(slack(config).desk.visibility.by_command,
              (std::map<std::string, chat::Visibility, std::less<>>{{"list", chat::Visibility::in_channel}}));
    EXPECT_EQ(discord(config).desk.visibility.by_command,
              (std::map<std::string, chat::Visibility, std::less<>>{{"add", chat::Visibility::ephemeral}}));
    EXPECT_EQ(mattermost(config).desk.visibility.by_command,
              (std::map<std::string, chat::Visibility, std::less<>>{{"whoami", chat::Visibility::in_channel}}));

    for (std::string platform : {"discord", "mattermost"}) {
        EXPECT_EQ(error_of("[" + platform + ".responses]\nlsit = \"ephemeral\"\n"),
                  "test.toml: " + platform + ".responses.lsit: no such command");
        EXPECT_EQ(error_of("[" + platform + ".responses]\nlist = \"public\"\n"),
                  "test.toml: " + platform + ".responses.list is \"ephemeral\" or \"in_channel\"");
        EXPECT_EQ(error_of("[" + platform + ".responses]\nlist = true\n"),
                  "test.toml: " + platform + ".responses.list is \"ephemeral\" or \"in_channel\"");
        EXPECT_EQ(error_of("[" + platform + "]\nresponses = \"ephemeral\"\n"),
                  "test.toml: " + platform + ".responses must be a table");
    }
}

TEST(ConfigTest, slack_secrets_come_from_the_environment_or_files_and_the_missing_one_is_named) {
    testing::TempDir dir;
    testing::write_file(dir / "bot-token", "xoxb-from-file\n");
    SlackConfig slack;
    slack.bot_token_file = dir / "bot-token";
    std::map<std::string, std::string> variables{{"SLACK_APP_TOKEN", "xapp-from-env"}};
    const Environment environment = [&](std::string_view name) -> std::optional<std::string> {
        auto found = variables.find(std::string(name));
        return found == variables.end() ? std::nullopt : std::optional(found->second);
    };
    const SlackSecrets secrets = slack_secrets(slack, environment);
    EXPECT_EQ(secrets.app_token, "xapp-from-env");
    EXPECT_EQ(secrets.bot_token, "xoxb-from-file");
    variables["SLACK_BOT_TOKEN"] = "xoxb-from-env";
    EXPECT_EQ(slack_secrets(slack, environment).bot_token, "xoxb-from-env") << "the environment wins";

    variables.erase("SLACK_APP_TOKEN");
    try {
        slack_secrets(slack, environment);
        FAIL() << "Socket Mode started without an app token";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("SLACK_APP_TOKEN"), std::string::npos) << e.what();
    }
    slack.mode = SlackMode::http;
    try {
        slack_secrets(slack, environment);
        FAIL() << "HTTP mode started without a signing secret";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("SLACK_SIGNING_SECRET"), std::string::npos) << e.what();
    }
    variables["SLACK_APP_TOKEN"] = "xoxb-a-bot-token-in-the-wrong-place\n";
    slack.mode = SlackMode::socket;
    try {
        slack_secrets(slack, environment);
        FAIL() << "a bot token was taken for the app-level one";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("SLACK_APP_TOKEN must be an app-level token"), std::string::npos)
            << e.what();
        EXPECT_EQ(std::string(e.what()).find("xoxb-a-bot"), std::string::npos) << "the token itself is not shown";
    }
    variables["SLACK_APP_TOKEN"] = "  xapp-1-pasted-with-blanks \n";
    EXPECT_EQ(slack_secrets(slack, environment).app_token, "xapp-1-pasted-with-blanks");
    slack.mode = SlackMode::http;
    variables["SLACK_SIGNING_SECRET"] = "8f742231b10e8888abcd99yyyzzz85a5";
    EXPECT_EQ(slack_secrets(slack, environment).signing_secret, "8f742231b10e8888abcd99yyyzzz85a5");
}

TEST(ConfigTest, slack_api_url_in_the_environment_overrides_the_file) {
    Config config = parse("[slack]\napi_url = \"https://slack.example/api/\"\n");
    apply_environment(config, [](std::string_view name) -> std::optional<std::string> {
        if (name == "SLACK_API_URL") return "http://127.0.0.1:9/api/";
        return std::nullopt;
    });
    EXPECT_EQ(slack(config).web.api_url, "http://127.0.0.1:9/api/");
}

TEST(ConfigTest, discords_http_mode_takes_its_listener_and_public_key_from_the_file_or_the_environment) {
    Config config = parse("[discord]\nmode = \"http\"\nlisten = \"0.0.0.0:8443\"\npublic_key = \"ab12\"\n");
    const auto& settings = discord(config);
    EXPECT_EQ(settings.mode, DiscordMode::http);
    EXPECT_EQ(settings.endpoint.server.listen, "0.0.0.0:8443");
    EXPECT_EQ(discord_public_key(settings), "ab12");
    apply_environment(config, [](std::string_view name) -> std::optional<std::string> {
        if (name == "COLLAB_DISCORD_LISTEN") return "127.0.0.1:0";
        if (name == "DISCORD_PUBLIC_KEY") return "cd34";
        return std::nullopt;
    });
    EXPECT_EQ(settings.endpoint.server.listen, "127.0.0.1:0");
    EXPECT_EQ(discord_public_key(settings), "cd34");

    const Config gateway = parse("[discord]\n");
    EXPECT_EQ(discord(gateway).mode, DiscordMode::gateway) << "the gateway unless told otherwise";
    try {
        discord_public_key(discord(gateway));
        ADD_FAILURE() << "no public key, and no complaint";
    } catch (const ConfigError& error) {
        EXPECT_NE(std::string(error.what()).find("DISCORD_PUBLIC_KEY"), std::string::npos) << error.what();
    }
    EXPECT_EQ(error_of("[discord]\nmode = \"webhook\"\n"),
              "test.toml: discord.mode is \"gateway\" or \"http\", not \"webhook\"");
}

TEST(ConfigTest, the_mattermost_section_is_read_and_the_environment_names_the_server_and_the_listener) {
    Config config = parse(
        "adapter = \"mattermost\"\n[mattermost]\nurl = \"https://chat.example\"\nlisten = \"0.0.0.0:8065\"\n"
        "public_url = \"https://bot.example\"\n");
    const auto& settings = mattermost(config);
    EXPECT_EQ(settings.commands.server.listen, "0.0.0.0:8065");
    EXPECT_EQ(settings.commands.server.public_url, "https://bot.example");
    apply_environment(config, [](std::string_view name) -> std::optional<std::string> {
        if (name == "MATTERMOST_URL") return "http://127.0.0.1:9";
        if (name == "COLLAB_MATTERMOST_LISTEN") return "127.0.0.1:0";
        return std::nullopt;
    });
    EXPECT_EQ(settings.rest.server_url, "http://127.0.0.1:9");
    EXPECT_EQ(settings.commands.server.listen, "127.0.0.1:0");
    EXPECT_EQ(error_of("[mattermost]\nlisten = 8065\n"), "test.toml: mattermost.listen has the wrong type");

    std::map<std::string, std::string> variables{{"MATTERMOST_BOT_TOKEN", "bot-token"}};
    const Environment environment = [&](std::string_view name) -> std::optional<std::string> {
        auto found = variables.find(std::string(name));
        return found == variables.end() ? std::nullopt : std::optional(found->second);
    };
    auto missing = [&](const MattermostConfig& settings) -> std::string {
        try {
            mattermost_secrets(settings, environment);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_TRUE(settings.socket.enabled) << "the websocket is on unless turned off";
    EXPECT_EQ(missing(settings), "") << "with the websocket, mentions need no slash command";
    EXPECT_EQ(mattermost_secrets(settings, environment).command_token, "");
    const Config without_websocket = parse("[mattermost]\nurl = \"https://chat.example\"\nwebsocket = false\n");
    EXPECT_FALSE(mattermost(without_websocket).socket.enabled);
    EXPECT_NE(missing(mattermost(without_websocket)).find("MATTERMOST_COMMAND_TOKEN"), std::string::npos);
    variables["MATTERMOST_COMMAND_TOKEN"] = "okwexkjpe7ygb8eq1ww58t483w";
    EXPECT_EQ(mattermost_secrets(settings, environment).command_token, "okwexkjpe7ygb8eq1ww58t483w");
    const Config bare = parse("");
    EXPECT_NE(missing(mattermost(bare)).find("MATTERMOST_URL"), std::string::npos)
        << "the server has no default address";
}

TEST(ConfigTest, the_store_is_a_sqlite_file_or_a_postgresql_url_and_the_environment_may_name_it) {
    EXPECT_EQ(
        std::get<SqliteFile>(parse("[store]\nurl = \"sqlite:///var/lib/bot/state.sqlite\"\n").store.location).file,
        fs::path("/var/lib/bot/state.sqlite"));
    EXPECT_EQ(std::get<PostgresUrl>(parse("[store]\nurl = \"postgres://db/collab\"\n").store.location).url,
              "postgres://db/collab");
    EXPECT_EQ(error_of("[store]\nurl = \"mysql://db/collab\"\n"),
              "test.toml: store.url is \"sqlite:///path/to/file\" or \"postgresql://user@host:port/database\"");

    // The URL in the environment (it may hold a password); the retention still from the file.
    Config config = parse("[store]\naudit_retention_days = 30\n");
    apply_environment(config, [](std::string_view name) -> std::optional<std::string> {
        if (name == "COLLAB_STORE_URL") return "postgresql://collab@db.internal:5432/collab";
        return std::nullopt;
    });
    EXPECT_EQ(std::get<PostgresUrl>(config.store.location).url, "postgresql://collab@db.internal:5432/collab");
    EXPECT_EQ(config.store.audit_retention_days, 30);
    try {
        apply_environment(config, [](std::string_view) -> std::optional<std::string> { return "db.internal"; });
        FAIL() << "a store URL of no known kind was taken";
    } catch (const ConfigError& e) {
        EXPECT_EQ(
            std::string(e.what()),
            "COLLAB_STORE_URL: store.url is \"sqlite:///path/to/file\" or \"postgresql://user@host:port/database\"");
    }
}

TEST(ConfigTest, every_url_in_force_is_parsed_at_start_up_and_a_bad_one_is_named) {
    Config config = parse("");
    config.provider = ProviderKind::scalingo;
    config.adapter = platform_named("slack");
    EXPECT_NO_THROW(check_urls(config));
    const auto refusal = [](const Config& c) {
        try {
            check_urls(c);
        } catch (const ConfigError& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    Config bad_api = config;
    bad_api.scalingo.api_url = "api.osc-fr1.scalingo.com";
    EXPECT_EQ(
        refusal(bad_api),
        "SCALINGO_API_URL ([scalingo] api_url, or region) is not a usable http(s) URL: it is not an absolute URL");
    Config bad_auth = config;
    bad_auth.scalingo.api.auth_url = "https://user:secret@auth.example.com";
    EXPECT_EQ(refusal(bad_auth),
              "SCALINGO_AUTH_URL ([scalingo] auth_url) is not a usable http(s) URL: user name or password in the URL "
              "are not supported");
    Config bad_slack = config;
    slack(bad_slack).web.api_url = "ftp://slack.com/api/";
    EXPECT_EQ(refusal(bad_slack),
              "SLACK_API_URL ([slack] api_url) is not a usable http(s) URL: the scheme must be http or https");
    // URLs of what is not in use are not checked: the shell and the sandbox call none.
    bad_slack.adapter = platform_named("shell");
    bad_slack.provider = ProviderKind::sandbox;
    EXPECT_EQ(refusal(bad_slack), "accepted");
}

}  // namespace
}  // namespace collab::bot
