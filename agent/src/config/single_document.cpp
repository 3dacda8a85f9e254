#include "config/single_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <optional>
#include <sstream>

#include "model/config_error.h"

namespace hotpod {
namespace {

// Remembers where the document it reads starts; the content itself does not matter.
class DocumentStart : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> start;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (!start) start = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

void refuseSecondDocument(std::string_view yaml, const std::string& file_name) {
  std::istringstream stream{std::string(yaml)};
  YAML::Parser parser(stream);
  DocumentStart first;
  if (!parser.HandleNextDocument(first)) return;  // the caller has parsed it already
  DocumentStart second;
  int line = 0;
  try {
    if (!parser.HandleNextDocument(second)) return;
    if (second.start && second.start->line >= 0) line = second.start->line + 1;
  } catch (const YAML::Exception& invalid) {  // refused all the same, with its place
    if (second.start && second.start->line >= 0) {
      line = second.start->line + 1;
    } else if (invalid.mark.line >= 0) {
      line = invalid.mark.line + 1;
    }
  }
  throw ConfigError(file_name, line, line > 0 ? 1 : 0, "",
                    "a second YAML document (after '---'); hotpod reads one document per file",
                    "remove everything from the second '---' on, or move it to its own file");
}

}  // namespace hotpod
