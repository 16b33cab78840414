package workflows_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.yaml.in/yaml/v3"
)

// actionlint is the linter, run through the module proxy at a fixed version.
const actionlint = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

// root is the repository root, from this package's directory.
var root = filepath.Join("..", "..", "..")

// project lays out a repository actionlint reads as one: action.yml at the
// root (so that `uses: ./` is checked against its inputs) and the given
// workflows under .github/workflows. It returns the workflow paths.
func project(workflows map[string][]byte) (dir string, files []string) {
	dir = GinkgoT().TempDir()
	Expect(os.MkdirAll(filepath.Join(dir, ".github", "workflows"), 0o755)).To(Succeed())
	// actionlint takes the directory holding .git as the project root, where
	// local actions are looked up.
	Expect(os.Mkdir(filepath.Join(dir, ".git"), 0o755)).To(Succeed())
	action, err := os.ReadFile(filepath.Join(root, "action.yml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(filepath.Join(dir, "action.yml"), action, 0o644)).To(Succeed())
	for name, data := range workflows {
		p := filepath.Join(".github", "workflows", name)
		Expect(os.WriteFile(filepath.Join(dir, p), data, 0o644)).To(Succeed())
		files = append(files, p)
	}
	return dir, files
}

// lint runs actionlint on files in dir and returns its output and exit error.
func lint(dir string, files []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", actionlint, "-no-color"}, files...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// actionAsWorkflow turns the composite action's steps into a workflow called
// with the action's inputs, so that actionlint checks their expressions and
// scripts as it checks a workflow's.
func actionAsWorkflow(action []byte) []byte {
	var a struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
			Required    bool   `yaml:"required"`
			Default     string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string      `yaml:"using"`
			Steps []yaml.Node `yaml:"steps"`
		} `yaml:"runs"`
	}
	Expect(yaml.Unmarshal(action, &a)).To(Succeed())
	Expect(a.Runs.Using).To(Equal("composite"))
	Expect(a.Runs.Steps).NotTo(BeEmpty())
	inputs := map[string]any{}
	for name, in := range a.Inputs {
		Expect(in.Description).NotTo(BeEmpty(), "input %s has no description", name)
		inputs[name] = map[string]any{"type": "string", "required": in.Required, "default": in.Default, "description": in.Description}
	}
	wf := map[string]any{
		"name": "action.yml steps",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": a.Runs.Steps}},
	}
	out, err := yaml.Marshal(wf)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// fencedYAML returns the ```yaml blocks of markdown that contain marker.
func fencedYAML(markdown, marker string) []string {
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(markdown, -1) {
		if strings.Contains(m[1], marker) {
			blocks = append(blocks, m[1])
		}
	}
	return blocks
}

var _ = Describe("the GitHub Actions files", func() {
	It("pass actionlint: CI.yml, .github/workflows, action.yml's steps and inputs, the README's caller example", func() {
		workflows := map[string][]byte{}
		ci, err := os.ReadFile(filepath.Join(root, "CI.yml"))
		Expect(err).NotTo(HaveOccurred())
		workflows["CI.yml"] = ci
		more, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
		Expect(err).NotTo(HaveOccurred())
		for _, p := range more {
			data, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			workflows["repo-"+filepath.Base(p)] = data
		}
		action, err := os.ReadFile(filepath.Join(root, "action.yml"))
		Expect(err).NotTo(HaveOccurred())
		workflows["action-steps.yml"] = actionAsWorkflow(action)

		readme, err := os.ReadFile(filepath.Join(root, "README.md"))
		Expect(err).NotTo(HaveOccurred())
		examples := fencedYAML(string(readme), "uses: wsconform/wsconform@")
		Expect(examples).NotTo(BeEmpty(), "README.md has no ```yaml example calling wsconform/wsconform@...")
		for i, ex := range examples {
			local := regexp.MustCompile(`uses: wsconform/wsconform@\S+`).ReplaceAllString(ex, "uses: ./")
			workflows["readme-example-"+string(rune('a'+i))+".yml"] = []byte(local)
		}

		dir, files := project(workflows)
		out, err := lint(dir, files)
		Expect(err).NotTo(HaveOccurred(), "actionlint:\n%s\naction.yml's steps as a workflow:\n%s", out, workflows["action-steps.yml"])
	})

	It("would catch an input action.yml does not have and an undefined expression", func() {
		dir, files := project(map[string][]byte{
			"bad.yml": []byte(`on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: ./
        with:
          rest-url: http://127.0.0.1:9081
          no-such-input: x
      - run: echo "${{ steps.nope.outputs.x }} ${{ inputs.nothing }}"
`),
		})
		out, err := lint(dir, files)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring(`input "no-such-input" is not defined in action`))
		Expect(out).To(ContainSubstring("nothing"))
	})
})
