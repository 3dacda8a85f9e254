#include "proxy/csp.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>
#include <optional>

#include "base/text.h"

namespace hotpod {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(separator, start), text.size());
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !isSpace(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// base64-value of CSP's nonce-source: ALPHA / DIGIT / "+" / "/" / "-" / "_", then up to two "=".
// Anything else is not a nonce (and is never copied into the page).
bool validNonce(std::string_view value) {
  size_t i = 0;
  while (i < value.size() &&
         (std::isalnum(static_cast<unsigned char>(value[i])) || value[i] == '+' ||
          value[i] == '/' || value[i] == '-' || value[i] == '_')) {
    ++i;
  }
  if (i == 0) return false;
  const size_t padding = value.size() - i;
  return padding <= 2 && value.substr(i).find_first_not_of('=') == std::string_view::npos;
}

// One policy: directive name (lower case) → its source expressions; the first of a name counts.
using Policy = std::map<std::string, std::vector<std::string_view>>;

Policy parsePolicy(std::string_view text) {
  Policy policy;
  for (const auto directive : split(text, ';')) {
    auto tokens = words(directive);
    if (tokens.empty()) continue;
    const std::string name = lowercase(tokens.front());
    tokens.erase(tokens.begin());
    policy.emplace(name, std::move(tokens));
  }
  return policy;
}

const std::vector<std::string_view>* governing(const Policy& policy,
                                               std::initializer_list<const char*> names,
                                               std::string& which) {
  for (const char* name : names) {
    const auto it = policy.find(name);
    if (it != policy.end()) {
      which = name;
      return &it->second;
    }
  }
  return nullptr;
}

struct Sources {
  bool self_or_any = false;  // 'self' or *
  bool strict_dynamic = false;
  std::vector<std::string> nonces;
};

Sources sourcesOf(const std::vector<std::string_view>& list) {
  Sources sources;
  for (const auto token : list) {
    const std::string word = lowercase(token);
    if (word == "'self'" || word == "*") sources.self_or_any = true;
    if (word == "'strict-dynamic'") sources.strict_dynamic = true;
    if (word.size() > 9 && word.starts_with("'nonce-") && word.ends_with("'")) {
      const auto value =
          token.substr(7, token.size() - 8);  // as written: nonces are case-sensitive
      if (validNonce(value)) sources.nonces.emplace_back(value);
    }
  }
  return sources;
}

// An attribute value as written in HTML: the references a policy may hold, decoded.
std::string decodeReferences(std::string_view value) {
  static const std::pair<std::string_view, char> kReferences[] = {
      {"&amp;", '&'},   {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''},
      {"&#x27;", '\''}, {"&lt;", '<'},   {"&gt;", '>'}};
  std::string out;
  for (size_t i = 0; i < value.size();) {
    bool replaced = false;
    for (const auto& [reference, character] : kReferences) {
      if (value.size() - i >= reference.size() &&
          lowercase(value.substr(i, reference.size())) == reference) {
        out += character;
        i += reference.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += value[i++];
  }
  return out;
}

// The attributes of one tag (`tag` is what follows "<meta", up to its ">"): name → value.
std::map<std::string, std::string_view> attributesOf(std::string_view tag) {
  std::map<std::string, std::string_view> attributes;
  size_t i = 0;
  while (i < tag.size()) {
    while (i < tag.size() && (isSpace(tag[i]) || tag[i] == '/')) ++i;
    const size_t name_start = i;
    while (i < tag.size() && !isSpace(tag[i]) && tag[i] != '=' && tag[i] != '/') ++i;
    const std::string name = lowercase(tag.substr(name_start, i - name_start));
    while (i < tag.size() && isSpace(tag[i])) ++i;
    std::string_view value;
    if (i < tag.size() && tag[i] == '=') {
      ++i;
      while (i < tag.size() && isSpace(tag[i])) ++i;
      if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
        const char quote = tag[i++];
        const size_t end = std::min(tag.find(quote, i), tag.size());
        value = tag.substr(i, end - i);
        i = end + 1;
      } else {
        const size_t start = i;
        while (i < tag.size() && !isSpace(tag[i])) ++i;
        value = tag.substr(start, i - start);
      }
    }
    if (!name.empty()) attributes.emplace(name, value);
    if (i == name_start) ++i;  // a stray character: never loop on it
  }
  return attributes;
}

}  // namespace

std::vector<std::string> metaPolicies(std::string_view html) {
  const std::string lower = lowercase(html);
  const size_t head_end = std::min(lower.find("</head"), lower.find("<body"));
  std::vector<std::string> policies;
  for (size_t at = lower.find("<meta"); at < head_end; at = lower.find("<meta", at + 1)) {
    const size_t start = at + 5;
    const size_t end = std::min(lower.find('>', start), lower.size());
    const auto attributes = attributesOf(std::string_view(html).substr(start, end - start));
    const auto equiv = attributes.find("http-equiv");
    const auto content = attributes.find("content");
    if (equiv == attributes.end() || content == attributes.end()) continue;
    if (lowercase(decodeReferences(equiv->second)) != "content-security-policy") continue;
    policies.push_back(decodeReferences(content->second));
  }
  return policies;
}

SnippetPermission snippetPermission(const std::vector<std::string>& headers) {
  std::vector<Policy> policies;
  for (const auto& header : headers) {
    for (const auto text : split(header, ',')) {
      if (!words(text).empty()) policies.push_back(parsePolicy(text));
    }
  }
  SnippetPermission permission;
  // The nonce to use: the first one a policy offers (harmless where 'self' would do).
  for (const auto& policy : policies) {
    std::string which;
    const auto* scripts =
        governing(policy, {"script-src-elem", "script-src", "default-src"}, which);
    if (!scripts) continue;
    const auto sources = sourcesOf(*scripts);
    if (!sources.nonces.empty() && permission.nonce.empty()) permission.nonce = sources.nonces[0];
  }
  for (const auto& policy : policies) {
    std::string which;
    if (const auto* scripts =
            governing(policy, {"script-src-elem", "script-src", "default-src"}, which)) {
      const auto sources = sourcesOf(*scripts);
      const bool by_nonce = std::find(sources.nonces.begin(), sources.nonces.end(),
                                      permission.nonce) != sources.nonces.end();
      const bool by_origin = sources.self_or_any && !sources.strict_dynamic;
      if (!by_nonce && !by_origin) {
        return {false,
                {},
                which + (sources.nonces.empty() ? " has no nonce" : " has another nonce") +
                    (sources.strict_dynamic ? " and 'strict-dynamic'" : " and no 'self'")};
      }
    }
    if (const auto* connects = governing(policy, {"connect-src", "default-src"}, which)) {
      if (!sourcesOf(*connects).self_or_any) {
        return {false, {}, which + " has no 'self' for the live-reload event stream"};
      }
    }
  }
  return permission;
}

}  // namespace hotpod
