#pragma once
// The sections about being observed and observing: http, app (health probe, rollback) and
// notify (webhooks).
#include "config/yaml_reader.h"

namespace hotpod {

void readHttp(const YamlReader& reader, const YamlField& section, HttpConfig& http);
void readApp(const YamlReader& reader, const YamlField& section, AppConfig& app);
void readNotify(const YamlReader& reader, const YamlField& section, NotifyConfig& notify);

// An http:// or https:// URL with a host; anything else fails with a hint.
std::string readUrl(const YamlReader& reader, const YamlField& field, std::string_view example);

// The events a webhook can subscribe to.
const std::vector<std::string>& webhookEventNames();

}  // namespace hotpod

namespace hotpod {

// The http, app and notify sections with every key, its default and a comment, as `hotpod init`
// and the importers write them.
std::string observeSectionsYaml();

}  // namespace hotpod
