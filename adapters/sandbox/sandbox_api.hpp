#pragma once
// The CollaboratorsApi port served in-process by the sandbox store. The store's SQLite calls may
// wait up to its busy timeout for a lock another process holds (the sandbox command line, a test),
// so they run on a thread of the port's own, never on the caller's event loop.

#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/store/store_worker.hpp"
#include "core/ports.hpp"

namespace collab::sandbox {

class SandboxApi final : public CollaboratorsApi {
public:
    // The store is used on the port's thread only from now on.
    explicit SandboxApi(SandboxStore& store);

    boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) override;
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override;
    boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override;
    boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override;
    boost::asio::awaitable<ApiResult<Account>> self() override;
    boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() override;

private:
    store::FixedSession<SandboxStore> store_;
    store::StoreWorker<SandboxStore> worker_;
};

}  // namespace collab::sandbox
