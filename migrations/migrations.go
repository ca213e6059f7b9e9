// Package migrations holds the database schema as goose SQL files,
// embedded so the binary carries its own schema.
package migrations

import "embed"

// FS holds every migration, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
