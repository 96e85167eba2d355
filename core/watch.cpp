#include "core/watch.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "core/replies.hpp"

namespace collab {
namespace asio = boost::asio;

std::chrono::milliseconds watch_interval(std::chrono::milliseconds configured, std::size_t databases,
                                         int allowance_per_minute) {
    if (allowance_per_minute <= 0 || databases == 0) return configured;
    // A quarter of the allowance: `databases` requests a round may be sent allowance / 4 times a minute.
    const auto share_interval = std::chrono::milliseconds{std::chrono::minutes{1}} * 4 *
                                static_cast<std::int64_t>(databases) / allowance_per_minute;
    return std::max(configured, std::chrono::ceil<std::chrono::milliseconds>(share_interval));
}

InvitationWatch::InvitationWatch(CollaboratorsApi& api, InvitationLog& log, Announcer& announcer,
                                 const WallClock& clock, std::string platform)
    : api_(api), log_(log), announcer_(announcer), clock_(clock), platform_(std::move(platform)) {}

namespace {

// What became of an invitation, as the database's collaborators show it; nullopt while it is pending.
std::optional<InvitationFate> fate_of(const Invitation& invitation, const std::vector<Collaborator>& collaborators) {
    const auto same_id = std::find_if(collaborators.begin(), collaborators.end(),
                                      [&](const Collaborator& c) { return c.id == invitation.collaborator_id; });
    if (same_id != collaborators.end())
        return same_id->status == Status::pending ? std::nullopt : std::optional(InvitationFate::accepted);
    // Accepted under another id: still this person's acceptance.
    const bool accepted_by_email = std::any_of(collaborators.begin(), collaborators.end(), [&](const Collaborator& c) {
        return c.status == Status::accepted && same_email(c.email, invitation.email);
    });
    return accepted_by_email ? InvitationFate::accepted : InvitationFate::vanished;
}

}  // namespace

asio::awaitable<ApiResult<std::size_t>> InvitationWatch::forget_settled(std::chrono::hours keep) {
    const TimePoint settled_before = clock_.now() - keep;
    co_return co_await log_.forget_settled(settled_before);
}

asio::awaitable<ApiResult<WatchRound>> InvitationWatch::round() {
    auto pending = co_await log_.pending(platform_);
    if (!pending) co_return std::unexpected(pending.error());
    std::map<std::string, std::vector<Invitation>> by_database;
    for (auto& invitation : *pending) by_database[invitation.database].push_back(std::move(invitation));

    WatchRound done;
    for (const auto& [database, invitations] : by_database) {
        ++done.databases;
        std::string name = database;
        auto collaborators = co_await api_.list_collaborators(std::move(name));
        // A database deleted meanwhile took its invitations with it.
        const bool gone = !collaborators && collaborators.error().kind == ApiErrorKind::not_found;
        if (!collaborators && !gone) {
            ++done.unreadable;
            done.trouble = collaborators.error().message;
            continue;
        }
        for (const Invitation& invitation : invitations) {
            const auto fate = gone ? std::optional(InvitationFate::vanished) : fate_of(invitation, *collaborators);
            if (!fate) continue;
            const TimePoint now = clock_.now();
            std::string settled_database = invitation.database;
            std::string settled_id = invitation.collaborator_id;
            auto first = co_await log_.settle(std::move(settled_database), std::move(settled_id), *fate, now);
            if (!first) {
                done.trouble = first.error().message;
                continue;
            }
            if (!*first) continue;  // announced by another instance, or an earlier round
            const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - invitation.at);
            Reply notice = *fate == InvitationFate::accepted ? replies::invitation_accepted(invitation, ago)
                                                             : replies::invitation_vanished(invitation, ago);
            ++(*fate == InvitationFate::accepted ? done.accepted : done.vanished);
            if (!co_await announce(invitation, std::move(notice))) ++done.undelivered;
        }
    }
    co_return done;
}

asio::awaitable<bool> InvitationWatch::announce(const Invitation& invitation, Reply notice) {
    const Actor& inviter = invitation.inviter;
    Conversation where{inviter.platform, inviter.team, inviter.channel};
    Reply copy = notice;
    auto posted = co_await announcer_.post(std::move(where), std::move(copy));
    if (posted) co_return true;
    if (posted.error().kind != ApiErrorKind::forbidden) co_return false;
    Actor person = inviter;
    auto told = co_await announcer_.tell(std::move(person), std::move(notice));
    co_return told.has_value();
}

}  // namespace collab
