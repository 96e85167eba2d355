#include "adapters/chat/intake.hpp"

namespace collab::chat {
namespace asio = boost::asio;

Intake::Intake(asio::any_io_executor executor, Desk& desk, store::SharedState& shared, IntakeSettings settings,
               ReadWork read_work, std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      desk_(desk),
      claims_(executor, shared, settings.claims, logger),
      settings_(std::move(settings)),
      read_work_(std::move(read_work)),
      logger_(std::move(logger)) {}

asio::awaitable<std::optional<Taken>> Intake::command(Arrival arrival, CommandRequest request) {
    const Delivery delivery = co_await claims_.take(arrival.key, std::move(arrival.work), arrival.attempt);
    if (delivery == Delivery::repeat) co_return std::nullopt;
    Taken taken{arrival.key, request.origin, {}, false, std::make_shared<Answered>(executor_)};
    taken.answer = co_await desk_.command(std::move(request), delivery == Delivery::taken_over, taken.answered);
    // In milliseconds: late_after's maximum would overflow a finer unit.
    // Rounded up: 2500.9 ms is later than 2500 ms.
    const auto elapsed = std::chrono::ceil<std::chrono::milliseconds>(std::chrono::steady_clock::now() - arrival.at);
    taken.late = claims_.delivered_again(arrival.key) || elapsed > settings_.late_after;
    co_return taken;
}

asio::awaitable<void> Intake::finish(Taken taken, bool acknowledged) {
    if (!acknowledged || taken.late) co_await desk_.deliver_later(taken.origin, std::move(taken.answer));
    co_await taken.answered->wait();
    co_await claims_.finish(std::move(taken.key));
}

asio::awaitable<Delivery> Intake::click(Arrival arrival, std::optional<ClickRequest> click,
                                        std::function<void(Delivery)> claimed) {
    std::optional<Request> request;
    if (click) request = std::move(*click);
    co_return co_await at_once(std::move(arrival), std::move(request), std::move(claimed));
}

asio::awaitable<Delivery> Intake::message(Arrival arrival, std::optional<CommandRequest> command,
                                          std::function<void(Delivery)> claimed) {
    std::optional<Request> request;
    if (command) request = std::move(*command);
    co_return co_await at_once(std::move(arrival), std::move(request), std::move(claimed));
}

asio::awaitable<Delivery> Intake::at_once(Arrival arrival, std::optional<Request> request,
                                          std::function<void(Delivery)> claimed) {
    const Delivery delivery = co_await claims_.take(arrival.key, std::move(arrival.work), arrival.attempt);
    if (claimed) claimed(delivery);
    if (delivery == Delivery::repeat) co_return delivery;
    const bool taken_over = delivery == Delivery::taken_over;
    if (auto* click = request ? std::get_if<ClickRequest>(&*request) : nullptr)
        co_await desk_.click(std::move(*click), taken_over);
    else if (auto* command = request ? std::get_if<CommandRequest>(&*request) : nullptr)
        co_await desk_.answer_later(std::move(*command), taken_over);
    co_await claims_.finish(std::move(arrival.key));
    co_return delivery;
}

asio::awaitable<void> Intake::sweep() {
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    Claims::Resume resume = [this](store::Orphan orphan) { return this->resume(std::move(orphan)); };
    co_await claims_.sweep(std::move(resume));
}

asio::awaitable<void> Intake::resume(store::Orphan orphan) {
    auto request = read_work_(orphan);
    if (!request) {
        // Completed all the same: not taken over again and again when nobody can read it.
        logger_->error("[{}] {}: cannot read the work left unfinished; dropped", orphan.key, settings_.transport);
        co_return;
    }
    co_await desk_.resume(std::move(*request));
}

void Intake::stop() {
    claims_.stop();
}

asio::awaitable<bool> Intake::settle(std::chrono::milliseconds limit) {
    co_return co_await claims_.settle(limit);
}

}  // namespace collab::chat
