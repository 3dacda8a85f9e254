#pragma once
// Names hotpod always ignores, whatever the configuration says.
#include <string_view>

namespace hotpod {

// VCS metadata and hotpod's own state: .git, .hg, .svn, .bzr, _darcs, .hotpod; the internals
// of a Kubernetes ConfigMap/Secret volume (..data, ..2026_01_01_…).
bool isBuiltinIgnoredDirName(std::string_view name);

// Editor scratch files that appear and vanish while saving: vim swap files (*.swp, *.swx,
// *.swo) and its "4913" write probe, "~" backups, emacs locks (.#*) and autosaves (#*#),
// JetBrains safe-write temporaries (*___jb_tmp___, *___jb_old___).
bool isEditorScratchFileName(std::string_view name);

}  // namespace hotpod
