#!/usr/bin/env python3
"""Checks that the folders of agent/src depend on each other one way only.

The allowed edges are the DEPS of the hotpod_layer() calls in agent/src/CMakeLists.txt (and
what those layers use in turn). Every `#include "FOLDER/…"` of another folder is an edge of the
include graph; an edge that the layers do not allow, a folder that is not a layer, and a cycle
are each reported as FILE:LINE with what to do. The build enforces the same through include
roots; this check is fast, names the line, and also covers headers no .cpp of their layer uses.

Usage: check-layers.py [SOURCE_DIR]   (default: agent/src next to this script)
"""
import pathlib
import re
import sys

LAYER_CALL = re.compile(r"hotpod_layer\(\s*(\w+)([^)]*)\)", re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)
KEYWORDS = {"DEPS", "PUBLIC_LIBS", "PRIVATE_LIBS"}
TOP = "cli"  # the binary: may use every layer, used by none


def read_layers(cmake_text):
    layers = {}
    for name, rest in LAYER_CALL.findall(cmake_text):
        deps, section = [], None
        for word in rest.split():
            if word in KEYWORDS:
                section = word
            elif section == "DEPS":
                deps.append(word)
        layers[name] = deps
    return layers


def closure(layers, name, seen=None):
    seen = set() if seen is None else seen
    for dep in layers.get(name, []):
        if dep not in seen:
            seen.add(dep)
            closure(layers, dep, seen)
    return seen


def include_edges(src):
    """(from_folder, to_folder, file, line) for every include of another folder."""
    for path in sorted(src.glob("*/*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        text = path.read_text(errors="replace")
        for match in INCLUDE.finditer(text):
            target = match.group(1)
            if target != path.parent.name:
                line = text.count("\n", 0, match.start()) + 1
                yield path.parent.name, target, path, line


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def check(src):
    src = pathlib.Path(src)
    layers = read_layers((src / "CMakeLists.txt").read_text())
    problems = []
    for name, deps in layers.items():
        for dep in deps:
            if dep not in layers:
                problems.append(f"{src}/CMakeLists.txt: layer {name} names '{dep}', which is not a layer")
    cycle = find_cycle(layers)
    if cycle:
        problems.append(f"{src}/CMakeLists.txt: the layers depend on each other in a circle: "
                        + " -> ".join(cycle))
    graph = {}
    for folder, target, path, line in include_edges(src):
        graph.setdefault(folder, set()).add(target)
        where = f"{path}:{line}"
        if folder == TOP:
            continue
        if folder not in layers:
            problems.append(f"{where}: folder {folder}/ is not a layer; add hotpod_layer({folder} "
                            "DEPS …) to agent/src/CMakeLists.txt")
        elif target == TOP or target not in closure(layers, folder):
            problems.append(
                f"{where}: {folder}/ includes {target}/, which is not below it (allowed: "
                f"{', '.join(sorted(closure(layers, folder))) or 'nothing'}); move the shared "
                f"piece down to a layer both can use, or pass it in from above")
    cycle = find_cycle(graph)
    if cycle:
        problems.append("the folders include each other in a circle: " + " -> ".join(cycle))
    return problems


def main():
    default = pathlib.Path(__file__).resolve().parent.parent / "agent" / "src"
    src = sys.argv[1] if len(sys.argv) > 1 else default
    problems = check(src)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(problems)} problem(s); docs/how-it-works.md shows the layers",
              file=sys.stderr)
        return 1
    print("check-layers: every include goes down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
