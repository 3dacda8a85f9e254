// snippetPermission: what a page's Content-Security-Policy lets the live-reload snippet (a
// same-origin <script src> that opens a same-origin EventSource) do, and the nonce it needs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proxy/csp.h"

using namespace hotpod;

TEST_CASE("no policy, or one that says nothing about scripts: the plain snippet") {
  CHECK(snippetPermission({}).allowed);
  const auto images = snippetPermission({"img-src 'self'; frame-ancestors 'none'"});
  CHECK(images.allowed);
  CHECK(images.nonce.empty());
}

TEST_CASE("a script-src or default-src nonce is used") {
  const auto strict = snippetPermission({"script-src 'nonce-R4nd0m+/=' 'strict-dynamic'"});
  CHECK(strict.allowed);
  CHECK(strict.nonce == "R4nd0m+/=");
  const auto fallback = snippetPermission({"default-src 'self' 'nonce-abc_-1'"});
  CHECK(fallback.allowed);
  CHECK(fallback.nonce == "abc_-1");
  // script-src-elem governs <script> elements before script-src.
  const auto elem = snippetPermission({"script-src 'nonce-outer'; SCRIPT-SRC-ELEM 'nonce-inner'"});
  CHECK(elem.nonce == "inner");
}

TEST_CASE("'self' allows the same-origin script without a nonce, unless 'strict-dynamic'") {
  const auto self = snippetPermission({"script-src 'self'"});
  CHECK(self.allowed);
  CHECK(self.nonce.empty());
  const auto dynamic = snippetPermission({"script-src 'self' 'strict-dynamic'"});
  CHECK_FALSE(dynamic.allowed);
  CHECK(dynamic.why == "script-src has no nonce and 'strict-dynamic'");
}

TEST_CASE("a policy that blocks the script and offers no nonce: skipped, saying why") {
  const auto none = snippetPermission({"script-src 'none'"});
  CHECK_FALSE(none.allowed);
  CHECK(none.why == "script-src has no nonce and no 'self'");
  const auto hashes = snippetPermission({"default-src 'sha256-AAAA' 'unsafe-inline'"});
  CHECK_FALSE(hashes.allowed);
  CHECK(hashes.why == "default-src has no nonce and no 'self'");
  // A malformed nonce is no nonce (and never reaches the page).
  CHECK_FALSE(snippetPermission({"script-src 'nonce-a\"><b>'"}).allowed);
  CHECK_FALSE(snippetPermission({"script-src 'nonce-'"}).allowed);
}

TEST_CASE("the event stream needs connect-src (or default-src) 'self'") {
  const auto closed = snippetPermission({"default-src 'none'; script-src 'nonce-n1'"});
  CHECK_FALSE(closed.allowed);
  CHECK(closed.nonce.empty());
  CHECK(closed.why == "default-src has no 'self' for the live-reload event stream");
  CHECK(
      snippetPermission({"default-src 'none'; script-src 'nonce-n1'; connect-src 'self'"}).allowed);
}

TEST_CASE("every policy must allow it: several headers, or several policies in one") {
  CHECK(snippetPermission({"script-src 'nonce-n1'", "script-src 'self'"}).nonce == "n1");
  CHECK(snippetPermission({"script-src 'nonce-n1', script-src 'nonce-n1' 'nonce-n2'"}).allowed);
  const auto different = snippetPermission({"script-src 'nonce-n1'", "script-src 'nonce-n2'"});
  CHECK_FALSE(different.allowed);
  CHECK(different.why == "script-src has another nonce and no 'self'");
  CHECK_FALSE(snippetPermission({"script-src 'self', script-src 'none'"}).allowed);
  // The first of two directives with one name counts.
  CHECK_FALSE(snippetPermission({"script-src 'none'; script-src 'self'"}).allowed);
}

TEST_CASE("metaPolicies: the content of each CSP <meta> in the head, references decoded") {
  const auto found = metaPolicies(
      "<html><head><meta charset=utf-8><META http-equiv='Content-Security-Policy' "
      "CONTENT=\"default-src &#39;self&#39;; script-src &apos;nonce-a1&apos;\"/>"
      "<meta http-equiv=content-security-policy content=img-src>"
      "<meta name=description content='script-src none'></head>"
      "<body><meta http-equiv='Content-Security-Policy' content=\"script-src 'none'\"></body>");
  REQUIRE(found.size() == 2);
  CHECK(found[0] == "default-src 'self'; script-src 'nonce-a1'");
  CHECK(found[1] == "img-src");
  CHECK(metaPolicies("<p>no head at all</p>").empty());
  CHECK(metaPolicies("<meta http-equiv=\"Content-Security-Policy\" content=\"x\"").size() == 1);
  const auto permission = snippetPermission(found);
  CHECK(permission.allowed);
  CHECK(permission.nonce == "a1");
}
