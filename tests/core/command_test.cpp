// The grammar of what people type after /collab: every command, alias and mistake, with the exact
// message and usage line the person sees.

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/replies.hpp"
#include "core/text.hpp"

namespace collab {
namespace {

const std::string general = "Usage: /collab <command> [arguments] (type /collab help to see the commands)";
const std::string list_usage = "Usage: /collab list <db>";
const std::string add_usage = "Usage: /collab add <db> <email> [<email>…]";
const std::string remove_usage = "Usage: /collab remove <db> <email>";
const std::string leave_usage = "Usage: /collab leave <db>";
const std::string whoami_usage = "Usage: /collab whoami";
const std::string audit_usage = "Usage: /collab audit <db> [by <email>] [<action>]";
const std::string access_usage = "Usage: /collab access <email>";
const std::string help_usage = "Usage: /collab help [command]";
const std::string confirm_usage = "Usage: /collab confirm <token>";
const std::string dbs_usage = "Usage: /collab dbs";
const std::string resend_usage = "Usage: /collab resend <db> <email>";
const std::string offboard_usage = "Usage: /collab offboard <email>";

const std::string limited_refusal =
    "The Limited Collaborator role does not exist for Dedicated Resources databases: that role is meant to keep "
    "someone away from the data, and a database is nothing but data. Invite without --limited and the person "
    "becomes a Collaborator.";

std::string describe(const std::expected<Command, UsageError>& parsed) {
    if (!parsed) return "usage error: " + parsed.error().message;
    return "parsed as " + std::string(command_name(*parsed));
}

// ---- Commands that parse: the command and the database it names --------------------------------------------

struct ParseCase {
    const char* name;
    std::string text;
    std::string command;
    std::optional<std::string> database;
};

// Failure output names the case instead of dumping its bytes.
void PrintTo(const ParseCase& c, std::ostream* os) {
    *os << c.name;
}

class ParsesTo : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParsesTo, CommandAndDatabase) {
    const auto& c = GetParam();
    auto parsed = parse_command(c.text);
    ASSERT_TRUE(parsed.has_value()) << describe(parsed);
    EXPECT_EQ(command_name(*parsed), c.command);
    EXPECT_EQ(database_of(*parsed), c.database);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCommandAndAlias, ParsesTo,
    ::testing::Values(
        ParseCase{"list", "list my-dedicated-db", "list", "my-dedicated-db"},
        ParseCase{"ls", "ls my-dedicated-db", "list", "my-dedicated-db"},
        ParseCase{"add", "add my-dedicated-db user@example.com", "add", "my-dedicated-db"},
        ParseCase{"invite", "invite my-dedicated-db user@example.com", "add", "my-dedicated-db"},
        ParseCase{"remove", "remove my-dedicated-db user2@example.com", "remove", "my-dedicated-db"},
        ParseCase{"rm", "rm my-dedicated-db user2@example.com", "remove", "my-dedicated-db"},
        ParseCase{"revoke", "revoke my-dedicated-db user2@example.com", "remove", "my-dedicated-db"},
        ParseCase{"leave", "leave my-dedicated-db", "leave", "my-dedicated-db"},
        ParseCase{"whoami", "whoami", "whoami", std::nullopt},
        ParseCase{"audit", "audit my-dedicated-db", "audit", "my-dedicated-db"},
        ParseCase{"help", "help", "help", std::nullopt},
        ParseCase{"confirm", "confirm abc123.def456", "confirm", std::nullopt},
        ParseCase{"dbs", "dbs", "dbs", std::nullopt}, ParseCase{"databases", "databases", "dbs", std::nullopt},
        ParseCase{"upper_case_dbs", "/collab DBS", "dbs", std::nullopt},
        ParseCase{"upper_case_list", "LIST my-dedicated-db", "list", "my-dedicated-db"},
        ParseCase{"mixed_case_alias", "Rm my-dedicated-db user2@example.com", "remove", "my-dedicated-db"},
        ParseCase{"upper_case_whoami", "WHOAMI", "whoami", std::nullopt},
        ParseCase{"collab_prefix", "/collab list my-dedicated-db", "list", "my-dedicated-db"},
        ParseCase{"upper_case_prefix", "/COLLAB ls my-dedicated-db", "list", "my-dedicated-db"},
        ParseCase{"smart_double_quotes", "list \u201Cmy-dedicated-db\u201D", "list", "my-dedicated-db"},
        ParseCase{"smart_single_quotes", "list \u2018my-dedicated-db\u2019", "list", "my-dedicated-db"},
        ParseCase{"guillemets", "list \u00ABmy-dedicated-db\u00BB", "list", "my-dedicated-db"},
        ParseCase{"ascii_quotes", "list \"my-dedicated-db\"", "list", "my-dedicated-db"},
        ParseCase{"non_breaking_space", "list\u00A0my-dedicated-db", "list", "my-dedicated-db"},
        ParseCase{"narrow_nbsp_and_ideographic_space", "list\u202Fmy-dedicated-db\u3000", "list", "my-dedicated-db"},
        ParseCase{"repeated_blanks", "   list     my-dedicated-db   ", "list", "my-dedicated-db"},
        ParseCase{"tabs_and_nbsp_mixed", "\tlist\u00A0\u00A0 \tmy-dedicated-db\u00A0", "list", "my-dedicated-db"},
        ParseCase{"trailing_newline", "list my-dedicated-db\r\n", "list", "my-dedicated-db"}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Help and empty input ---------------------------------------------------------------------------------

std::optional<std::string> help_topic(std::string_view text) {
    auto parsed = parse_command(text);
    if (!parsed) ADD_FAILURE() << describe(parsed) << " for " << text;
    if (!parsed || !std::holds_alternative<HelpCommand>(*parsed)) return "<not help>";
    return std::get<HelpCommand>(*parsed).topic;
}

TEST(Help, EmptyTextIsGeneralHelp) {
    EXPECT_EQ(help_topic(""), std::nullopt);
    EXPECT_EQ(help_topic("   "), std::nullopt);
    EXPECT_EQ(help_topic("\u00A0"), std::nullopt);
    EXPECT_EQ(help_topic("/collab"), std::nullopt);
    EXPECT_EQ(help_topic("help"), std::nullopt);
}

TEST(Help, TopicIsTheCommandNameEvenWhenAnAliasOrUpperCaseIsTyped) {
    EXPECT_EQ(help_topic("help add"), "add");
    EXPECT_EQ(help_topic("help invite"), "add");
    EXPECT_EQ(help_topic("help rm"), "remove");
    EXPECT_EQ(help_topic("help revoke"), "remove");
    EXPECT_EQ(help_topic("help LS"), "list");
    EXPECT_EQ(help_topic("help leave"), "leave");
    EXPECT_EQ(help_topic("help whoami"), "whoami");
    EXPECT_EQ(help_topic("help audit"), "audit");
    EXPECT_EQ(help_topic("help help"), "help");
    EXPECT_EQ(help_topic("help confirm"), "confirm");
    EXPECT_EQ(help_topic("help databases"), "dbs");
}

TEST(Help, HelpOptionAfterACommandShowsThatCommand) {
    EXPECT_EQ(help_topic("add my-dedicated-db --help"), "add");
    EXPECT_EQ(help_topic("rm -h"), "remove");
    EXPECT_EQ(help_topic("list --HELP"), "list");
}

// ---- Arguments carried by the commands ---------------------------------------------------------------------

std::vector<std::string> emails_added(std::string_view text) {
    auto parsed = parse_command(text);
    if (!parsed || !std::holds_alternative<AddCommand>(*parsed)) {
        ADD_FAILURE() << describe(parsed) << " for " << text;
        return {};
    }
    return std::get<AddCommand>(*parsed).emails;
}

TEST(Add, OneOrSeveralAddressesInTheOrderTyped) {
    using V = std::vector<std::string>;
    EXPECT_EQ(emails_added("add my-dedicated-db user@example.com"), V{"user@example.com"});
    EXPECT_EQ(emails_added("invite my-dedicated-db a@example.com b@example.com c@example.org"),
              (V{"a@example.com", "b@example.com", "c@example.org"}));
}

TEST(Add, CommaAndSemicolonSeparatedLists) {
    using V = std::vector<std::string>;
    EXPECT_EQ(emails_added("add my-dedicated-db a@example.com,b@example.com"), (V{"a@example.com", "b@example.com"}));
    EXPECT_EQ(emails_added("add my-dedicated-db a@example.com, b@example.com;c@example.com,"),
              (V{"a@example.com", "b@example.com", "c@example.com"}));
}

TEST(Add, DuplicatesCollapseWithoutRegardToCaseKeepingTheFirstSpelling) {
    using V = std::vector<std::string>;
    EXPECT_EQ(emails_added("add my-dedicated-db a@example.com a@example.com"), V{"a@example.com"});
    EXPECT_EQ(emails_added("add my-dedicated-db Ann@Example.com,b@example.com ann@example.COM"),
              (V{"Ann@Example.com", "b@example.com"}));
}

TEST(Add, MailtoAndAngleBracketsAreCleaned) {
    using V = std::vector<std::string>;
    EXPECT_EQ(emails_added("add my-dedicated-db <user@example.com>"), V{"user@example.com"});
    EXPECT_EQ(emails_added("add my-dedicated-db mailto:user@example.com"), V{"user@example.com"});
    EXPECT_EQ(emails_added("add my-dedicated-db <mailto:user@example.com>"), V{"user@example.com"});
    EXPECT_EQ(emails_added("add my-dedicated-db MAILTO:user@example.com"), V{"user@example.com"});
    // Pasted twice in two forms, it is still one person.
    EXPECT_EQ(emails_added("add my-dedicated-db user@example.com <mailto:user@example.com>"), V{"user@example.com"});
}

TEST(Remove, DatabaseAndCleanedAddress) {
    auto parsed = parse_command("revoke my-dedicated-db <mailto:user2@example.com>");
    ASSERT_TRUE(parsed.has_value()) << describe(parsed);
    const auto& remove = std::get<RemoveCommand>(*parsed);
    EXPECT_EQ(remove.database, "my-dedicated-db");
    EXPECT_EQ(remove.email, "user2@example.com");
}

TEST(Resend, DatabaseAndCleanedAddress) {
    auto parsed = parse_command("RESEND my-dedicated-db <mailto:user3@example.com>");
    ASSERT_TRUE(parsed.has_value()) << describe(parsed);
    const auto& resend = std::get<ResendCommand>(*parsed);
    EXPECT_EQ(resend.database, "my-dedicated-db");
    EXPECT_EQ(resend.email, "user3@example.com");
}

TEST(Resend, OneAddressAtATimeAndBothArgumentsNamed) {
    EXPECT_EQ(parse_command("resend my-dedicated-db").error().message, "Missing the e-mail address.");
    EXPECT_EQ(parse_command("resend").error().message, "Missing the database name and the e-mail address.");
    auto extra = parse_command("resend my-dedicated-db a@example.com b@example.com");
    ASSERT_FALSE(extra.has_value());
    EXPECT_EQ(extra.error().message, "Too many arguments: \"b@example.com\" was not expected.");
    EXPECT_EQ(extra.error().usage, resend_usage);
}

TEST(Offboard, OneAddressChecked) {
    auto parsed = parse_command("offboard user2@example.com");
    ASSERT_TRUE(parsed.has_value()) << describe(parsed);
    EXPECT_EQ(std::get<OffboardCommand>(*parsed).email, "user2@example.com");
    EXPECT_EQ(database_of(*parsed), std::nullopt);
    EXPECT_EQ(parse_command("offboard").error().message, "Missing the e-mail address.");
    EXPECT_EQ(parse_command("offboard my-dedicated-db").error().message,
              "\"my-dedicated-db\" is not an e-mail address: it has no @.");
    EXPECT_EQ(parse_command("offboard a@example.com b@example.com").error().usage, offboard_usage);
}

TEST(Confirm, TokenIsKeptExactlyAsTyped) {
    // Tokens are case-sensitive: lowering them like a sub-command would break every confirmation.
    auto parsed = parse_command("CONFIRM AbC-123_xYz.09Fe");
    ASSERT_TRUE(parsed.has_value()) << describe(parsed);
    EXPECT_EQ(std::get<ConfirmCommand>(*parsed).token, "AbC-123_xYz.09Fe");
}

TEST(Leave, SmartQuotesAndNbspTogether) {
    auto parsed = parse_command("/collab\u00A0leave\u00A0\u201Cmy-dedicated-db\u201D");
    ASSERT_TRUE(parsed.has_value()) << describe(parsed);
    EXPECT_EQ(std::get<LeaveCommand>(*parsed).database, "my-dedicated-db");
}

// ---- Mistakes: the exact message and the usage line ----------------------------------------------------------

struct ErrorCase {
    const char* name;
    std::string text;
    std::string message;
    std::string usage;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.name;
}

class Refused : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Refused, WithMessageAndUsage) {
    const auto& c = GetParam();
    auto parsed = parse_command(c.text);
    ASSERT_FALSE(parsed.has_value()) << describe(parsed);
    EXPECT_EQ(parsed.error().message, c.message);
    EXPECT_EQ(parsed.error().usage, c.usage);
}

std::string not_valid(std::string_view email, std::string_view why) {
    return "\"" + std::string(email) + "\" is not a valid e-mail address: " + std::string(why);
}

INSTANTIATE_TEST_SUITE_P(
    UnknownCommands, Refused,
    ::testing::Values(
        ErrorCase{"typo_suggests_list", "lsit my-dedicated-db", "Unknown command \"lsit\". Did you mean \"list\"?",
                  general},
        ErrorCase{"alias_typo_suggests_command_name", "invte my-dedicated-db user@example.com",
                  "Unknown command \"invte\". Did you mean \"add\"?", general},
        ErrorCase{"typo_suggests_remove", "remvoe my-dedicated-db user@example.com",
                  "Unknown command \"remvoe\". Did you mean \"remove\"?", general},
        ErrorCase{"typo_suggests_whoami", "whoam", "Unknown command \"whoam\". Did you mean \"whoami\"?", general},
        ErrorCase{"nothing_close", "frobnicate my-dedicated-db", "Unknown command \"frobnicate\".", general},
        ErrorCase{"short_and_far", "xyz", "Unknown command \"xyz\".", general},
        ErrorCase{"help_on_unknown_topic", "help frobnicate", "Unknown command \"frobnicate\".", general},
        ErrorCase{"option_before_command", "--verbose list my-dedicated-db",
                  "Options go after the command, as in /collab add <db> <email>.", general}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    WrongArgumentCounts, Refused,
    ::testing::Values(
        ErrorCase{"list_without_db", "list", "Missing the database name.", list_usage},
        ErrorCase{"list_extra", "ls my-dedicated-db other-db", "Too many arguments: \"other-db\" was not expected.",
                  list_usage},
        ErrorCase{"leave_without_db", "leave", "Missing the database name.", leave_usage},
        ErrorCase{"leave_extra", "leave my-dedicated-db now", "Too many arguments: \"now\" was not expected.",
                  leave_usage},
        ErrorCase{"audit_without_db", "audit", "Missing the database name.", audit_usage},
        ErrorCase{"audit_unknown_filter", "audit my-dedicated-db 50",
                  "\"50\" is not something the audit trail can be narrowed by: give by <email>, or a command's name "
                  "(add, remove, leave, …).",
                  audit_usage},
        ErrorCase{"audit_by_without_email", "audit my-dedicated-db by", "Missing the e-mail address.", audit_usage},
        ErrorCase{"audit_by_not_an_email", "audit my-dedicated-db by user2",
                  "\"user2\" is not an e-mail address: it has no @.", audit_usage},
        ErrorCase{"audit_two_actions", "audit my-dedicated-db add remove",
                  "The audit trail is narrowed by one action at most.", audit_usage},
        ErrorCase{"audit_two_people", "audit my-dedicated-db by a@example.com by b@example.com",
                  "The audit trail is narrowed by one by at most.", audit_usage},
        ErrorCase{"access_without_email", "access", "Missing the e-mail address.", access_usage},
        ErrorCase{"access_extra", "access a@example.com b@example.com",
                  "Too many arguments: \"b@example.com\" was not expected.", access_usage},
        ErrorCase{"access_database_instead", "access my-dedicated-db",
                  "\"my-dedicated-db\" is not an e-mail address: it has no @.", access_usage},
        ErrorCase{"add_without_anything", "add", "Missing the database name and at least one e-mail address.",
                  add_usage},
        ErrorCase{"add_without_email", "invite my-dedicated-db", "Missing at least one e-mail address to invite.",
                  add_usage},
        ErrorCase{"add_with_only_separators", "add my-dedicated-db , ;",
                  "Missing at least one e-mail address to invite.", add_usage},
        ErrorCase{"remove_without_anything", "remove", "Missing the database name and the e-mail address.",
                  remove_usage},
        ErrorCase{"remove_without_email", "rm my-dedicated-db", "Missing the e-mail address.", remove_usage},
        ErrorCase{"remove_two_emails", "revoke my-dedicated-db a@example.com b@example.com",
                  "Too many arguments: remove takes one e-mail address at a time (\"b@example.com\" was not expected).",
                  remove_usage},
        ErrorCase{"whoami_extra", "whoami please", "Too many arguments: \"please\" was not expected.", whoami_usage},
        ErrorCase{"help_two_topics", "help add list", "Too many arguments: \"list\" was not expected.", help_usage},
        ErrorCase{"confirm_without_token", "confirm", "Missing the confirmation token.", confirm_usage},
        ErrorCase{"confirm_two_tokens", "confirm abc def", "Too many arguments: \"def\" was not expected.",
                  confirm_usage},
        ErrorCase{"dbs_extra", "databases my-dedicated-db", "Too many arguments: \"my-dedicated-db\" was not expected.",
                  dbs_usage}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    MalformedEmails, Refused,
    ::testing::Values(
        ErrorCase{"no_at", "add my-dedicated-db userexample.com",
                  "\"userexample.com\" is not an e-mail address: it has no @.", add_usage},
        ErrorCase{"two_ats", "add my-dedicated-db a@b@example.com",
                  not_valid("a@b@example.com", "it has more than one @."), add_usage},
        ErrorCase{"nothing_before_at", "add my-dedicated-db @example.com",
                  not_valid("@example.com", "nothing comes before the @."), add_usage},
        ErrorCase{"nothing_after_at", "add my-dedicated-db user@", not_valid("user@", "nothing comes after the @."),
                  add_usage},
        ErrorCase{"domain_without_dot", "add my-dedicated-db user@localhost",
                  not_valid("user@localhost", "the domain \"localhost\" has no dot."), add_usage},
        ErrorCase{"bad_character_before_at", "add my-dedicated-db us(er@example.com",
                  not_valid("us(er@example.com", "\"(\" is not allowed before the @."), add_usage},
        ErrorCase{"leading_dot", "add my-dedicated-db .user@example.com",
                  not_valid(".user@example.com", "dots may not start, end or repeat before the @."), add_usage},
        ErrorCase{"trailing_dot", "add my-dedicated-db user.@example.com",
                  not_valid("user.@example.com", "dots may not start, end or repeat before the @."), add_usage},
        ErrorCase{"double_dot", "add my-dedicated-db us..er@example.com",
                  not_valid("us..er@example.com", "dots may not start, end or repeat before the @."), add_usage},
        ErrorCase{"empty_domain_part", "add my-dedicated-db user@example..com",
                  not_valid("user@example..com", "its domain has an empty part."), add_usage},
        ErrorCase{"domain_starting_with_dot", "add my-dedicated-db user@.example.com",
                  not_valid("user@.example.com", "its domain has an empty part."), add_usage},
        ErrorCase{"bad_domain_label", "add my-dedicated-db user@exa_mple.com",
                  not_valid("user@exa_mple.com", "\"exa_mple\" is not a valid part of a domain name."), add_usage},
        ErrorCase{"domain_label_with_hyphen_at_edge", "add my-dedicated-db user@-example.com",
                  not_valid("user@-example.com", "\"-example\" is not a valid part of a domain name."), add_usage},
        ErrorCase{"numeric_domain", "add my-dedicated-db user@10.0.0.1",
                  not_valid("user@10.0.0.1", "its domain ends in a number."), add_usage},
        ErrorCase{"local_part_too_long", "add my-dedicated-db " + std::string(65, 'a') + "@example.com",
                  not_valid(std::string(65, 'a') + "@example.com", "the part before the @ is too long."), add_usage},
        ErrorCase{"second_of_several_is_bad", "add my-dedicated-db good@example.com,bad",
                  "\"bad\" is not an e-mail address: it has no @.", add_usage},
        ErrorCase{"remove_bad_email", "remove my-dedicated-db user2",
                  "\"user2\" is not an e-mail address: it has no @.", remove_usage}),
    [](const auto& info) { return std::string(info.param.name); });

const std::string db_name_rule =
    " is not a valid database name: it starts with a letter and has only lower-case letters, digits and hyphens "
    "(e.g. my-dedicated-db).";

INSTANTIATE_TEST_SUITE_P(
    MalformedDatabaseNames, Refused,
    ::testing::Values(
        ErrorCase{"upper_case_suggests_lower_case", "list My-Dedicated-DB",
                  "Database names are lower-case: did you mean \"my-dedicated-db\"?", list_usage},
        ErrorCase{"underscore", "list my_db", "\"my_db\"" + db_name_rule, list_usage},
        ErrorCase{"starts_with_digit", "audit 1db", "\"1db\"" + db_name_rule, audit_usage},
        ErrorCase{"ends_with_hyphen", "leave my-db-", "\"my-db-\"" + db_name_rule, leave_usage},
        ErrorCase{"empty_quoted", "list \"\"", "\"\"" + db_name_rule, list_usage},
        ErrorCase{"too_long", "list " + std::string(64, 'a'),
                  "\"" + std::string(64, 'a') + "\" is too long for a database name (63 characters at most).",
                  list_usage},
        ErrorCase{"email_in_db_position", "add user@example.com my-dedicated-db",
                  "\"user@example.com\" looks like an e-mail address; the database name comes first.", add_usage},
        ErrorCase{"email_in_db_position_for_remove", "remove user2@example.com my-dedicated-db",
                  "\"user2@example.com\" looks like an e-mail address; the database name comes first.", remove_usage}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Options, Refused,
    ::testing::Values(
        ErrorCase{"limited", "add my-dedicated-db user@example.com --limited", limited_refusal, add_usage},
        ErrorCase{"limited_em_dash", "add my-dedicated-db user@example.com \u2014limited", limited_refusal, add_usage},
        ErrorCase{"limited_en_dash", "invite my-dedicated-db user@example.com \u2013limited", limited_refusal,
                  add_usage},
        ErrorCase{"limited_upper_case", "add my-dedicated-db user@example.com --LIMITED", limited_refusal, add_usage},
        ErrorCase{"limited_with_value", "add my-dedicated-db user@example.com --limited=true", limited_refusal,
                  add_usage},
        ErrorCase{"role_limited", "add my-dedicated-db user@example.com --role=limited", limited_refusal, add_usage},
        ErrorCase{"limited_before_arguments", "add --limited my-dedicated-db user@example.com", limited_refusal,
                  add_usage},
        ErrorCase{"limited_on_another_command", "list my-dedicated-db --limited", limited_refusal, list_usage},
        ErrorCase{"limited_on_remove", "remove my-dedicated-db user2@example.com --limited", limited_refusal,
                  remove_usage},
        ErrorCase{"unknown_option", "remove my-dedicated-db user2@example.com --force",
                  "Unknown option \"--force\" for remove.", remove_usage},
        ErrorCase{"unknown_short_option", "ls my-dedicated-db -v", "Unknown option \"-v\" for list.", list_usage}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(UnreadableText, Refused,
                         ::testing::Values(ErrorCase{"open_double_quote", "list \"my-dedicated-db",
                                                     "A quote is left open: close it or remove it.", general},
                                           ErrorCase{"open_smart_quote", "list \u201Cmy-dedicated-db",
                                                     "A quote is left open: close it or remove it.", general},
                                           ErrorCase{"open_single_quote", "add my-dedicated-db 'user@example.com",
                                                     "A quote is left open: close it or remove it.", general},
                                           ErrorCase{"invalid_byte", "list my-dedicated-db\xff",
                                                     "The command is not valid UTF-8 text.", general},
                                           ErrorCase{"truncated_sequence", "list my-dedicated-d\xc3",
                                                     "The command is not valid UTF-8 text.", general},
                                           ErrorCase{"overlong_encoding", "list \xc0\xaf",
                                                     "The command is not valid UTF-8 text.", general}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LimitedRefusal, NamesTheRoleAndSaysWhatHappensInstead) {
    auto parsed = parse_command("add my-dedicated-db user@example.com --limited");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_NE(parsed.error().message.find("Limited Collaborator"), std::string::npos);
    EXPECT_NE(parsed.error().message.find("Dedicated Resources"), std::string::npos);
}

TEST(Suggestion, UpperCaseTypoStillGetsASuggestion) {
    // Sub-commands are case-insensitive, so their typos must be too.
    auto parsed = parse_command("LSIT my-dedicated-db");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().message, "Unknown command \"LSIT\". Did you mean \"list\"?");
}

TEST(EmailProblem, NonAsciiCharacterIsNamedWhole) {
    // Quoting one byte of a multi-byte character would make the reply invalid UTF-8.
    auto parsed = parse_command("add my-dedicated-db jos\u00E9@example.com");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_TRUE(text::is_valid_utf8(parsed.error().message));
    EXPECT_EQ(parsed.error().message,
              not_valid("jos\u00E9@example.com", "\"\u00E9\" (U+00E9) is not allowed before the @."));
}

TEST(EmailProblem, LookAlikesAreNamedByTheirCodePoint) {
    // A Cyrillic "а" or a fullwidth "＠" looks right on screen: the message says what it really is.
    EXPECT_EQ(email_problem("user@ex\u0430mple.com"),
              "\"user@ex\u0430mple.com\" is not a valid e-mail address: \"\u0430\" (U+0430) is not allowed in a "
              "domain name (an internationalised domain is written in its xn-- form).");
    EXPECT_EQ(email_problem("us\u0435r@example.com"),
              "\"us\u0435r@example.com\" is not a valid e-mail address: \"\u0435\" (U+0435) is not allowed before "
              "the @.");
    EXPECT_EQ(email_problem("user\uFF20example.com"),
              "\"user\uFF20example.com\" is not an e-mail address: its \"\uFF20\" (U+FF20) only looks like an @.");
    EXPECT_EQ(email_problem("user\uFE6Bexample.com"),
              "\"user\uFE6Bexample.com\" is not an e-mail address: its \"\uFE6B\" (U+FE6B) only looks like an @.");
}

TEST(Echo, WhatWasTypedIsCutToEightyCharactersInAnError) {
    const std::string word(1 << 20, 'x');
    auto parsed = parse_command(word);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().message, "Unknown command \"" + std::string(80, 'x') + "…\".");
    auto email = parse_command("add my-dedicated-db " + std::string(300, 'y') + "@example.com");
    ASSERT_FALSE(email.has_value());
    EXPECT_EQ(email.error().message, "\"" + std::string(80, 'y') + "…\" is too long for an e-mail address.");
}

TEST(Echo, ACutNeverSplitsACharacter) {
    std::string word;
    for (int i = 0; i < 100; ++i) word += "\u00e9";
    auto parsed = parse_command(word);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_TRUE(text::is_valid_utf8(parsed.error().message));
    std::string expected;
    for (int i = 0; i < 80; ++i) expected += "\u00e9";
    EXPECT_EQ(parsed.error().message, "Unknown command \"" + expected + "…\".");
}

// Adversarial sizes still get the right answer; what they cost is printed by tests/bench/grammar_bench
// (40,000 addresses took 34 s when the duplicate check was quadratic).
TEST(HugeInput, FortyThousandAddressesWithADuplicateInAnotherCase) {
    std::string line = "add my-dedicated-db";
    for (int i = 0; i < 40'000; ++i) line += " User" + std::to_string(i) + "@Example.com";
    line += " user0@example.com";
    auto parsed = parse_command(line);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(std::get<AddCommand>(*parsed).emails.size(), 40'000u);
}

TEST(HugeInput, AOneMegabyteLineIsRejected) {
    for (const std::string& line : {std::string(1 << 20, 'q'), "help " + std::string(1 << 20, 'q'),
                                    "add my-dedicated-db " + std::string(1 << 20, 'q'),
                                    "list " + std::string(1 << 20, 'Q'), "\"" + std::string(1 << 20, ' ')}) {
        EXPECT_FALSE(parse_command(line).has_value()) << line.substr(0, 30);
    }
}

TEST(EmailProblem, ApostropheInsideAnAddressIsNotAQuote) {
    // ' is valid before the @; chat clients also turn it into ’, which normalise() maps back to '.
    EXPECT_EQ(emails_added("add my-dedicated-db o'brien@example.com"), std::vector<std::string>{"o'brien@example.com"});
    EXPECT_EQ(emails_added("add my-dedicated-db o\u2019brien@example.com"),
              std::vector<std::string>{"o'brien@example.com"});
}

// ---- Validators on their own -------------------------------------------------------------------------------

TEST(EmailProblem, AcceptsOrdinaryAddresses) {
    for (const char* email : {"user@example.com", "first.last+tag@sub.example.co.uk", "a_b-c@x-y.io",
                              "UPPER@EXAMPLE.COM", "o'brien@example.com"})
        EXPECT_EQ(email_problem(email), std::nullopt) << email;
}

TEST(EmailProblem, EmptyAndTooLong) {
    EXPECT_EQ(email_problem(""), "An e-mail address is empty.");
    const std::string long_email = "user@" + std::string(246, 'a') + ".com";
    EXPECT_EQ(email_problem(long_email), "\"" + long_email.substr(0, 80) + "…\" is too long for an e-mail address.");
}

TEST(DatabaseNameProblem, AcceptsScalingoStyleNames) {
    const std::vector<std::string> names{"my-dedicated-db", "a", "db2", "x-1-y", std::string(63, 'a')};
    for (const auto& name : names) EXPECT_EQ(database_name_problem(name), std::nullopt) << name;
}

// ---- The command table -------------------------------------------------------------------------------------

TEST(CommandTable, UsageLinesOfEveryCommand) {
    std::vector<std::string> lines;
    for (const auto& spec : command_specs()) lines.push_back(replies::usage_line(spec));
    EXPECT_EQ(lines, (std::vector<std::string>{list_usage, add_usage, remove_usage, leave_usage, resend_usage,
                                               offboard_usage, whoami_usage, audit_usage, access_usage, help_usage,
                                               dbs_usage, confirm_usage, "Usage: /collab request <db>",
                                               "Usage: /collab approve <token>", "Usage: /collab deny <token>"}));
    EXPECT_EQ(replies::general_usage(), general);
}

TEST(CommandTable, AliasesLeadToTheirCommandAndConfirmIsHiddenFromHelp) {
    ASSERT_NE(find_spec("ls"), nullptr);
    EXPECT_EQ(find_spec("ls")->name, "list");
    ASSERT_NE(find_spec("invite"), nullptr);
    EXPECT_EQ(find_spec("invite")->name, "add");
    ASSERT_NE(find_spec("revoke"), nullptr);
    EXPECT_EQ(find_spec("revoke")->name, "remove");
    EXPECT_EQ(find_spec("delete"), nullptr);
    ASSERT_NE(find_spec("confirm"), nullptr);
    EXPECT_FALSE(find_spec("confirm")->listed_in_help);
    EXPECT_TRUE(find_spec("list")->listed_in_help);
}

TEST(AuditFilters, ByAndActionInEitherOrderAliasesNamingTheirCommand) {
    const auto audit_of = [](std::string_view text) {
        auto parsed = parse_command(text);
        EXPECT_TRUE(parsed) << describe(parsed);
        return parsed ? std::get<AuditCommand>(*parsed) : AuditCommand{};
    };
    const AuditCommand plain = audit_of("audit my-dedicated-db");
    EXPECT_EQ(plain.by, std::nullopt);
    EXPECT_EQ(plain.action, std::nullopt);
    const AuditCommand both = audit_of("audit my-dedicated-db By <mailto:User2@example.com> REVOKE");
    EXPECT_EQ(both.database, "my-dedicated-db");
    EXPECT_EQ(both.by, "User2@example.com");
    EXPECT_EQ(both.action, "remove");
    const AuditCommand reversed = audit_of("audit my-dedicated-db invite by user1@example.com");
    EXPECT_EQ(reversed.by, "user1@example.com");
    EXPECT_EQ(reversed.action, "add");
    EXPECT_EQ(audit_of("audit my-dedicated-db access").action, "access");
}

TEST(Access, TakesOneEmail) {
    auto parsed = parse_command("/collab access <user3@example.com>");
    ASSERT_TRUE(parsed) << describe(parsed);
    EXPECT_EQ(std::get<AccessCommand>(*parsed).email, "user3@example.com");
    EXPECT_EQ(database_of(*parsed), std::nullopt);
}

}  // namespace
}  // namespace collab
