// Command helmlite renders a Helm chart with Go's text/template, sprig's function library (the
// one Helm uses) and Helm's own include, toYaml and required, for tests on machines without helm
// (it is neither in Debian nor in npm).
// It is no replacement for helm: it exists so that the chart's templates are really executed
// and their output can be schema-validated. Unknown functions and missing values are errors.
//
//	helmlite [--release NAME] [--set a.b=v]... CHART_DIR
//
// Built in GOPATH mode against Debian's gopkg.in/yaml.v3 (golang-gopkg-yaml.v3-dev) and
// github.com/Masterminds/sprig (v3, golang-github-masterminds-sprig-dev, in GOPATH mode).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func toYaml(v interface{}) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func parseValue(s string) interface{} {
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	if i, err := strconv.Atoi(s); err == nil {
		return i
	}
	return s
}

func set(values map[string]interface{}, path string, v interface{}) {
	keys := strings.Split(path, ".")
	node := values
	for _, k := range keys[:len(keys)-1] {
		next, ok := node[k].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			node[k] = next
		}
		node = next
	}
	node[keys[len(keys)-1]] = v
}

func main() {
	release := flag.String("release", "dev", "release name")
	var sets setFlags
	flag.Var(&sets, "set", "a.b.c=value (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helmlite [--release NAME] [--set a.b=v]... CHART_DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if err := render(dir, *release, sets); err != nil {
		fmt.Fprintln(os.Stderr, "helmlite:", err)
		os.Exit(1)
	}
}

func render(dir, release string, sets []string) error {
	var chart map[string]interface{}
	var values map[string]interface{}
	for name, dst := range map[string]*map[string]interface{}{"Chart.yaml": &chart, "values.yaml": &values} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := yaml.Unmarshal(data, dst); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--set %q: want key=value", s)
		}
		set(values, k, parseValue(v))
	}
	ctx := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": release, "Namespace": "default", "Service": "Helm"},
		"Chart": map[string]interface{}{"Name": chart["name"], "Version": chart["version"],
			"AppVersion": chart["appVersion"]},
		"Files": files{dir},
	}
	root := template.New("chart").Option("missingkey=error")
	// Helm's own template functions are sprig's (the library Helm itself links) plus the few
	// Helm adds; the chart meets the same quote, default, trunc, sha256sum … as under helm.
	funcs := sprig.TxtFuncMap()
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["toYaml"] = toYaml
	funcs["required"] = func(message string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return v, nil
	}
	root.Funcs(funcs)
	paths, err := filepath.Glob(filepath.Join(dir, "templates", "*"))
	if err != nil {
		return err
	}
	sort.Strings(paths)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := root.New(filepath.Base(p)).Parse(string(data)); err != nil {
			return err
		}
	}
	for _, p := range paths {
		name := filepath.Base(p)
		if strings.HasPrefix(name, "_") || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, ctx); err != nil {
			return err
		}
		if strings.TrimSpace(buf.String()) == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s/templates/%s\n%s\n", filepath.Base(dir), name, strings.TrimSpace(buf.String()))
	}
	return nil
}

// files is .Files: Get reads a file of the chart.
type files struct{ dir string }

func (f files) Get(name string) string {
	data, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		return ""
	}
	return string(data)
}
