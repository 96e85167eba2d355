#pragma once
// A throw-away certificate authority for TLS tests, made with OpenSSL's C API: no files shipped,
// nothing that expires in the repository.

#include <filesystem>
#include <memory>
#include <string>

namespace collab::net::test {

struct IssuedCertificate {
    std::string certificate_pem;
    std::string private_key_pem;
};

class TestCa {
public:
    explicit TestCa(const std::string& common_name);
    ~TestCa();
    TestCa(const TestCa&) = delete;
    TestCa& operator=(const TestCa&) = delete;

    std::string certificate_pem() const;

    // A server certificate signed by this CA; subject_alt_names as OpenSSL writes them, e.g.
    // "DNS:localhost,IP:127.0.0.1".
    IssuedCertificate issue(const std::string& common_name, const std::string& subject_alt_names) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A file in the temporary directory, removed when this goes out of scope.
class TempFile {
public:
    explicit TempFile(const std::string& contents);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace collab::net::test
