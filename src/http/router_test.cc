#include "http/router.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/health.h"

// Counts the allocations of the thread that asks for it, so that a test can
// pin down that routing a request allocates nothing.
namespace {
thread_local bool count_allocations = false;
thread_local size_t allocations = 0;
}  // namespace

void* operator new(size_t size) {
  if (count_allocations) ++allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace ferry::http {
namespace {

// Answers with a status of its own and remembers the targets it was given.
class NamedHandler : public Handler {
 public:
  explicit NamedHandler(int status) : status_(status) {}
  void Handle(const Request& req, Responder respond) override {
    ++calls_;
    last_target_ = req.target;
    Response res;
    res.status = status_;
    respond(std::move(res));
  }
  Response Reject(int status, const Request&) override {
    Response res;
    res.status = status;
    res.body = "rendered by " + std::to_string(status_);
    return res;
  }
  int calls() const { return calls_; }
  const std::string& last_target() const { return last_target_; }

 private:
  const int status_;
  int calls_ = 0;
  std::string last_target_;
};

// The fallback claims what carries "aws" in its target; counts the calls.
std::atomic<int> claim_calls{0};
bool ClaimsAws(const Request& req) {
  ++claim_calls;
  return req.target.find("aws") != std::string::npos;
}

Request Make(std::string method, std::string target) {
  Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  return req;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : router_(fallback_, &ClaimsAws,
                {Route{.path = "/health", .methods = {"GET", "HEAD"}, .handler = &health_},
                 Route{.path = "/console/",
                       .match = Route::Match::kPrefix,
                       .methods = {"GET"},
                       .handler = &console_}}) {
    claim_calls = 0;
  }

  Response Send(std::string method, std::string target) {
    std::optional<Response> got;
    router_.Handle(Make(std::move(method), std::move(target)),
                   Responder([&](Response r) { got = std::move(r); }));
    EXPECT_TRUE(got.has_value());
    if (got) return *std::move(got);
    Response none;
    none.status = 0;
    return none;
  }

  NamedHandler fallback_{600};
  NamedHandler health_{601};
  NamedHandler console_{602};
  Router router_;
};

TEST_F(RouterTest, RequestsOnUnroutedPathsGoToTheFallback) {
  EXPECT_EQ(Send("POST", "/").status, 600);
  EXPECT_EQ(Send("GET", "/?Action=ListQueues").status, 600);
  EXPECT_EQ(Send("POST", "/000000000000/jobs").status, 600);
  EXPECT_EQ(Send("GET", "/queue/eu-central-1/000000000000/jobs?Action=SendMessage").status, 600);
  EXPECT_EQ(fallback_.calls(), 4);
  EXPECT_EQ(fallback_.last_target(), "/queue/eu-central-1/000000000000/jobs?Action=SendMessage");
  EXPECT_EQ(claim_calls.load(), 0) << "the fallback is asked only about routed paths";
}

TEST_F(RouterTest, ExactRouteTakesItsPathWithAnyQueryString) {
  EXPECT_EQ(Send("GET", "/health").status, 601);
  EXPECT_EQ(Send("GET", "/health?verbose=1").status, 601);
  EXPECT_EQ(Send("HEAD", "/health").status, 601);
  EXPECT_EQ(health_.calls(), 3);
}

TEST_F(RouterTest, ExactRouteComparesThePathAsSent) {
  for (const char* target : {"/health/", "/healthz", "/Health", "//health", "/%68ealth",
                             "/000000000000/health", "http://localhost/health", "health"}) {
    EXPECT_EQ(Send("GET", target).status, 600) << target;
  }
  EXPECT_EQ(health_.calls(), 0);
}

TEST_F(RouterTest, PrefixRouteTakesEveryPathUnderIt) {
  EXPECT_EQ(Send("GET", "/console/").status, 602);
  EXPECT_EQ(Send("GET", "/console/queues/jobs?page=2").status, 602);
  EXPECT_EQ(Send("GET", "/console").status, 600);
  EXPECT_EQ(Send("GET", "/consoles/").status, 600);
}

TEST_F(RouterTest, OtherMethodOnARoutedPathGets405WithAllow) {
  const Response res = Send("POST", "/health");
  EXPECT_EQ(res.status, 405);
  std::string allow;
  for (const auto& [name, value] : res.headers) {
    if (name == "Allow") allow = value;
  }
  EXPECT_EQ(allow, "GET, HEAD");
  EXPECT_EQ(Send("get", "/health").status, 405) << "methods are case-sensitive";
  EXPECT_EQ(Send("DELETE", "/console/x").status, 405);
  EXPECT_EQ(health_.calls(), 0);
  EXPECT_EQ(fallback_.calls(), 0);
}

TEST_F(RouterTest, RequestTheFallbackClaimsGoesThereEvenOnARoutedPath) {
  EXPECT_EQ(Send("GET", "/health?aws").status, 600);
  EXPECT_EQ(Send("POST", "/health?aws").status, 600) << "not a 405: the fallback answers";
  EXPECT_EQ(Send("GET", "/console/aws").status, 600);
  EXPECT_EQ(fallback_.calls(), 3);
  EXPECT_EQ(claim_calls.load(), 3);
}

TEST_F(RouterTest, WithoutClaimsARoutedPathAlwaysGoesToItsRoute) {
  Router router(fallback_, nullptr,
                {Route{.path = "/health", .methods = {"GET"}, .handler = &health_}});
  std::optional<Response> got;
  router.Handle(Make("GET", "/health?aws"), Responder([&](Response r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 601);
}

TEST_F(RouterTest, FirstMatchingRouteWins) {
  Router router(
      fallback_, nullptr,
      {Route{
           .path = "/a/", .match = Route::Match::kPrefix, .methods = {"GET"}, .handler = &health_},
       Route{.path = "/a/b", .methods = {"GET"}, .handler = &console_}});
  std::optional<Response> got;
  router.Handle(Make("GET", "/a/b"), Responder([&](Response r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 601);
}

TEST_F(RouterTest, ServerRefusalsAreRenderedByTheFallbackWhateverThePath) {
  const Response res = router_.Reject(413, Make("POST", "/health"));
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.body, "rendered by 600");
}

TEST_F(RouterTest, RoutingAnUnroutedRequestAllocatesNothing) {
  const Request req = Make("POST", "/000000000000/jobs?Action=SendMessage");
  Responder respond([](Response) {});
  allocations = 0;
  count_allocations = true;
  // The fallback's own answer allocates (its target copy, its Response): a
  // fallback that only counts isolates the router's share.
  struct CountingHandler : Handler {
    void Handle(const Request&, Responder) override { ++calls; }
    int calls = 0;
  } counting;
  Router router(counting, &ClaimsAws,
                {Route{.path = "/health", .methods = {"GET", "HEAD"}, .handler = &health_}});
  const size_t after_construction = allocations;
  router.Handle(req, std::move(respond));
  count_allocations = false;
  EXPECT_EQ(counting.calls, 1);
  EXPECT_EQ(allocations, after_construction);
}

TEST(HealthHandlerTest, AnswersOkAsJson) {
  HealthHandler health;
  std::optional<Response> got;
  health.Handle(Make("GET", "/health"), Responder([&](Response r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, R"({"status":"ok"})");
  std::string content_type;
  for (const auto& [name, value] : got->headers) {
    if (name == "Content-Type") content_type = value;
  }
  EXPECT_EQ(content_type, "application/json");
}

}  // namespace
}  // namespace ferry::http
