#include "test_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <fstream>
#include <random>
#include <stdexcept>

namespace collab::net::test {
namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateFree {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertificatePtr = std::unique_ptr<X509, CertificateFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL failed to ") + what);
}

// P-256 keys are generated in microseconds, which keeps fixture set-up cheap.
KeyPtr make_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "generate a key");
    return key;
}

void add_extension(X509* certificate, X509V3_CTX& context, int nid, const std::string& value) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    check(extension != nullptr, "build a certificate extension");
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    check(added == 1, "add a certificate extension");
}

// Subject, validity (from an hour ago, for clock skew, to a day from now) and public key.
CertificatePtr make_certificate(EVP_PKEY* key, const std::string& common_name) {
    static std::atomic<long> serial{1};
    CertificatePtr certificate(X509_new());
    check(certificate != nullptr, "allocate a certificate");
    check(X509_set_version(certificate.get(), 2) == 1, "set the version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial++) == 1, "set the serial");
    check(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) != nullptr, "set notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600) != nullptr, "set notAfter");
    check(X509_set_pubkey(certificate.get(), key) == 1, "set the public key");
    X509_NAME* name = X509_get_subject_name(certificate.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1,
          "set the common name");
    return certificate;
}

template <typename Write>
std::string to_pem(Write write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr && write(bio.get()) == 1, "write PEM");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

struct TestCa::Impl {
    KeyPtr key;
    CertificatePtr certificate;
};

TestCa::TestCa(const std::string& common_name) : impl_(std::make_unique<Impl>()) {
    impl_->key = make_key();
    impl_->certificate = make_certificate(impl_->key.get(), common_name);
    X509* certificate = impl_->certificate.get();
    check(X509_set_issuer_name(certificate, X509_get_subject_name(certificate)) == 1, "set the issuer");
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    add_extension(certificate, context, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(certificate, context, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(certificate, context, NID_subject_key_identifier, "hash");
    check(X509_sign(certificate, impl_->key.get(), EVP_sha256()) > 0, "sign the CA certificate");
}

TestCa::~TestCa() = default;

std::string TestCa::certificate_pem() const {
    return to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, impl_->certificate.get()); });
}

IssuedCertificate TestCa::issue(const std::string& common_name, const std::string& subject_alt_names) const {
    KeyPtr key = make_key();
    CertificatePtr certificate = make_certificate(key.get(), common_name);
    check(X509_set_issuer_name(certificate.get(), X509_get_subject_name(impl_->certificate.get())) == 1,
          "set the issuer");
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, impl_->certificate.get(), certificate.get(), nullptr, nullptr, 0);
    add_extension(certificate.get(), context, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate.get(), context, NID_key_usage, "critical,digitalSignature");
    add_extension(certificate.get(), context, NID_ext_key_usage, "serverAuth");
    add_extension(certificate.get(), context, NID_subject_key_identifier, "hash");
    add_extension(certificate.get(), context, NID_authority_key_identifier, "keyid:always");
    add_extension(certificate.get(), context, NID_subject_alt_name, subject_alt_names);
    check(X509_sign(certificate.get(), impl_->key.get(), EVP_sha256()) > 0, "sign the server certificate");

    IssuedCertificate issued;
    issued.certificate_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate.get()); });
    issued.private_key_pem = to_pem(
        [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    return issued;
}

TempFile::TempFile(const std::string& contents) {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / ("collab-net-test-" + std::to_string(random()) + ".pem");
    std::ofstream out(path_, std::ios::binary);
    out << contents;
    if (!out.flush()) throw std::runtime_error("cannot write " + path_.string());
}

TempFile::~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

}  // namespace collab::net::test
