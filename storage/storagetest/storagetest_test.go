package storagetest

import (
	"fmt"
	"os"
	"testing"

	"consult/storage"
)

func TestMain(m *testing.M) { os.Exit(RunTests(m)) }

func TestNewDBIsMigratedClone(t *testing.T) {
	t.Parallel()
	pool := NewDB(t)
	m, err := storage.NewMigrator(pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	current, err := m.Current(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !current {
		t.Fatal("fresh test database has pending migrations, want the template's migrations applied")
	}
}

// The subtests create the same table in what must be separate databases:
// were the database shared, all but one CREATE TABLE would fail, whatever
// order they run in, because no database is dropped before the test ends.
func TestNewDBIsolated(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			pool := NewDB(t)
			if _, err := pool.Exec(t.Context(), "CREATE TABLE isolated (n int)"); err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(t.Context(), "INSERT INTO isolated VALUES ($1)", i); err != nil {
				t.Fatal(err)
			}
			var got []int
			rows, err := pool.Query(t.Context(), "SELECT n FROM isolated")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n int
				rows.Scan(&n)
				got = append(got, n)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != i {
				t.Fatalf("rows = %v, want [%d]", got, i)
			}
		})
	}
}

func TestNewDBDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("uses", func(t *testing.T) {
		pool := NewDB(t)
		if err := pool.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		// The test's own database is open, and no other may see its tables.
		other := NewDB(t)
		if _, err := pool.Exec(t.Context(), "CREATE TABLE mine (x int)"); err != nil {
			t.Fatal(err)
		}
		var reg *string
		if err := other.QueryRow(t.Context(), "SELECT to_regclass('mine')::text").Scan(&reg); err != nil {
			t.Fatal(err)
		}
		if reg != nil {
			t.Fatal("table created in one test database is visible in another")
		}
	})
	var exists bool
	err := testServer.admin.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://u:p@h:5432/app?sslmode=disable", "postgres://u:p@h:5432/x?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/x"},
		{"host=h dbname=app", "host=h dbname=app dbname=x"},
	} {
		if got := withDatabase(tc.dsn, "x"); got != tc.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}

// BenchmarkNewDB measures what each test pays for its own database.
func BenchmarkNewDB(b *testing.B) {
	for b.Loop() {
		NewDB(b)
	}
}
