#pragma once
// What a Mattermost server sends the bot over HTTP, decoded into the Desk's requests. Pure: no
// socket, no logging; bad input is a value, never a throw.
//
// Mattermost (server source: app/command.go DoCommandRequest, app/integration_action.go,
// model/integration_action.go):
// - a custom slash command is POSTed as a form (token, team_id, team_domain, channel_id,
//   channel_name, user_id, user_name, command, text, trigger_id, response_url, and the mentions)
//   with `Authorization: Token <the command's token>`;
// - a click on an interactive message button is POSTed as JSON (user_id, user_name, channel_id,
//   channel_name, team_id, team_domain, post_id, trigger_id, type, context) with no credential at
//   all: the action's `context`, which the server keeps and never shows a client, is what proves a
//   click is about a proposal the bot made. It carries the proposal's sealed confirmation token
//   (core/confirmation.hpp), which the core checks as ever (who clicks, where, until when, once).

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/desk.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::mattermost {

inline constexpr std::string_view platform = "mattermost";

struct SlashCommand {
    std::string team_id;
    std::string channel_id;
    std::string user_id;
    std::string user_name;
    std::string command;
    std::string text;
    std::string response_url;
    std::string trigger_id;
};

// A click on a proposal's Confirm or Cancel button.
struct ActionClick {
    std::string user_id;
    std::string channel_id;
    std::string team_id;  // the proposal's team, from the context: a direct channel has none of its own
    std::string post_id;
    std::string token;  // the sealed confirmation: a credential, never logged
    bool cancel = false;
    std::string user_name = {};  // for a mention; may be empty
};

// Whether an Authorization header carries the command's token ("Token <token>"), compared in constant
// time. The error says what was wrong, for the log; never the token.
std::expected<void, std::string> check_command_token(std::string_view authorization, std::string_view expected);

std::expected<SlashCommand, std::string> decode_slash_command(std::string_view form_body);
std::expected<ActionClick, std::string> decode_action(std::string_view json_body);

chat::CommandRequest command_request(const SlashCommand& command, std::string id);
chat::ClickRequest click_request(const ActionClick& click, std::string id);

// What another instance needs to finish a request if this one dies: the decoded request as JSON.
std::string work_of(const SlashCommand& command);
std::string work_of(const ActionClick& click);
// The request a claim's work describes (a slash command, a click, or a mention taken in from the
// websocket: socket_frames.hpp); nothing when it cannot be read.
std::optional<chat::Request> request_of_work(const store::Orphan& orphan);

}  // namespace collab::mattermost
