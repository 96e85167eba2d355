#pragma once
// The domain vocabulary: databases, their collaborators, and who is typing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace collab {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

enum class Status { pending, accepted, account_deleted };

struct Collaborator {
    std::string id;
    std::string email;
    std::string username;  // "n/a" while the invitation is pending, as Scalingo sends it
    Status status = Status::pending;
    bool limited = false;

    bool operator==(const Collaborator&) const = default;
};

struct Account {
    std::string id;
    std::string email;
    std::string username;

    bool operator==(const Account&) const = default;
};

struct Database {
    std::string name;
    Account owner;
    bool dedicated = true;

    bool operator==(const Database&) const = default;
};

// What the policy needs to know about one database at the moment of a decision.
struct DatabaseSnapshot {
    Database database;
    std::vector<Collaborator> collaborators;  // the owner is not in this list, as in Scalingo's API

    bool operator==(const DatabaseSnapshot&) const = default;
};

// The person typing a command, as the chat platform identifies them.
struct Actor {
    std::string platform;  // "shell", "slack", …
    std::string team;
    std::string user_id;  // immutable platform id: rules are keyed by it, never by display names
    std::string channel;
    std::optional<std::string> email;  // resolved Scalingo e-mail, if the directory knows it
    std::string name = {};             // the platform's user name, when it sends one (never for rules)
};

// The platform-qualified id ("discord:5390…", "slack:C0123") that [identities] and [policy] key people
// and channels by: the same id on two platforms names two people.
std::string qualified_id(std::string_view platform, std::string_view id);
std::string qualified_user(const Actor& actor);
std::string qualified_channel(const Actor& actor);

// Where a person stands on one database.
enum class Standing { owner, accepted, pending, stranger };

std::string_view to_string(Status status);
std::optional<Status> status_from_string(std::string_view text);

// E-mail addresses are compared without regard to case, as mail providers and Scalingo do.
bool same_email(std::string_view a, std::string_view b);

Standing standing_of(const DatabaseSnapshot& snapshot, std::string_view email);
const Collaborator* find_collaborator(const DatabaseSnapshot& snapshot, std::string_view email);

}  // namespace collab
