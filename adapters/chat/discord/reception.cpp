#include "adapters/chat/discord/reception.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/chat/discord/commands.hpp"
#include "adapters/chat/discord/messages.hpp"

namespace collab::discord {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The option whose suggestions are the person's databases (commands.cpp registers it so).
constexpr std::string_view database_option = "database";

// How long the mark that an autocomplete interaction was answered is kept: its token lasts 15 minutes.
constexpr std::chrono::minutes suggestion_memory{15};

}  // namespace

std::string work_of(const json::object& interaction, const chat::ClickRequest* click) {
    json::object work{{"interaction", interaction}};
    if (click) {
        work["confirmation"] = click->token;
        work["cancel"] = click->cancel;
    }
    return json::serialize(work);
}

std::optional<chat::Request> request_of_work(const store::Orphan& orphan) {
    boost::system::error_code error;
    const json::value value = json::parse(orphan.work, error);
    const json::object* work = error ? nullptr : value.if_object();
    const json::value* data = work ? work->if_contains("interaction") : nullptr;
    if (data == nullptr || !data->is_object()) return std::nullopt;
    auto interaction = decode_interaction(data->get_object());
    if (!interaction) return std::nullopt;
    if (interaction->type == InteractionType::command) return command_request(*interaction);
    const json::value* token = work->if_contains("confirmation");
    const json::value* cancel = work->if_contains("cancel");
    if (interaction->type != InteractionType::component || token == nullptr || !token->is_string()) return std::nullopt;
    return click_request(*interaction, std::string(token->get_string()),
                         cancel && cancel->is_bool() && cancel->get_bool());
}

asio::awaitable<void> register_commands(RestClient& rest, std::string application_id, std::string guild_id,
                                        std::shared_ptr<spdlog::logger> logger) {
    json::array body = registration_body(command_specs());
    const std::string where = guild_id.empty() ? "globally" : "in guild " + guild_id;
    auto registered = co_await rest.overwrite_commands(std::move(application_id), std::move(guild_id), std::move(body));
    if (registered)
        logger->info("discord: /{} registered {}", command_name, where);
    else
        logger->error("discord: could not register /{} {}: {}", command_name, where, registered.error().message);
}

Reception::Reception(asio::any_io_executor executor, DiscordOutbox& outbox, chat::Desk& desk,
                     store::SharedState& shared, ProposalShelf& shelf, ReceptionSettings settings,
                     std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      outbox_(outbox),
      desk_(desk),
      shared_(shared),
      shelf_(shelf),
      intake_(executor, desk, shared,
              chat::IntakeSettings{
                  .claims = settings.claims, .late_after = settings.late_after, .transport = settings.transport},
              request_of_work, logger),
      settings_(std::move(settings)),
      logger_(std::move(logger)) {}

asio::awaitable<void> Reception::take_in(json::object data, std::chrono::steady_clock::time_point received,
                                         CallbackRoute route) {
    auto interaction = decode_interaction(data);
    if (!interaction) {
        ++counters_.skipped;
        logger_->warn("{}: skipped an interaction: {}", settings_.transport, interaction.error());
        co_return;
    }
    switch (interaction->type) {
        case InteractionType::component:
            co_await take_in_click(std::move(*interaction), std::move(data), received, std::move(route));
            co_return;
        case InteractionType::command:
            if (interaction->command != command_name) break;
            co_await take_in_command(std::move(*interaction), std::move(data), received, std::move(route));
            co_return;
        case InteractionType::autocomplete:
            if (interaction->command != command_name) break;
            co_await suggest(std::move(*interaction), received, std::move(route));
            co_return;
        case InteractionType::ping:
        case InteractionType::other: break;
    }
    logger_->debug("[{}] {}: ignoring an interaction of type {}", interaction->id, settings_.transport,
                   interaction->type_number);
}

asio::awaitable<void> Reception::take_in_command(Interaction interaction, json::object data,
                                                 std::chrono::steady_clock::time_point received, CallbackRoute route) {
    chat::Arrival arrival{interaction.id, intake_.work([&data] { return work_of(data, nullptr); }), 0, received};
    chat::CommandRequest request = command_request(interaction);
    std::optional<chat::Taken> taken = co_await intake_.command(std::move(arrival), std::move(request));
    if (!taken) co_return;
    ++counters_.interactions;
    chat::Answer answer = taken->answer;
    const bool sent = co_await outbox_.acknowledge(interaction, std::move(answer), received, std::move(route));
    co_await intake_.finish(std::move(*taken), sent);
}

asio::awaitable<void> Reception::take_in_click(Interaction interaction, json::object data,
                                               std::chrono::steady_clock::time_point received, CallbackRoute route) {
    std::optional<chat::ClickRequest> click;
    if (const auto button = read_custom_id(interaction.custom_id)) {
        // A proposal no longer on the shelf (or never there) reaches the core with no token: it says why
        // the click cannot be carried out.
        std::string token;
        auto found = co_await shelf_.find(button->proposal_id, Clock::now());
        if (found && *found) token = std::move(**found);
        if (!found)
            logger_->error("[{}] {}: could not look a proposal up: {}", interaction.id, settings_.transport,
                           found.error().message);
        click = click_request(interaction, std::move(token), button->cancel);
    }
    chat::Arrival arrival{interaction.id,
                          intake_.work([&data, &click] { return work_of(data, click ? &*click : nullptr); }), 0,
                          received};
    const bool acted_on = click.has_value();
    std::function<void(chat::Delivery)> claimed = [this, &interaction, &route, received,
                                                   acted_on](chat::Delivery delivery) {
        if (delivery == chat::Delivery::repeat) return;
        ++counters_.interactions;
        if (!acted_on) {
            // The coroutine outlives this frame: it keeps its own copies.
            auto ignore = [this, clicked = interaction, received, route]() mutable -> asio::awaitable<void> {
                json::object nothing_changes = callback(CallbackType::deferred_update);
                co_await outbox_.answer(clicked, std::move(nothing_changes), received, std::move(route));
            };
            asio::co_spawn(executor_, std::move(ignore), asio::detached);
            return;
        }
        outbox_.owe_callback(interaction, received, route);
        // An outcome slower than the budget: the click is deferred, and the outcome edits the message.
        auto defer = [this, id = interaction.id, at = received + settings_.click_budget]() -> asio::awaitable<void> {
            asio::steady_timer timer(executor_, at);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            co_await outbox_.defer_click(id);
        };
        asio::co_spawn(executor_, std::move(defer), asio::detached);
    };
    co_await intake_.click(std::move(arrival), std::move(click), std::move(claimed));
}

asio::awaitable<void> Reception::suggest(Interaction interaction, std::chrono::steady_clock::time_point received,
                                         CallbackRoute route) {
    // Every gateway session receives the interaction: one instance answers. A store that cannot say
    // leaves it to each (Discord takes the first callback and refuses the others).
    const TimePoint now = Clock::now();
    std::string key = "discord-autocomplete\n" + interaction.id;
    TokenUse use{now, "autocomplete"};
    const TimePoint keep_until = now + suggestion_memory;
    auto earlier = co_await shared_.use_once(std::move(key), std::move(use), keep_until);
    if (earlier && *earlier) {
        logger_->debug("[{}] {}: suggestions answered already", interaction.id, settings_.transport);
        co_return;
    }
    std::vector<std::string> names;
    std::string typed;
    if (interaction.call.focused == database_option) {
        for (const auto& [name, value] : interaction.call.options)
            if (name == interaction.call.focused) typed = value;
        const auto deadline = received + settings_.suggestion_budget;
        Actor asker = origin_of(interaction).actor;
        auto found = co_await databases_of(std::move(asker), deadline);
        if (found)
            names = std::move(*found);
        else
            logger_->warn("[{}] {}: the databases to suggest were not found within {} ms; none suggested",
                          interaction.id, settings_.transport, settings_.suggestion_budget.count());
    }
    ++counters_.suggestions;
    json::object body = suggestions(names, typed);
    co_await outbox_.answer(interaction, std::move(body), received, std::move(route));
}

asio::awaitable<std::optional<std::vector<std::string>>> Reception::databases_of(
    Actor actor, std::chrono::steady_clock::time_point deadline) {
    // The lookup runs on its own, so that the wait for it can end at the deadline.
    struct Lookup {
        explicit Lookup(asio::any_io_executor executor, std::chrono::steady_clock::time_point deadline)
            : done(std::move(executor), deadline) {}
        asio::steady_timer done;
        std::optional<std::vector<std::string>> names;
    };
    auto lookup = std::make_shared<Lookup>(executor_, deadline);
    auto look = [lookup, &desk = desk_, actor = std::move(actor)]() mutable -> asio::awaitable<void> {
        lookup->names = co_await desk.suggest_databases(std::move(actor));
        // Expiring now ends the wait, whether it has begun or not.
        lookup->done.expires_at(std::chrono::steady_clock::time_point::min());
    };
    asio::co_spawn(executor_, std::move(look), asio::detached);
    co_await lookup->done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return std::move(lookup->names);
}

}  // namespace collab::discord
