package main

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// composeFile is the part of docker-compose.yml the test checks, in the
// forms the file uses (a map of environment variables, short port and
// volume syntax). No Docker engine runs where the tests run, so the file
// is read, not started.
type composeFile struct {
	Services map[string]struct {
		Build     any `yaml:"build"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		HealthCheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestComposeFile checks the local stack's wiring: the app waits for a
// healthy database and reaches db and mail by their service names.
func TestComposeFile(t *testing.T) {
	body, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var p composeFile
	if err := yaml.Unmarshal(body, &p); err != nil {
		t.Fatalf("docker-compose.yml does not decode: %v", err)
	}
	for _, want := range []string{"app", "db", "mail"} {
		if _, ok := p.Services[want]; !ok {
			t.Fatalf("no %q service; have %v", want, slices.Sorted(maps.Keys(p.Services)))
		}
	}

	app := p.Services["app"]
	if app.Build == nil {
		t.Error("app is not built from the Dockerfile")
	}
	if dep, ok := app.DependsOn["db"]; !ok || dep.Condition != "service_healthy" {
		t.Errorf("app does not wait for a healthy db: %+v", app.DependsOn)
	}
	if _, ok := app.DependsOn["mail"]; !ok {
		t.Error("app does not depend on the mail catcher")
	}
	env := app.Environment
	if u := env["DATABASE_URL"]; !strings.Contains(u, "@db:5432/") {
		t.Errorf("app DATABASE_URL = %q, want the db service", u)
	}
	if u := env["SMTP_URL"]; !strings.Contains(u, "mail:1025") {
		t.Errorf("app SMTP_URL = %q, want the mail service", u)
	}
	if a := env["LISTEN_ADDR"]; !strings.HasPrefix(a, "0.0.0.0:") {
		t.Errorf("app LISTEN_ADDR = %q, want all interfaces inside the container", a)
	}
	if !publishes(app.Ports, "8080") {
		t.Errorf("app does not publish 8080: %q", app.Ports)
	}
	if app.HealthCheck == nil || !slices.Contains(app.HealthCheck.Test, "healthcheck") {
		t.Errorf("app health check %+v", app.HealthCheck)
	}

	db := p.Services["db"]
	if db.HealthCheck == nil || !strings.Contains(strings.Join(db.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("db health check %+v", db.HealthCheck)
	}
	if len(db.Volumes) == 0 {
		t.Fatal("db has no volume")
	}
	// Short syntax SOURCE:TARGET[:MODE]; a source that is not a path names a volume.
	parts := strings.Split(db.Volumes[0], ":")
	if len(parts) < 2 || parts[0] == "" || strings.ContainsAny(parts[0][:1], "/.~") || parts[1] != "/var/lib/postgresql/data" {
		t.Fatalf("db data is not on a named volume: %q", db.Volumes)
	}
	if _, ok := p.Volumes[parts[0]]; !ok {
		t.Errorf("volume %q is not declared", parts[0])
	}
	if !publishes(p.Services["mail"].Ports, "8025") {
		t.Error("the mail catcher's web UI is not published")
	}
}

// publishes reports whether ports, in short syntax
// ([HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]), publish container port
// target on the host.
func publishes(ports []string, target string) bool {
	for _, p := range ports {
		p, _, _ = strings.Cut(p, "/")
		parts := strings.Split(p, ":")
		if n := len(parts); n >= 2 && parts[n-1] == target && parts[n-2] != "" {
			return true
		}
	}
	return false
}

// TestDockerfile checks what the image promises: multi-stage, static,
// non-root, with a health check.
func TestDockerfile(t *testing.T) {
	body, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := string(body)
	for _, want := range []string{"AS build", "CGO_ENABLED=0", "FROM scratch", "USER 65532", "HEALTHCHECK", `"/consult", "healthcheck"`} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
