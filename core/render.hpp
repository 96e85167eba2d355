#pragma once
// Platform-neutral replies, and their plain-text form (Scalingo CLI style, byte for byte).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.hpp"  // format_utc, for the replies' times
#include "core/model.hpp"

namespace collab {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> dimmed;  // per row: shown dimmed where the medium allows (pending invitations)
};

enum class LineStyle {
    plain,
    done,   // "-----> " in the CLI: a change that was made
    error,  // " !     " in the CLI: refused or failed
};

enum class Mentioned { person, channel };

// A person or a channel a line names, shown the way its platform shows one (Slack's and Discord's
// <@id> and <#id>, Mattermost's @name), so that readers see who acted, or a link to where to go;
// elsewhere by name.
struct Mention {
    std::string platform;  // the platform of id: a mention works only there
    std::string id;        // the person's user id, or the channel's id
    std::string name;      // the platform's user or channel name, when known (Mattermost links by it)
    std::string email;     // the Scalingo e-mail, when known
    Mentioned kind = Mentioned::person;

    // How to name them where no mention can: a person by their name, else their e-mail, else their
    // qualified id; a channel by its name, else its id (the shell's channel has no other name).
    std::string shown() const;
};

// The person behind an Actor, for a line that names them.
Mention mention_of(const Actor& actor);
// A channel of `platform`, known by its id, and by its name where the platform links by name.
Mention channel_mention(std::string platform, std::string channel_id, std::string name = {});

struct Line {
    LineStyle style = LineStyle::plain;
    std::string text;
    // Someone named after `text`, followed by `after`: "Removed x from db (by " <mention> ")".
    std::optional<Mention> mention = std::nullopt;
    std::string after = {};
};

// What a proposal's buttons do: confirm or cancel one's own proposal, or approve or deny someone
// else's access request (typed in the shell as `approve <token>` and `deny <token>`).
enum class ProposalKind { confirmation, access_request };

struct Proposal {
    std::string question;      // names exactly what will happen
    std::string action_label;  // for a button: "Revoke access"
    std::string token;
    TimePoint expires_at;
    ProposalKind kind = ProposalKind::confirmation;

    // The buttons' labels: the action's ("Confirm" when it has none), and "Cancel" or "Deny".
    std::string confirm_label() const;
    std::string cancel_label() const;
    // A confirmation takes something away (a danger-styled button behind a dialog); an approval does not.
    bool destructive() const { return kind == ProposalKind::confirmation; }
};

enum class ReplyKind {
    result,       // an answer meant for the person asking (list, help, whoami, audit)
    change,       // something was changed: worth showing to the channel
    proposal,     // waiting for a confirmation
    denied,       // the policy said no
    usage_error,  // the command was typed wrong
    failure,      // upstream or local trouble
};

// What was decided about one command, for the one line an adapter logs about it. Never the command's
// text: a confirmation token is a credential, so a confirmation is named by what its token confirms.
struct DecisionNote {
    Actor actor;                      // who, with the Scalingo e-mail when it was resolved
    std::string command = "?";        // "list", "add", …; "?" when the command was typed wrong
    std::string database;             // empty when the command names none
    std::string target;               // the address(es) acted on
    std::string decision = "failed";  // "allow", "deny", "invalid" (typed wrong) or "failed"
    std::string reason;               // why not, or what failed; empty when allowed
};

// Names what a reply shows, for whoever keeps a form rendered from it (its plain text, a platform's
// message; see form_cache.hpp): two replies with the same key are the same reply. Only replies the
// core builds from state it versions carry one.
struct ReplyKey {
    std::string subject;           // what the reply is about: "list my-dedicated-db", "help add"
    std::uint64_t generation = 0;  // the version of that state (a database's snapshot generation)

    bool operator==(const ReplyKey&) const = default;
};

struct Reply {
    ReplyKind kind = ReplyKind::result;
    std::vector<Line> lines;
    std::optional<Table> table;  // printed after the lines
    std::optional<Proposal> proposal;
    std::string usage;                           // the usage line shown after a usage error
    std::optional<ReplyKey> key = std::nullopt;  // defaulted: a reply built positionally need not name it
};

// A reply as it travels from the service to the adapters: built once, then shared by the stages it
// passes and by the caches that keep it (a `list` of an unchanged database, a help topic) rather
// than copied at each.
// It reads as the reply it holds, and a Reply converts to it where one is expected.
class SharedReply {
public:
    SharedReply();
    SharedReply(Reply reply) : reply_(std::make_shared<const Reply>(std::move(reply))) {}  // NOLINT: converts
    // No moves, only copies of the pointer: one handed on still reads as its reply, never as null.
    SharedReply(const SharedReply&) = default;
    SharedReply& operator=(const SharedReply&) = default;

    const Reply& operator*() const { return *reply_; }
    const Reply* operator->() const { return reply_.get(); }
    operator const Reply&() const { return *reply_; }  // NOLINT: reads as the reply wherever one is read

private:
    std::shared_ptr<const Reply> reply_;
};

struct PlainTextOptions {
    bool ansi_dim = false;  // dim pending rows with ANSI escapes (a colour terminal)
    std::string command_prefix = "/collab";
};

std::string render_table(const Table& table, bool ansi_dim = false);
// A line's text with the person it names shown as plain text (Mention::shown), unescaped.
std::string plain_line_text(const Line& line);
// What a line's style puts before its text in the plain form: "-----> ", " !     " or nothing.
std::string_view plain_mark(LineStyle style);
std::string to_plain_text(const Reply& reply, const PlainTextOptions& options = {});
// The plain form's part after the lines (the table, the proposal's instructions, the usage): for a
// platform that writes the lines its own way, its mentions among them. Made printable, escaped for
// no markup: a caller that sends it as markup escapes it.
std::string plain_text_after_lines(const Reply& reply, const PlainTextOptions& options = {});

std::string format_duration(std::chrono::seconds duration);  // "5 minutes", "90 seconds"

}  // namespace collab
