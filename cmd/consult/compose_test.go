package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestComposeFile loads docker-compose.yml with the Compose specification's
// own loader, since no Docker engine runs where the tests run.
func TestComposeFile(t *testing.T) {
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "docker-compose.yml")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: body}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("consult", true) })
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	names := p.ServiceNames()
	for _, want := range []string{"app", "db", "mail"} {
		if !slices.Contains(names, want) {
			t.Fatalf("no %q service; have %v", want, names)
		}
	}

	app := p.Services["app"]
	if app.Build == nil {
		t.Error("app is not built from the Dockerfile")
	}
	if dep, ok := app.DependsOn["db"]; !ok || dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("app does not wait for a healthy db: %+v", app.DependsOn)
	}
	if _, ok := app.DependsOn["mail"]; !ok {
		t.Error("app does not depend on the mail catcher")
	}
	env := app.Environment
	if u := env["DATABASE_URL"]; u == nil || !strings.Contains(*u, "@db:5432/") {
		t.Errorf("app DATABASE_URL = %v, want the db service", u)
	}
	if u := env["SMTP_URL"]; u == nil || !strings.Contains(*u, "mail:1025") {
		t.Errorf("app SMTP_URL = %v, want the mail service", u)
	}
	if a := env["LISTEN_ADDR"]; a == nil || !strings.HasPrefix(*a, "0.0.0.0:") {
		t.Errorf("app LISTEN_ADDR = %v, want all interfaces inside the container", a)
	}
	if !publishes(app, 8080) {
		t.Errorf("app does not publish 8080: %+v", app.Ports)
	}
	if app.HealthCheck == nil || !slices.Contains(app.HealthCheck.Test, "healthcheck") {
		t.Errorf("app health check %+v", app.HealthCheck)
	}

	db := p.Services["db"]
	if db.HealthCheck == nil || !strings.Contains(strings.Join(db.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("db health check %+v", db.HealthCheck)
	}
	if len(db.Volumes) == 0 || db.Volumes[0].Type != types.VolumeTypeVolume || db.Volumes[0].Target != "/var/lib/postgresql/data" {
		t.Errorf("db data is not on a named volume: %+v", db.Volumes)
	}
	if _, ok := p.Volumes[db.Volumes[0].Source]; !ok {
		t.Errorf("volume %q is not declared", db.Volumes[0].Source)
	}
	if !publishes(p.Services["mail"], 8025) {
		t.Error("the mail catcher's web UI is not published")
	}
}

func publishes(s types.ServiceConfig, port uint32) bool {
	for _, p := range s.Ports {
		if p.Target == port && p.Published != "" {
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
