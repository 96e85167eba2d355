// The shell adapter on string streams: what reaches the command service, and what the person at the
// terminal (or the script piping lines in) sees.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "adapters/chat/shell/shell_adapter.hpp"

namespace collab::shell {
namespace {

constexpr std::string_view hint =
    "Commands start with /collab, for example: /collab list my-dedicated-db\n"
    "Type /collab help to see them all, or exit to leave.\n";
constexpr std::string_view invited = "-----> user4@example.com has been invited to collaborate to my-dedicated-db\n";

Actor terminal_user() {
    Actor actor;
    actor.platform = "shell";
    actor.user_id = "local";
    actor.channel = "terminal";
    actor.email = "user1@example.com";
    return actor;
}

// A shell whose command service records every request and always answers the same change.
class ShellAdapterTest : public ::testing::Test {
protected:
    // Runs the shell over `input`; returns everything it printed.
    std::string run(std::string input, bool interactive = false, std::string greeting = "") {
        std::istringstream in(std::move(input));
        std::ostringstream out;
        ShellAdapter shell(
            [this](chat::CommandRequest request) {
                // A confirmation is answered with what it carried out, never with another proposal.
                const bool confirmation = request.text.starts_with(" confirm");
                requests_.push_back(std::move(request));
                return chat::Answer{confirmation ? done_ : reply_, chat::Visibility::ephemeral};
            },
            in, out, ShellOptions{terminal_user(), interactive, std::move(greeting)});
        exit_code_ = shell.run();
        return out.str();
    }

    std::vector<std::string> texts() const {
        std::vector<std::string> all;
        for (const auto& r : requests_) all.push_back(r.text);
        return all;
    }

    Reply reply_{ReplyKind::change,
                 {Line{LineStyle::done, "user4@example.com has been invited to collaborate to my-dedicated-db"}},
                 std::nullopt,
                 std::nullopt,
                 ""};
    const Reply done_ = reply_;
    std::vector<chat::CommandRequest> requests_;
    int exit_code_ = -1;
};

TEST_F(ShellAdapterTest, a_collab_line_reaches_the_service_with_the_actor) {
    EXPECT_EQ(run("/collab list my-dedicated-db\n"), invited);
    ASSERT_EQ(requests_.size(), 1u);
    // What follows /collab, as a chat platform's slash command would deliver it.
    EXPECT_EQ(requests_[0].text, " list my-dedicated-db");
    EXPECT_EQ(requests_[0].origin.id, "shell-1") << "names the request in the log";
    EXPECT_EQ(requests_[0].origin.actor.platform, "shell");
    EXPECT_EQ(requests_[0].origin.actor.user_id, "local");
    EXPECT_EQ(requests_[0].origin.actor.channel, "terminal");
    EXPECT_EQ(requests_[0].origin.actor.email, "user1@example.com");
}

TEST_F(ShellAdapterTest, the_command_word_is_case_insensitive_and_surrounding_blanks_are_ignored) {
    run("/COLLAB list x\n  /Collab ls x \r\n/collab\n");
    EXPECT_EQ(texts(), (std::vector<std::string>{" list x", " ls x", ""}));
}

TEST_F(ShellAdapterTest, another_line_gets_the_hint_and_does_not_reach_the_service) {
    EXPECT_EQ(run("list my-dedicated-db\n"), hint);
    EXPECT_EQ(run("/collaborators list x\n"), hint);  // a longer word is not /collab
    EXPECT_EQ(run("collab list x\n"), hint);
    EXPECT_TRUE(requests_.empty());
}

TEST_F(ShellAdapterTest, blank_lines_print_nothing) {
    EXPECT_EQ(run("\n   \n\t\r\n"), "");
    EXPECT_TRUE(requests_.empty());
}

TEST_F(ShellAdapterTest, exit_and_quit_stop_reading) {
    EXPECT_EQ(run("/collab list a\nexit\n/collab list b\n"), invited);
    EXPECT_EQ(texts(), (std::vector<std::string>{" list a"}));
    EXPECT_EQ(exit_code_, 0);

    requests_.clear();
    EXPECT_EQ(run("  QUIT \n/collab list b\n"), "");
    EXPECT_TRUE(requests_.empty());
    EXPECT_EQ(exit_code_, 0);

    EXPECT_EQ(run("/exit\n/collab list b\n"), "");
    EXPECT_TRUE(requests_.empty());
}

TEST_F(ShellAdapterTest, end_of_input_leaves_with_success_after_every_line) {
    // The last line has no newline, as `printf '/collab list x'` would send it.
    EXPECT_EQ(run("/collab list a\n/collab list b"), std::string(invited) + std::string(invited));
    EXPECT_EQ(texts(), (std::vector<std::string>{" list a", " list b"}));
    EXPECT_EQ(exit_code_, 0);

    EXPECT_EQ(run(""), "");
    EXPECT_EQ(exit_code_, 0);
}

TEST_F(ShellAdapterTest, piped_input_gets_no_prompt_nor_greeting) {
    const std::string out = run("/collab list a\n", false, "Welcome to collab-bot");
    EXPECT_EQ(out, invited);
}

TEST_F(ShellAdapterTest, a_terminal_gets_the_greeting_and_a_prompt_before_each_line) {
    EXPECT_EQ(run("/collab list a\n", true, "Welcome to collab-bot"),
              "Welcome to collab-bot\ncollab> " + std::string(invited) + "collab> \n");  // Ctrl-D: a new line
    EXPECT_EQ(run("exit\n", true, "Welcome to collab-bot"), "Welcome to collab-bot\ncollab> ");
    EXPECT_EQ(run("", true), "collab> \n");  // no greeting configured: none printed
}

TEST_F(ShellAdapterTest, pending_rows_are_dimmed_only_on_a_terminal) {
    reply_ = Reply{};
    reply_.table = Table{{"EMAIL"}, {{"user2@example.com"}, {"user3@example.com"}}, {false, true}};
    EXPECT_NE(run("/collab list x\n", true).find("\x1b[2muser3@example.com\x1b[22m"), std::string::npos);
    EXPECT_EQ(run("/collab list x\n", false).find('\x1b'), std::string::npos);
}

TEST_F(ShellAdapterTest, a_proposal_names_the_shells_confirm_command) {
    reply_ = Reply{};
    reply_.kind = ReplyKind::proposal;
    reply_.proposal = Proposal{"Revoke access of user2@example.com to my-dedicated-db?", "Revoke access", "tok.en",
                               TimePoint{std::chrono::seconds{1'795'000'000}}};
    const std::string out = run("/collab remove my-dedicated-db user2@example.com\n");
    EXPECT_NE(out.find("Revoke access of user2@example.com to my-dedicated-db?\n"), std::string::npos) << out;
    EXPECT_NE(out.find("  /collab confirm tok.en\n"), std::string::npos) << out;
}

TEST_F(ShellAdapterTest, a_non_breaking_space_after_collab_is_a_blank) {
    EXPECT_EQ(run("/collab\u00a0list my-dedicated-db\n"), invited);
    EXPECT_EQ(requests_.size(), 1u);
}

TEST_F(ShellAdapterTest, a_tab_after_collab_is_a_blank) {
    EXPECT_EQ(run("/collab\tlist my-dedicated-db\n"), invited);
    EXPECT_EQ(requests_.size(), 1u);
}

Reply proposal_reply() {
    Reply reply{ReplyKind::proposal,
                {Line{LineStyle::plain, "Revoke access of user2@example.com?"}},
                std::nullopt,
                Proposal{"Revoke access of user2@example.com to my-dedicated-db?", "Revoke access", "tok.en", {}},
                ""};
    return reply;
}

TEST_F(ShellAdapterTest, yes_confirms_the_last_proposal_and_only_once) {
    reply_ = proposal_reply();
    const std::string out = run("/collab remove my-dedicated-db user2@example.com\nYES\ny\n");
    EXPECT_NE(out.find("Or type yes to confirm, no to drop it.\n"), std::string::npos) << out;
    EXPECT_EQ(texts(), (std::vector<std::string>{" remove my-dedicated-db user2@example.com", " confirm tok.en"}));
    EXPECT_NE(out.find("There is no proposal waiting for a yes"), std::string::npos) << "the second yes: " << out;
}

TEST_F(ShellAdapterTest, yes_with_no_proposal_says_so_and_reaches_nobody) {
    EXPECT_EQ(run("yes\n"),
              "There is no proposal waiting for a yes: yes confirms the last change the bot proposed, such as "
              "/collab remove my-dedicated-db user2@example.com.\n");
    EXPECT_TRUE(requests_.empty());
}

TEST_F(ShellAdapterTest, the_token_form_still_works_and_leaves_nothing_for_a_yes) {
    reply_ = proposal_reply();
    const std::string out = run("/collab remove my-dedicated-db user2@example.com\n/collab confirm tok.en\nyes\n");
    EXPECT_EQ(texts().size(), 2u);
    EXPECT_NE(out.find("There is no proposal waiting for a yes"), std::string::npos) << out;
}

TEST_F(ShellAdapterTest, no_drops_the_proposal_as_a_cancel_button_would) {
    reply_ = proposal_reply();
    std::vector<chat::ClickRequest> cancels;
    std::istringstream in("/collab remove my-dedicated-db user2@example.com\nn\nno\nyes\n");
    std::ostringstream out;
    ShellAdapter shell(
        [this](chat::CommandRequest) {
            return chat::Answer{reply_, chat::Visibility::ephemeral};
        },
        in, out, ShellOptions{terminal_user(), false, ""},
        [&](chat::ClickRequest click) { cancels.push_back(std::move(click)); });
    shell.run();
    ASSERT_EQ(cancels.size(), 1u);
    EXPECT_EQ(cancels[0].token, "tok.en");
    EXPECT_TRUE(cancels[0].cancel);
    EXPECT_NE(out.str().find("There is no proposal to drop.\n"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("There is no proposal waiting for a yes"), std::string::npos) << out.str();
}

TEST(ShellColourTest, no_color_set_and_not_empty_turns_colour_off) {
    EXPECT_TRUE(colour_allowed(nullptr));
    EXPECT_TRUE(colour_allowed(""));
    EXPECT_FALSE(colour_allowed("1"));
    EXPECT_FALSE(colour_allowed("0")) << "any value but the empty string";
}

TEST(ShellColourTest, without_colour_a_terminal_gets_no_ansi_escape) {
    const Reply list{ReplyKind::result,
                     {},
                     Table{{"email"}, {{"user1@example.com"}, {"user3@example.com"}}, {false, true}},
                     std::nullopt,
                     ""};
    for (const bool colour : {true, false}) {
        std::istringstream in("/collab list my-dedicated-db\n");
        std::ostringstream out;
        ShellAdapter shell(
            [&](chat::CommandRequest) {
                return chat::Answer{list, chat::Visibility::ephemeral};
            },
            in, out, ShellOptions{terminal_user(), true, "hello", colour});
        shell.run();
        EXPECT_EQ(out.str().find('\x1b') != std::string::npos, colour) << out.str();
        EXPECT_NE(out.str().find("user3@example.com"), std::string::npos);
    }
}

}  // namespace
}  // namespace collab::shell
