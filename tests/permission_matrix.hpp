#pragma once
// Who may do what with the newer commands (access, dbs, offboard, resend, request and a click on a
// request's card): one table of expectations that the core and every chat platform are held to.
//
// The people are those of my-dedicated-db in config/sandbox.toml (user1 owns it, user2 accepted,
// user3 invited), a stranger and an admin of the bot, both on no database; the channel rules bind the
// ops channel to my-dedicated-db and nothing to the other channel, under `default = "deny"`. Each
// platform's driver types the command as the asker in the ops channel (the owner in the other one
// for `wrong_channel`) and holds what the person is shown, normalised, to the row.

#include <cctype>
#include <string>
#include <string_view>
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

// Each click is on a card of its own, asked by a newcomer of its own: newcomer<N>@example.com.
inline std::string newcomer_email(std::size_t n) {
    return "newcomer" + std::to_string(n) + "@example.com";
}
inline constexpr std::size_t newcomers = 12;

struct Expectation {
    Asker asker;
    std::string command;
    std::string shown;  // a part of what the asker is shown, normalised
    std::string never;  // what the asker must not be shown, normalised ("" for no such thing)
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
    };
    return rows;
}

}  // namespace collab::testing
