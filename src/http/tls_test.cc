// TLS verification against a real TLS server: `openssl s_server` with a
// self-signed certificate made for the test.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"

namespace sellerbridge::http {
namespace {

// A port that was free a moment ago.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  return bound ? ntohs(address.sin_port) : 0;
}

// Runs `argv` to its end with its output discarded; true when it exits 0.
bool RunCommand(std::vector<std::string> argv) {
  const pid_t child = fork();
  if (child == 0) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (std::string& arg : argv) {
      args.push_back(arg.data());
    }
    args.push_back(nullptr);
    freopen("/dev/null", "w", stderr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("sellerbridge-tls-" + std::to_string(getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
    ASSERT_TRUE(
        RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout",
                    (directory_ / "key.pem").string(), "-out", (directory_ / "cert.pem").string()}))
        << "openssl could not make a certificate";
    port_ = FreePort();
    ASSERT_NE(port_, 0);
    server_ = fork();
    ASSERT_GE(server_, 0);
    if (server_ == 0) {
      const std::string accept = "127.0.0.1:" + std::to_string(port_);
      const std::string cert = (directory_ / "cert.pem").string();
      const std::string key = (directory_ / "key.pem").string();
      execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert",
             cert.c_str(), "-key", key.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100 && !Accepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    ASSERT_TRUE(Accepts(port_)) << "openssl s_server did not start";
  }

  void TearDown() override {
    if (server_ > 0) {
      kill(server_, SIGTERM);
      waitpid(server_, nullptr, 0);
    }
    std::filesystem::remove_all(directory_);
  }

  std::string Url() const { return "https://localhost:" + std::to_string(port_) + "/"; }

  std::filesystem::path directory_;
  int port_ = 0;
  pid_t server_ = -1;
};

TEST_F(TlsTest, AServerWhoseCertificateDoesNotVerifyIsRefused) {
  CurlHttpClient client;
  const auto response = client.Send({.method = "GET", .url = Url()});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kFailedPrecondition) << response.status();
}

TEST_F(TlsTest, TheSameServerIsTrustedWithItsCertificateAsTheCaBundle) {
  CurlHttpClient client({.ca_bundle = (directory_ / "cert.pem").string()});
  const auto response = client.Send({.method = "GET", .url = Url()});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace sellerbridge::http
