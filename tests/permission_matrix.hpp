#pragma once
// Who may do what with the newer commands (access, dbs, offboard, resend, request and a click on a
// request's card): one table of expectations that the core and every chat platform are held to, and
// the one loop that holds a platform's driver to it.
//
// The people are those of my-dedicated-db in config/sandbox.toml (user1 owns it, user2 accepted,
// user3 invited), a stranger and an admin of the bot, both on no database; the channel rules bind the
// ops channel to my-dedicated-db and nothing to the other channel, under `default = "deny"`. Each
// platform's driver types the command as the asker in the ops channel (the owner in the other one
// for `wrong_channel`) and holds what the person is shown, normalised, to the row.

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace collab::testing {

enum class Asker { owner, accepted, pending, stranger, admin, wrong_channel };

inline std::string email_of(Asker asker) {
    switch (asker) {
        case Asker::owner:
        case Asker::wrong_channel: return "user1@example.com";
        case Asker::accepted: return "user2@example.com";
        case Asker::pending: return "user3@example.com";
        case Asker::stranger: return "stranger@example.com";
        case Asker::admin: return "admin@example.com";
    }
    return {};
}

inline std::string name_of(Asker asker) {
    switch (asker) {
        case Asker::owner: return "owner";
        case Asker::accepted: return "accepted collaborator";
        case Asker::pending: return "pending invitee";
        case Asker::stranger: return "stranger";
        case Asker::admin: return "admin";
        case Asker::wrong_channel: return "owner in the wrong channel";
    }
    return {};
}

inline const std::vector<Asker> every_asker = {Asker::owner,    Asker::accepted, Asker::pending,
                                               Asker::stranger, Asker::admin,    Asker::wrong_channel};

// Not typed: a newcomer types `request my-dedicated-db` in the ops channel, and the asker clicks the
// card's Approve (or Deny) button.
inline const std::string approve_click = "(click Approve on a newcomer's request)";
inline const std::string deny_click = "(click Deny on a newcomer's request)";
// The same, the newcomer typing the request in the other channel: the card goes to the ops channel,
// the one the channel rules bind to the database, and the newcomer hears the answer directly.
inline const std::string approve_click_from_elsewhere = "(click Approve on a request typed in the other channel)";
inline const std::string deny_click_from_elsewhere = "(click Deny on a request typed in the other channel)";

// Each click is on a card of its own, asked by a newcomer of its own: newcomer<N>@example.com.
inline std::string newcomer_email(std::size_t n) {
    return "newcomer" + std::to_string(n) + "@example.com";
}
inline constexpr std::size_t newcomers = 13;  // the click rows of the table

// In `shown`, `asked` and `told`, {newcomer} stands for the e-mail of the click's newcomer and {ops}
// for the ops channel as the platform shows it (a link to it where the platform has one).
struct Expectation {
    Asker asker;
    std::string command;
    std::string shown;  // a part of what the asker is shown, normalised
    std::string never;  // what the asker must not be shown, normalised ("" for no such thing)
    // For a click: a part of what the newcomer was shown when asking, and of what they were told
    // directly (outside the card's channel) once it was decided ("" for nothing checked).
    std::string asked = {};
    std::string told = {};
};

// What the rows' texts are compared on: what a reader sees whatever the platform's markup. Markdown
// escapes go, and every run of punctuation of tables, code and emphasis (│ | ` * _ ! ─ …) and of
// blanks becomes one space.
inline std::string normalised(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') continue;
        const auto u = static_cast<unsigned char>(c);
        const bool kept = std::isalnum(u) || std::string_view("@.-:,;()'\"/?<>=+").find(c) != std::string_view::npos;
        if (kept)
            out += c;
        else if (!out.empty() && out.back() != ' ')
            out += ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// What a newcomer who asked in the other channel is shown.
inline const std::string posted_in_ops =
    "Your request for access to my-dedicated-db was posted in {ops}, where its owner and collaborators decide on "
    "my-dedicated-db; you will be told the answer.";

inline const std::vector<Expectation>& permission_matrix() {
    static const std::vector<Expectation> rows = {
        // dbs: your databases with your role; an admin sees every one, with theirs.
        {Asker::owner, "dbs", "my-dedicated-db owner", ""},
        {Asker::accepted, "dbs", "my-dedicated-db collaborator", ""},
        {Asker::pending, "dbs", "my-dedicated-db pending", ""},
        {Asker::stranger, "dbs", "are on none of the databases the bot can manage from this channel",
         "my-dedicated-db"},
        {Asker::admin, "dbs", "my-dedicated-db -", ""},
        {Asker::wrong_channel, "dbs", "are on none of the databases the bot can manage from this channel",
         "my-dedicated-db"},

        // access: among the databases the asker manages; who manages none learns nothing.
        {Asker::owner, "access user3@example.com", "my-dedicated-db pending collaborator", ""},
        {Asker::accepted, "access user3@example.com", "my-dedicated-db pending collaborator", ""},
        {Asker::pending, "access user2@example.com", "manage none of the databases the bot can reach from this channel",
         "my-dedicated-db"},
        {Asker::stranger, "access user2@example.com",
         "manage none of the databases the bot can reach from this channel", "my-dedicated-db"},
        {Asker::admin, "access user3@example.com", "my-dedicated-db pending collaborator", ""},
        {Asker::wrong_channel, "access user3@example.com",
         "manage none of the databases the bot can reach from this channel", "my-dedicated-db"},

        // offboard: a proposal over the databases the asker manages, never the owner.
        {Asker::owner, "offboard user3@example.com",
         "Offboard user3@example.com: remove them from my-dedicated-db (1 database)?", ""},
        {Asker::accepted, "offboard user3@example.com",
         "Offboard user3@example.com: remove them from my-dedicated-db (1 database)?", ""},
        {Asker::pending, "offboard user2@example.com", "nothing to offboard", "my-dedicated-db"},
        {Asker::stranger, "offboard user2@example.com", "nothing to offboard", "my-dedicated-db"},
        {Asker::admin, "offboard user3@example.com",
         "Offboard user3@example.com: remove them from my-dedicated-db (1 database)?", ""},
        {Asker::wrong_channel, "offboard user3@example.com", "nothing to offboard", "my-dedicated-db"},

        // resend: as add, by the owner, an accepted collaborator or an admin, from the database's channel.
        {Asker::owner, "resend my-dedicated-db user3@example.com",
         "The invitation of user3@example.com to my-dedicated-db has been sent again", ""},
        {Asker::accepted, "resend my-dedicated-db user3@example.com",
         "The invitation of user3@example.com to my-dedicated-db has been sent again", ""},
        {Asker::pending, "resend my-dedicated-db user3@example.com",
         "Your invitation to my-dedicated-db is still pending", "sent again"},
        {Asker::stranger, "resend my-dedicated-db user3@example.com",
         "You (stranger@example.com) are not a collaborator of my-dedicated-db", "sent again"},
        {Asker::admin, "resend my-dedicated-db user3@example.com",
         "The invitation of user3@example.com to my-dedicated-db has been sent again", ""},
        {Asker::wrong_channel, "resend my-dedicated-db user3@example.com",
         "This channel is not set up to manage databases", "sent again"},

        // request: whoever is not on the database asks, and gets a card to decide on.
        {Asker::owner, "request my-dedicated-db", "own my-dedicated-db: there is no access to ask for",
         "asks for access"},
        {Asker::accepted, "request my-dedicated-db", "already a collaborator of my-dedicated-db", "asks for access"},
        {Asker::pending, "request my-dedicated-db", "were already invited to my-dedicated-db", "asks for access"},
        {Asker::stranger, "request my-dedicated-db", "asks for access to my-dedicated-db (as stranger@example.com)",
         ""},
        {Asker::admin, "request my-dedicated-db", "asks for access to my-dedicated-db (as admin@example.com)", ""},

        // A click on the card: the owner, an accepted collaborator or an admin decides, where the card is.
        {Asker::owner, approve_click, "Approved by", ""},
        {Asker::accepted, approve_click, "Approved by", ""},
        {Asker::pending, approve_click,
         "Only the owner or an accepted collaborator of my-dedicated-db (or an admin of the bot) may approve or deny",
         "Approved"},
        {Asker::stranger, approve_click,
         "Only the owner or an accepted collaborator of my-dedicated-db (or an admin of the bot) may approve or deny",
         "Approved"},
        {Asker::admin, approve_click, "Approved by", ""},
        {Asker::wrong_channel, approve_click, "This request was posted in another channel: it is decided there.",
         "Approved"},
        {Asker::accepted, deny_click, "was not invited to my-dedicated-db", "has been invited"},
        {Asker::stranger, deny_click, "Only the owner or an accepted collaborator of my-dedicated-db", "Denied"},

        // A request typed where the database is not managed: the card goes to the channel bound to it,
        // the requester is told where, and hears the decision taken there.
        {Asker::wrong_channel, "request my-dedicated-db", "own my-dedicated-db: there is no access to ask for",
         "asks for access"},
        {Asker::owner, approve_click_from_elsewhere, "{newcomer} has been invited to my-dedicated-db", "",
         posted_in_ops, "Your request for access to my-dedicated-db was approved by"},
        {Asker::accepted, deny_click_from_elsewhere, "{newcomer} was not invited to my-dedicated-db",
         "has been invited", posted_in_ops, "Your request for access to my-dedicated-db was denied by"},
        {Asker::pending, approve_click_from_elsewhere,
         "Only the owner or an accepted collaborator of my-dedicated-db (or an admin of the bot) may approve or deny",
         "Approved", posted_in_ops},
        {Asker::admin, approve_click_from_elsewhere, "{newcomer} has been invited to my-dedicated-db", "",
         posted_in_ops, "Your request for access to my-dedicated-db was approved by"},
        // The owner, in the channel where the request was typed: the decision is taken where the card is.
        {Asker::wrong_channel, approve_click_from_elsewhere,
         "This request was posted in another channel: it is decided there.", "Approved", posted_in_ops},
    };
    return rows;
}

// A chat platform as the matrix meets it. Each call waits, up to a few seconds, until what it returns
// holds `wanted` (normalised), for the answers that come later than the command.
class MatrixDriver {
public:
    virtual ~MatrixDriver() = default;
    // What `asker` is shown after typing `command` (in the ops channel, the other one for wrong_channel).
    virtual std::string type(Asker asker, const std::string& command, const std::string& wanted) = 0;
    // Newcomer `n` types `request my-dedicated-db` in the ops channel or the other one: what they are shown.
    virtual std::string ask(std::size_t n, bool elsewhere, const std::string& wanted) = 0;
    // `asker` clicks Approve (or Deny) on the card of newcomer `n`'s request, in the card's channel (in
    // the other channel for wrong_channel): what the asker is shown.
    virtual std::string click(Asker asker, std::size_t n, bool deny, const std::string& wanted) = 0;
    // What newcomer `n` was told directly since they asked.
    virtual std::string told(std::size_t n, const std::string& wanted) = 0;
    // The ops channel as the platform shows it to people (a link to it where the platform has one).
    virtual std::string ops_channel() const = 0;
    // False for a platform with one channel (the shell): the rows of another channel cannot exist there.
    virtual bool has_channels() const { return true; }
};

// `text` with {newcomer} and {ops} put in.
inline std::string filled(std::string text, std::size_t newcomer, const std::string& ops) {
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"{newcomer}", newcomer_email(newcomer)},
                                      std::pair<std::string, std::string>{"{ops}", ops}})
        for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size()))
            text.replace(at, name.size(), value);
    return text;
}

// Whether `shown` holds `part` (and not `never`), normalised; a failure names the row.
inline void expect_shown(const std::string& shown, const std::string& part, const std::string& never,
                         const Expectation& row, const std::string& whose) {
    const std::string seen = normalised(shown);
    EXPECT_NE(seen.find(normalised(part)), std::string::npos)
        << name_of(row.asker) << ": " << row.command << " (" << whose << ")\n"
        << shown;
    if (!never.empty()) {
        EXPECT_EQ(seen.find(normalised(never)), std::string::npos)
            << name_of(row.asker) << ": " << row.command << " (" << whose << ")\n"
            << shown;
    }
}

// Every row of the table through `driver`, each click on a card of a newcomer of its own. The number
// of rows run.
inline std::size_t run_permission_matrix(MatrixDriver& driver) {
    std::size_t cards = 0, run = 0;
    for (const auto& row : permission_matrix()) {
        const bool elsewhere = row.command == approve_click_from_elsewhere || row.command == deny_click_from_elsewhere;
        if (!driver.has_channels() && (elsewhere || row.asker == Asker::wrong_channel)) continue;
        ++run;
        const bool deny = row.command == deny_click || row.command == deny_click_from_elsewhere;
        if (!elsewhere && !deny && row.command != approve_click) {
            expect_shown(driver.type(row.asker, row.command, row.shown), row.shown, row.never, row, "the asker");
            continue;
        }
        const std::size_t n = cards++;
        if (n >= newcomers) ADD_FAILURE() << "more click rows than newcomers: raise `newcomers`";
        const std::string ops = driver.ops_channel();
        const std::string asked = filled(row.asked.empty() ? "asks for access" : row.asked, n, ops);
        expect_shown(driver.ask(n, elsewhere, asked), asked, "", row, "the newcomer asking");
        const std::string shown = filled(row.shown, n, ops);
        expect_shown(driver.click(row.asker, n, deny, shown), shown, row.never, row, "the asker");
        if (!row.told.empty()) {
            const std::string told = filled(row.told, n, ops);
            expect_shown(driver.told(n, told), told, "", row, "the newcomer, told");
        }
    }
    return run;
}

}  // namespace collab::testing
