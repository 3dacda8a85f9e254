#include "config/list_readers.h"

namespace hotpod {

std::vector<std::string> readTexts(const YamlReader& reader, const YamlField& field,
                                   std::string_view example) {
  std::vector<std::string> out;
  for (const auto& item : reader.readStringList(field, example, false)) out.push_back(item.text);
  return out;
}

std::vector<std::string> readExtensions(const YamlReader& reader, const YamlField& field) {
  std::vector<std::string> extensions;
  for (const auto& item : reader.readStringList(field, "[go, tmpl]", /*split_commas=*/true)) {
    std::string_view ext = item.text;
    if (ext.starts_with('*')) ext.remove_prefix(1);
    while (ext.starts_with('.')) ext.remove_prefix(1);
    if (ext.empty() || ext.find_first_of("/*?[ \t") != std::string_view::npos) {
      reader.failAt(item.node, field.key, "invalid extension '" + item.text + "'",
                    "write bare extensions like [go, tmpl]; put patterns in watch.include");
    }
    extensions.emplace_back(ext);
  }
  return extensions;
}

}  // namespace hotpod
