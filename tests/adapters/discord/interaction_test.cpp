// Interactions as Discord delivers them (tests/fixtures/discord), turned into the Desk's requests,
// and /collab's registration derived from the core's command table.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

#include "adapters/chat/discord/interaction.hpp"
#include "adapters/chat/discord/messages.hpp"
#include "fixtures.hpp"

namespace collab::discord {
namespace {

using testing::fixture;
namespace json = boost::json;

// Discord's example interaction with our command in it: the same envelope, /collab <sub> <options>.
std::string collab_interaction(std::string_view sub_command, json::array options, bool in_guild = true) {
    json::value value = json::parse(fixture("discord_interaction_slash_command_cardsearch.json"));
    json::object& interaction = value.as_object();
    interaction["application_id"] = "555";
    interaction["data"] = json::object{
        {"id", "771825006014889984"},
        {"name", "collab"},
        {"type", 1},
        {"options", json::array{json::object{{"type", 1}, {"name", sub_command}, {"options", std::move(options)}}}}};
    if (!in_guild) {
        interaction.erase("guild_id");
        interaction["user"] = interaction.at("member").at("user");
        interaction.erase("member");
    }
    return json::serialize(value);
}

json::object string_option(std::string_view name, std::string_view value) {
    return {{"type", 3}, {"name", name}, {"value", value}};
}

TEST(Interaction, DecodesDiscordsExample) {
    auto interaction = decode_interaction(fixture("discord_interaction_slash_command_cardsearch.json"));
    ASSERT_TRUE(interaction) << interaction.error();
    EXPECT_EQ(interaction->type, InteractionType::command);
    EXPECT_EQ(interaction->id, "786008729715212338");
    EXPECT_EQ(interaction->token, "A_UNIQUE_TOKEN");
    EXPECT_EQ(interaction->guild_id, "290926798626357999");
    EXPECT_EQ(interaction->channel_id, "645027906669510667");
    EXPECT_EQ(interaction->user_id, "53908232506183680");
    EXPECT_EQ(interaction->command, "cardsearch");
    // Its one option is not a sub-command of ours: no command text beyond nothing.
    EXPECT_EQ(interaction->call.sub_command, "");
    EXPECT_EQ(command_request(*interaction).text, "");
}

TEST(Interaction, ASubCommandBecomesTheCommandTextTheCoreParses) {
    auto remove = decode_interaction(
        collab_interaction("remove", {string_option("email", "bob@example.com"), string_option("database", "my-db")}));
    ASSERT_TRUE(remove) << remove.error();
    const chat::CommandRequest request = command_request(*remove);
    // In the usage's order, whatever order Discord sent the options in.
    EXPECT_EQ(request.text, "remove my-db bob@example.com");
    EXPECT_EQ(request.origin.id, "786008729715212338");
    EXPECT_EQ(request.origin.actor.platform, "discord");
    EXPECT_EQ(request.origin.actor.team, "290926798626357999");
    EXPECT_EQ(request.origin.actor.user_id, "53908232506183680");
    EXPECT_EQ(request.origin.actor.channel, "645027906669510667");
    EXPECT_EQ(request.origin.reply_url, "webhooks/555/A_UNIQUE_TOKEN");

    auto add = decode_interaction(collab_interaction(
        "add", {string_option("database", "my-db"), string_option("emails", "a@x.io, b@x.io c@x.io")}));
    EXPECT_EQ(command_request(*add).text, "add my-db a@x.io, b@x.io c@x.io");

    // A value with blanks reaches the core as one word, which then says what is wrong with it.
    auto list = decode_interaction(collab_interaction("list", {string_option("database", "my db")}));
    EXPECT_EQ(command_request(*list).text, "list \"my db\"");

    auto whoami = decode_interaction(collab_interaction("whoami", {}, false));
    ASSERT_TRUE(whoami) << whoami.error();
    EXPECT_EQ(whoami->user_id, "53908232506183680");  // from `user` in a direct message
    EXPECT_EQ(whoami->guild_id, "");
    EXPECT_EQ(command_request(*whoami).text, "whoami");
}

TEST(Interaction, ClicksAndPings) {
    auto click = decode_interaction(
        R"({"type":3,"id":"9","token":"T","application_id":"555","channel_id":"C","guild_id":"G",)"
        R"("member":{"user":{"id":"U"}},"data":{"component_type":2,"custom_id":"collab:cancel:x"}})");
    ASSERT_TRUE(click) << click.error();
    EXPECT_EQ(click->type, InteractionType::component);
    EXPECT_EQ(click->custom_id, "collab:cancel:x");
    const chat::ClickRequest request = click_request(*click, "the-token", true);
    EXPECT_EQ(request.token, "the-token");
    EXPECT_TRUE(request.cancel);
    EXPECT_EQ(request.origin.actor.user_id, "U");

    auto ping = decode_interaction(R"({"type":1,"id":"1","token":"T","application_id":"555"})");
    ASSERT_TRUE(ping) << ping.error();
    EXPECT_EQ(ping->type, InteractionType::ping);
}

TEST(Interaction, AnAutocompleteSaysWhichOptionIsBeingTypedAndWhatSoFar) {
    // Discord's APPLICATION_COMMAND_AUTOCOMPLETE: the command's options so far, the one typed "focused".
    json::object typing = string_option("database", "My-D");
    typing["focused"] = true;
    json::value value = json::parse(collab_interaction("add", json::array{typing, string_option("emails", "a@b.c")}));
    value.as_object()["type"] = 4;
    auto interaction = decode_interaction(json::serialize(value));
    ASSERT_TRUE(interaction) << interaction.error();
    EXPECT_EQ(interaction->type, InteractionType::autocomplete);
    EXPECT_EQ(interaction->call.sub_command, "add");
    EXPECT_EQ(interaction->call.focused, "database");
    EXPECT_EQ(interaction->call.options.at(0), (std::pair<std::string, std::string>{"database", "My-D"}));

    auto command = decode_interaction(collab_interaction("list", json::array{string_option("database", "x")}));
    ASSERT_TRUE(command);
    EXPECT_EQ(command->call.focused, "") << "a command that is run has no option being typed";
}

TEST(Interaction, BadPayloadsSayWhatIsWrong) {
    EXPECT_EQ(decode_interaction("{").error().substr(0, 14), "malformed JSON");
    EXPECT_EQ(decode_interaction(R"({"id":"1","token":"T"})").error(), "an interaction without a numeric type");
    EXPECT_EQ(decode_interaction(R"({"type":2,"token":"T"})").error(), "an interaction without id or token");
    EXPECT_EQ(decode_interaction(R"({"type":2,"id":"1","token":"T","data":{"name":"collab"}})").error(),
              "an interaction without member.user.id or user.id");
    EXPECT_EQ(decode_interaction(R"({"type":3,"id":"1","token":"T","user":{"id":"U"},"data":{}})").error(),
              "a component interaction without data.custom_id");
    EXPECT_EQ(decode_interaction(std::string(70'000, ' ')).error(), "an interaction of 70000 bytes");
}

// Every command of the help is a sub-command, with its options typed from its usage.
TEST(Registration, EveryHelpCommandIsASubCommand) {
    const json::array body = registration_body(command_specs());
    ASSERT_EQ(body.size(), 1u);
    const json::object& collab = body.at(0).as_object();
    EXPECT_EQ(collab.at("name"), "collab");
    EXPECT_EQ(collab.at("type"), 1);
    std::set<std::string> offered;
    for (const auto& sub : collab.at("options").as_array()) {
        EXPECT_EQ(sub.at("type"), 1);
        const std::string name(sub.at("name").as_string());
        offered.insert(name);
        const auto description = sub.at("description").as_string();
        EXPECT_GE(description.size(), 1u);
        EXPECT_LE(discord_length(description), 100u) << name;
    }
    std::set<std::string> in_help;
    for (const auto& spec : command_specs())
        if (spec.listed_in_help) in_help.insert(std::string(spec.name));
    EXPECT_EQ(offered, in_help);
    EXPECT_FALSE(offered.contains("confirm"));  // the buttons confirm
    EXPECT_FALSE(offered.contains("approve"));  // the card's buttons decide
    EXPECT_FALSE(offered.contains("deny"));
}

json::object sub_command(std::string_view name) {
    const json::array body = registration_body(command_specs());
    for (const auto& sub : body.at(0).at("options").as_array())
        if (sub.at("name").as_string() == name) return sub.as_object();
    ADD_FAILURE() << "no sub-command " << name;
    return {};
}

TEST(Registration, OptionsAreTypedFromTheUsage) {
    EXPECT_EQ(sub_command("remove").at("options"),
              json::parse(R"([{"type":3,"name":"database","description":"The database's name, as Scalingo shows it",)"
                          R"("required":true,"autocomplete":true},{"type":3,"name":"email",)"
                          R"("description":"An e-mail address",)"
                          R"("required":true,"max_length":254}])"));
    const json::object add_command = sub_command("add");
    const json::array& add = add_command.at("options").as_array();
    ASSERT_EQ(add.size(), 2u);
    EXPECT_EQ(add.at(1).at("name"), "emails");
    EXPECT_EQ(add.at(1).at("required"), true);
    EXPECT_EQ(sub_command("resend").at("options"), sub_command("remove").at("options"));
    EXPECT_EQ(sub_command("offboard").at("options"),
              json::parse(R"([{"type":3,"name":"email","description":"An e-mail address","required":true,)"
                          R"("max_length":254}])"));
    EXPECT_FALSE(sub_command("whoami").contains("options"));
    EXPECT_EQ(sub_command("request").at("options"),
              json::parse(R"([{"type":3,"name":"database","description":"The database's name, as Scalingo shows it",)"
                          R"("required":true,"autocomplete":true}])"));
    const json::object help = sub_command("help");
    const json::object& topic = help.at("options").at(0).as_object();
    EXPECT_EQ(topic.at("name"), "command");
    EXPECT_EQ(topic.at("required"), false);
    EXPECT_EQ(topic.at("choices").as_array().size(), offered_commands(command_specs()).size());
}

TEST(Registration, AccessAndTheAuditFiltersAreTypedOptions) {
    EXPECT_EQ(sub_command("access").at("options"),
              json::parse(R"([{"type":3,"name":"email","description":"An e-mail address","required":true,)"
                          R"("max_length":254}])"));
    const json::object audit_command = sub_command("audit");
    const json::array& audit = audit_command.at("options").as_array();
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit.at(0).at("name"), "database");
    EXPECT_EQ(audit.at(0).at("required"), true);
    EXPECT_EQ(audit.at(1), json::parse(R"({"type":3,"name":"by","description":"Only what this e-mail address did",)"
                                       R"("required":false,"max_length":254})"));
    EXPECT_EQ(audit.at(2).at("name"), "action");
    EXPECT_EQ(audit.at(2).at("required"), false);
    std::set<std::string> actions;
    for (const auto& choice : audit.at(2).at("choices").as_array())
        actions.insert(std::string(choice.at("value").as_string()));
    EXPECT_TRUE(actions.contains("remove") && actions.contains("confirm") && actions.contains("access"));
}

// What Discord sends back becomes the text the core parses: the keyword before its value.
TEST(Registration, TheAuditFiltersComeBackAsTheGrammarReadsThem) {
    EXPECT_EQ(command_text(CommandCall{
                  "audit", {{"action", "remove"}, {"database", "my-dedicated-db"}, {"by", "user2@example.com"}}}),
              "audit my-dedicated-db by user2@example.com remove");
    EXPECT_EQ(command_text(CommandCall{"audit", {{"database", "my-dedicated-db"}, {"action", "add"}}}),
              "audit my-dedicated-db add");
    EXPECT_EQ(command_text(CommandCall{"access", {{"email", "user3@example.com"}}}), "access user3@example.com");
    const auto parsed = parse_command(command_text(
        CommandCall{"audit", {{"database", "my-dedicated-db"}, {"by", "user2@example.com"}, {"action", "remove"}}}));
    ASSERT_TRUE(parsed);
    const auto& audit = std::get<AuditCommand>(*parsed);
    EXPECT_EQ(audit.by, "user2@example.com");
    EXPECT_EQ(audit.action, "remove");
}

}  // namespace
}  // namespace collab::discord
