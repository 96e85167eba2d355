#pragma once
// The CollaboratorsApi port served in-process by the sandbox store.

#include "adapters/sandbox/sandbox_store.hpp"
#include "core/ports.hpp"

namespace collab::sandbox {

class SandboxApi final : public CollaboratorsApi {
public:
    explicit SandboxApi(SandboxStore& store) : store_(store) {}

    boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) override;
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override;
    boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override;
    boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override;
    boost::asio::awaitable<ApiResult<Account>> self() override;
    boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() override;

private:
    SandboxStore& store_;
};

}  // namespace collab::sandbox
