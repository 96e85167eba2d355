// The pure parts of the Mattermost adapter: what the server posts decoded, what the bot answers
// encoded, against the documented request (tests/fixtures/mattermost) and the server's own rules.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>

#include "adapters/chat/markdown_reply.hpp"
#include "adapters/chat/mattermost/messages.hpp"
#include "adapters/chat/mattermost/requests.hpp"
#include "adapters/chat/mattermost/socket_frames.hpp"
#include "mattermost/fixtures.hpp"

namespace collab::mattermost {
namespace {
namespace json = boost::json;

const TimePoint deadline = TimePoint{std::chrono::seconds{1'900'000'000}};

Reply proposal_reply() {
    Reply reply;
    reply.kind = ReplyKind::proposal;
    reply.proposal =
        Proposal{"Remove user2@example.com from my-dedicated-db?", "Revoke access", "sealed.token.v1", deadline};
    return reply;
}

Reply table_reply(std::size_t rows) {
    Reply reply;
    reply.lines.push_back(Line{LineStyle::plain, "Collaborators of my-dedicated-db"});
    Table table;
    table.header = {"EMAIL", "STATUS"};
    for (std::size_t i = 0; i < rows; ++i) {
        table.rows.push_back({"user" + std::to_string(i) + "@example.com", "accepted"});
        table.dimmed.push_back(false);
    }
    reply.table = table;
    return reply;
}

TEST(MattermostRequests, TheDocumentedSlashCommandIsDecodedAndItsTokenAccepted) {
    const auto recorded = testing::recorded_command();
    EXPECT_TRUE(check_command_token(recorded.authorization, "okwexkjpe7ygb8eq1ww58t483w"));
    const auto command = decode_slash_command(recorded.body);
    ASSERT_TRUE(command) << command.error();
    EXPECT_EQ(command->team_id, "carya1qs77bemjup96ff538snh");
    EXPECT_EQ(command->channel_id, "jux16pkewjrkfj3ehep1psxyxc");
    EXPECT_EQ(command->user_id, "aoa1agao6t8fmx3ikt1j9w5ybw");
    EXPECT_EQ(command->user_name, "somename");
    EXPECT_EQ(command->command, "/test");
    EXPECT_EQ(command->text, "asd");
    EXPECT_EQ(command->response_url, "http://localhost:8065/hooks/commands/xbrkb8p393gjpq5cawei7npije");

    const chat::CommandRequest request = command_request(*command, "mm-1");
    EXPECT_EQ(request.origin.actor.platform, "mattermost");
    EXPECT_EQ(request.origin.actor.team, "carya1qs77bemjup96ff538snh");
    EXPECT_EQ(request.origin.actor.user_id, "aoa1agao6t8fmx3ikt1j9w5ybw");
    EXPECT_EQ(request.origin.actor.channel, "jux16pkewjrkfj3ehep1psxyxc");
    EXPECT_EQ(request.origin.reply_url, command->response_url);
    EXPECT_EQ(request.text, "asd");
}

TEST(MattermostRequests, AnythingButTheRightTokenIsRefusedWithTheReason) {
    const std::string token = "okwexkjpe7ygb8eq1ww58t483w";
    const std::vector<std::pair<std::string, std::string>> refused{
        {"", "no Authorization header"},
        {"Bearer " + token, "the Authorization header is not \"Token …\""},
        {"token " + token, "the Authorization header is not \"Token …\""},
        {"Token okwexkjpe7ygb8eq1ww58t483x", "the command token does not match"},
        {"Token " + token + "x", "the command token does not match"},
        {"Token ", "the command token does not match"},
    };
    for (const auto& [header, reason] : refused) {
        const auto checked = check_command_token(header, token);
        ASSERT_FALSE(checked) << header;
        EXPECT_EQ(checked.error(), reason) << header;
        EXPECT_EQ(checked.error().find(token), std::string::npos);
    }
    // A bot started without a token accepts nothing, not even an empty one.
    EXPECT_FALSE(check_command_token("Token ", ""));
}

TEST(MattermostRequests, AFormWithoutWhatIsNeededIsRefused) {
    EXPECT_EQ(decode_slash_command("a=%zz").error(), "not a form-encoded body");
    EXPECT_EQ(decode_slash_command("channel_id=c&user_id=u&command=%2Fcollab&text=").error(),
              "slash command without team_id");
    EXPECT_EQ(decode_slash_command("team_id=t&channel_id=c&user_id=u&command=%2Fcollab").error(),
              "slash command without text");
    const auto empty_text = decode_slash_command("team_id=t&channel_id=c&user_id=u&command=%2Fcollab&text=");
    ASSERT_TRUE(empty_text);
    EXPECT_EQ(empty_text->text, "");
}

TEST(MattermostRequests, AClickIsDecodedFromItsContext) {
    // PostActionIntegrationRequest as app/integration_action.go marshals it.
    const std::string body =
        R"({"user_id":"u1","user_name":"alice","channel_id":"c1","channel_name":"ops","team_id":"",)"
        R"("team_domain":"","post_id":"p1","trigger_id":"dHJpZ2dlcg==","type":"","data_source":"",)"
        R"("context":{"action":"cancel","token":"sealed.token","team_id":"t1"}})";
    const auto click = decode_action(body);
    ASSERT_TRUE(click) << click.error();
    EXPECT_EQ(click->user_id, "u1");
    EXPECT_EQ(click->channel_id, "c1");
    EXPECT_EQ(click->post_id, "p1");
    EXPECT_EQ(click->team_id, "t1") << "a direct channel's click has no team: the proposal's is used";
    EXPECT_EQ(click->token, "sealed.token");
    EXPECT_TRUE(click->cancel);
    const chat::ClickRequest request = click_request(*click, "mm-2");
    EXPECT_EQ(request.token, "sealed.token");
    EXPECT_TRUE(request.cancel);
    EXPECT_EQ(request.origin.actor.platform, "mattermost");
    EXPECT_EQ(request.origin.actor.team, "t1");
}

TEST(MattermostRequests, ClicksThatAreNotOursAreRefusedWithTheReason) {
    const std::vector<std::pair<std::string, std::string>> refused{
        {"[]", "not a JSON object"},
        {R"({"channel_id":"c","post_id":"p","context":{"action":"confirm","token":"t"}})", "action without user_id"},
        {R"({"user_id":"u","post_id":"p","context":{"action":"confirm","token":"t"}})", "action without channel_id"},
        {R"({"user_id":"u","channel_id":"c","context":{"action":"confirm","token":"t"}})", "action without post_id"},
        {R"({"user_id":"u","channel_id":"c","post_id":"p"})", "action without a context"},
        {R"({"user_id":"u","channel_id":"c","post_id":"p","context":{"action":"delete","token":"t"}})",
         "action context names no button of ours"},
        {R"({"user_id":"u","channel_id":"c","post_id":"p","context":{"action":"confirm"}})",
         "action context without a token"},
    };
    for (const auto& [body, reason] : refused) {
        const auto click = decode_action(body);
        ASSERT_FALSE(click) << body;
        EXPECT_EQ(click.error(), reason) << body;
    }
}

TEST(MattermostRequests, TheWorkLeftForAnotherInstanceReadsBackAsTheSameRequest) {
    const SlashCommand command{"t", "c", "u", "alice", "/collab", "list db", "http://mm/hooks/commands/1", "tr"};
    const auto read = request_of_work(store::Orphan{"k1", work_of(command)});
    ASSERT_TRUE(read);
    const auto& again = std::get<chat::CommandRequest>(*read);
    EXPECT_EQ(again.text, "list db");
    EXPECT_EQ(again.origin.id, "k1");
    EXPECT_EQ(again.origin.reply_url, "http://mm/hooks/commands/1");
    EXPECT_EQ(again.origin.actor.user_id, "u");

    const ActionClick click{"u", "c", "t", "p", "sealed", true};
    const auto clicked = request_of_work(store::Orphan{"k2", work_of(click)});
    ASSERT_TRUE(clicked);
    EXPECT_EQ(std::get<chat::ClickRequest>(*clicked).token, "sealed");
    EXPECT_TRUE(std::get<chat::ClickRequest>(*clicked).cancel);

    EXPECT_FALSE(request_of_work(store::Orphan{"k3", "{"}));
    EXPECT_FALSE(request_of_work(store::Orphan{"k4", R"({"kind":"other"})"}));
}

TEST(MattermostMessages, EchoedInputMentionsNobody) {
    // What the server would read as a mention: a word beginning with '@' once punctuation is split off.
    const std::regex mention(R"((^|[^A-Za-z0-9])@[A-Za-z0-9])");
    for (std::string typed : {"@all", "@channel", "@here", "@alice", "x:@here", "“@all”", "_@channel", "(@here)"}) {
        const std::string shown = escape_markdown(typed);
        EXPECT_FALSE(std::regex_search(shown, mention)) << typed << " -> " << shown;
    }
    // An address's '@' starts no mention and is left alone; markup is shown as typed.
    EXPECT_EQ(escape_markdown("user1@example.com"), "user1@example.com");
    EXPECT_EQ(escape_markdown("*bold* <!channel>"), "\\*bold\\* \\<\\!channel\\>");

    Line line{LineStyle::error, "Unknown database \"@channel\""};
    Reply reply;
    reply.kind = ReplyKind::usage_error;
    reply.lines.push_back(line);
    const json::object answer = command_response(reply, chat::Visibility::ephemeral);
    EXPECT_EQ(answer.at("response_type"), "ephemeral");
    EXPECT_EQ(answer.at("skip_slack_parsing"), true) << "no <!channel> may become @channel";
    EXPECT_FALSE(std::regex_search(std::string(answer.at("text").as_string()), mention));
}

TEST(MattermostMessages, TheTableIsACodeBlockAndALongOneIsCutWithACount) {
    const json::object small = command_response(table_reply(2), chat::Visibility::in_channel);
    EXPECT_EQ(small.at("response_type"), "in_channel");
    const std::string text(small.at("text").as_string());
    EXPECT_NE(text.find("```\n"), std::string::npos) << text;
    EXPECT_NE(text.find("user1@example.com"), std::string::npos) << text;
    EXPECT_EQ(text.find("more rows"), std::string::npos);

    const std::string long_text = message_text(table_reply(1000));
    EXPECT_LE(chat::code_points(long_text), max_message);
    std::smatch count;
    ASSERT_TRUE(std::regex_search(long_text, count, std::regex(R"(\*(\d+) more rows are not shown here\.\*)")))
        << long_text.substr(long_text.size() - 200);
    const std::size_t shown_rows = static_cast<std::size_t>(std::count(long_text.begin(), long_text.end(), '\n') -
                                                            7);  // the lines around the rows
    EXPECT_EQ(std::stoul(count[1]) + shown_rows, 1000u);
    EXPECT_NE(long_text.find("```", long_text.find("```") + 3), std::string::npos) << "the block is closed";
}

TEST(MattermostMessages, AProposalIsAChannelPostWithTwoRoutableButtons) {
    const json::object response = proposal_response(proposal_reply(), "https://bot.example/mattermost/action", "t1");
    EXPECT_EQ(response.at("response_type"), "in_channel") << "only a stored post can be updated after a click";
    const std::string text(response.at("text").as_string());
    EXPECT_NE(text.find("Remove user2@example.com from my\\-dedicated\\-db?"), std::string::npos) << text;
    const auto& actions = response.at("props").at("attachments").at(0).at("actions").as_array();
    ASSERT_EQ(actions.size(), 2u);
    const std::regex routable("[A-Za-z0-9]+");
    std::vector<std::string> names;
    for (const auto& action : actions) {
        const auto& object = action.as_object();
        EXPECT_TRUE(std::regex_match(std::string(object.at("id").as_string()), routable));
        EXPECT_EQ(object.at("type"), "button");
        names.emplace_back(object.at("name").as_string());
        EXPECT_EQ(object.at("integration").at("url"), "https://bot.example/mattermost/action");
        const auto& context = object.at("integration").at("context").as_object();
        EXPECT_EQ(context.at("token"), "sealed.token.v1");
        EXPECT_EQ(context.at("team_id"), "t1");
    }
    EXPECT_EQ(names, (std::vector<std::string>{"Revoke access", "Cancel"}));
    EXPECT_EQ(actions.at(0).at("style"), "danger");
    EXPECT_EQ(actions.at(0).at("integration").at("context").at("action"), "confirm");
    EXPECT_EQ(actions.at(1).at("integration").at("context").at("action"), "cancel");
}

TEST(MattermostMessages, AClickIsAnsweredWithAnUpdateWithoutButtonsOrAnEphemeralText) {
    Reply done;
    done.kind = ReplyKind::change;
    done.lines.push_back(Line{LineStyle::done, "user2@example.com no longer has access to my-dedicated-db"});
    const json::object update = click_answer(done, std::nullopt);
    EXPECT_EQ(update.at("update").at("props"), json::object{}) << "empty props replace the buttons";
    EXPECT_NE(std::string(update.at("update").at("message").as_string()).find("no longer has access"),
              std::string::npos);
    EXPECT_FALSE(update.contains("ephemeral_text"));
    EXPECT_EQ(update.at("skip_slack_parsing"), true);

    Reply refusal;
    refusal.kind = ReplyKind::denied;
    refusal.lines.push_back(Line{LineStyle::error, "Only the person who asked can confirm this."});
    const json::object refused = click_answer(std::nullopt, refusal);
    EXPECT_FALSE(refused.contains("update")) << "the proposal stays for its owner";
    EXPECT_NE(std::string(refused.at("ephemeral_text").as_string()).find("Only the person"), std::string::npos);
    EXPECT_EQ(click_answer(std::nullopt, std::nullopt), json::object{});
}

}  // namespace
TEST(MattermostMessages, WhoActedIsMentionedByUserName) {
    Reply reply;
    Line line{LineStyle::done, "Removed x (by "};
    line.mention = Mention{"mattermost", "hb1qz6eqrby4dq5xjwqgnpeq9o", "alice.b", "owner@example.com"};
    line.after = ")";
    reply.lines.push_back(line);
    EXPECT_EQ(message_text(reply), "`----->` Removed x \\(by @alice.b\\)");
    // A name that is no user name is shown, never read as a mention.
    reply.lines[0].mention->name = "@all";
    EXPECT_EQ(message_text(reply), "`----->` Removed x \\(by @\u200ball\\)");
}

TEST(MattermostMessages, AChannelIsLinkedByItsNameAndShownByItsIdWhenTheNameIsUnknown) {
    Reply reply;
    reply.lines.push_back(Line{LineStyle::plain, "Posted in ",
                               channel_mention("mattermost", "c2bound0000000000000000000", "db-owners"), "."});
    EXPECT_EQ(message_text(reply), "Posted in ~db-owners.");
    reply.lines[0].mention->name.clear();
    EXPECT_EQ(message_text(reply), "Posted in c2bound0000000000000000000.");
    // A name Mattermost would not read as a channel's is shown inert.
    reply.lines[0].mention->name = "ops~all";
    EXPECT_EQ(message_text(reply), "Posted in ops\\~all.");
}

TEST(MattermostSocketFrames, TheDocumentedFramesAreRead) {
    const auto challenge = json::parse(challenge_frame(1, "mattermosttokengoeshere"));
    EXPECT_EQ(challenge, json::parse(testing::fixture("mattermost_ws_authentication_challenge.json")));
    const auto ok = decode_socket_frame(testing::fixture("mattermost_ws_ok_reply.json"));
    ASSERT_TRUE(ok);
    EXPECT_TRUE(std::get<SocketReply>(*ok).ok);
    const auto fail = decode_socket_frame(testing::fixture("mattermost_ws_fail_reply.json"));
    ASSERT_TRUE(fail);
    EXPECT_FALSE(std::get<SocketReply>(*fail).ok);
    EXPECT_EQ(std::get<SocketReply>(*fail).error, "Some error message here");
    const auto hello = decode_socket_frame(testing::fixture("mattermost_ws_hello_event.json"));
    ASSERT_TRUE(hello);
    EXPECT_EQ(std::get<SocketEvent>(*hello).name, "hello");
    EXPECT_FALSE(decode_socket_frame("{not json"));
    EXPECT_FALSE(decode_socket_frame(R"({"data":{}})"));
}

TEST(MattermostSocketFrames, APostedEventsPostIsReadASecondTime) {
    const auto frame = decode_socket_frame(testing::fixture("thirdparty_mattermost_ws_posted_event.json"));
    ASSERT_TRUE(frame);
    const auto& event = std::get<SocketEvent>(*frame);
    EXPECT_EQ(event.seq, 7);
    const auto post = decode_posted(event.data);
    ASSERT_TRUE(post) << post.error();
    EXPECT_EQ(post->id, "ghkm74cqzbnjxr5dx638k73xqa");
    EXPECT_EQ(post->message, "test");
    EXPECT_EQ(post->channel_type, "O");
    EXPECT_EQ(post->sender_name, "admin");
    const BotUser bot{"b0tuser0000000000000000000", "collab-bot"};
    EXPECT_FALSE(mention_request(*post, bot, "k")) << "a channel post that is no mention";
    EXPECT_FALSE(decode_posted(json::object{{"post", "not a post"}}));
}

TEST(MattermostSocketFrames, OnlyPostsThatAddressTheBotAreCommands) {
    const BotUser bot{"b0tuser0000000000000000000", "collab-bot"};
    PostedMessage post{"p1", "u1", "c1", "", "@collab-bot list my-db", "", false, false, "O", "t1", "alice"};
    auto command = mention_request(post, bot, "k");
    ASSERT_TRUE(command);
    EXPECT_EQ(command->text, "list my-db");
    EXPECT_EQ(command->origin.actor.platform, "mattermost");
    EXPECT_FALSE(command->origin.direct);
    for (const std::string text : {"@Collab-Bot: list my-db", "  @collab-bot, list my-db"}) {
        post.message = text;
        ASSERT_TRUE(mention_request(post, bot, "k")) << text;
        EXPECT_EQ(mention_request(post, bot, "k")->text, "list my-db") << text;
    }
    for (const std::string text : {"@collab-bot2 list", "list my-db", "write to me@collab-bot list", "@collab-bot.x"}) {
        post.message = text;
        EXPECT_FALSE(mention_request(post, bot, "k")) << text;
    }
    // A mention elsewhere in the post, as Slack's app_mention: the whole post is the command, so the
    // person is told what the bot did not understand.
    for (const std::string text :
         {"good morning @collab-bot list my-db", "hello (@Collab-Bot) whoami", "thanks @collab-bot."}) {
        post.message = "  " + text + " ";
        ASSERT_TRUE(mention_request(post, bot, "k")) << text;
        EXPECT_EQ(mention_request(post, bot, "k")->text, text);
    }
    post.message = "@collab-bot list my-db";
    post.root_id = "root1";
    EXPECT_EQ(mention_request(post, bot, "k")->origin.thread, "root1") << "answered in the thread";
    PostedMessage direct = post;
    direct.channel_type = "D";
    direct.message = "whoami";
    ASSERT_TRUE(mention_request(direct, bot, "k"));
    EXPECT_TRUE(mention_request(direct, bot, "k")->origin.direct);
    PostedMessage own = post;
    own.user_id = bot.id;
    PostedMessage other_bot = post;
    other_bot.from_bot = true;
    PostedMessage system = post;
    system.type = "system_join_channel";
    for (const auto& left_alone : {own, other_bot, system}) EXPECT_FALSE(mention_request(left_alone, bot, "k"));
    // What another instance needs to answer it reads back as the same request.
    const auto work = json::parse(work_of(*command)).as_object();
    const auto again = mention_of_work(work, "k");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->text, command->text);
    EXPECT_EQ(again->origin.actor.channel, "c1");
}

TEST(MattermostSocketFrames, TheSocketUrlFollowsTheSiteUrlAndNamesTheConnectionToResume) {
    EXPECT_EQ(socket_url("https://chat.example.com/", "", 0), "wss://chat.example.com/api/v4/websocket");
    EXPECT_EQ(socket_url("http://127.0.0.1:8065", "abc123", 42),
              "ws://127.0.0.1:8065/api/v4/websocket?connection_id=abc123&sequence_number=42");
    EXPECT_EQ(socket_url("http://h", "a&b=c", 1), "ws://h/api/v4/websocket") << "an id of letters and digits only";
}

}  // namespace collab::mattermost
