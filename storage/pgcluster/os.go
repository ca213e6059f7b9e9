package pgcluster

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// runAs is the unprivileged user the server runs as when we are root.
type runAs struct {
	name     string
	uid, gid uint32
}

// clusterUser returns the user to run the server as: nil (ourselves) unless
// we are root, which PostgreSQL refuses to run as.
func clusterUser() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &runAs{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
		}
	}
	return nil, errors.New("running as root, and neither user postgres nor nobody exists to run the server as")
}

// prepareDataDir creates the data directory for the server's user, with
// the 0700 mode PostgreSQL insists on, and checks that user can reach it.
func prepareDataDir(dir string, cred *runAs) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return nil // initialised: postgres checks owner and mode itself
	}
	if cred == nil {
		return os.Chmod(dir, 0o700)
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		st, perm := fi.Sys().(*syscall.Stat_t), fi.Mode().Perm()
		// The server runs without supplementary groups, so these bits decide.
		if !(st.Uid == cred.uid && perm&0o100 != 0 || st.Uid != cred.uid && st.Gid == cred.gid && perm&0o010 != 0 ||
			st.Uid != cred.uid && st.Gid != cred.gid && perm&0o001 != 0) {
			return fmt.Errorf("directory %s is not searchable by user %s, who runs the server: allow it (e.g. chmod o+x %s) or choose another data directory", d, cred.name, d)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := os.Chown(dir, int(cred.uid), int(cred.gid)); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// socketDir picks where the server puts its socket: the data directory when
// the socket's path fits in a socket address, else a private directory
// under /tmp named by a hash of the data directory, so restarts reuse it.
func socketDir(dataDir string, cred *runAs) (dir string, tmp bool, err error) {
	if len(dataDir)+len("/.s.PGSQL."+clusterPort) <= maxSocketPath {
		return dataDir, false, nil
	}
	sum := sha256.Sum256([]byte(dataDir))
	dir = "/tmp/consult-" + hex.EncodeToString(sum[:8])
	owner := os.Geteuid()
	if cred != nil {
		owner = int(cred.uid)
	}
	if err := os.Mkdir(dir, 0o700); err == nil {
		if err := os.Chown(dir, owner, -1); err != nil {
			return "", false, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return "", false, err
	}
	// /tmp is shared: refuse a directory (or symlink) someone else planted.
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", false, err
	}
	if st := fi.Sys().(*syscall.Stat_t); !fi.IsDir() || int(st.Uid) != owner || fi.Mode().Perm() != 0o700 {
		return "", false, fmt.Errorf("socket directory %s is not a 0700 directory owned by uid %d", dir, owner)
	}
	return dir, true, nil
}

// findServer returns the paths of initdb and postgres: those of the data
// directory's major version if installed, else those on PATH, else the
// highest version under serverBinGlob.
func findServer(dataDir string) ([2]string, error) {
	var cands [][2]string
	binDir := func(d string) [2]string { return [2]string{filepath.Join(d, "initdb"), filepath.Join(d, "postgres")} }
	if v, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		cands = append(cands, binDir(strings.Replace(serverBinGlob, "*", strings.TrimSpace(string(v)), 1)))
	}
	initdb, err1 := exec.LookPath("initdb")
	postgres, err2 := exec.LookPath("postgres")
	if err1 == nil && err2 == nil {
		cands = append(cands, [2]string{initdb, postgres})
	}
	dirs, _ := filepath.Glob(serverBinGlob)
	version := func(d string) float64 { v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64); return v }
	slices.SortFunc(dirs, func(a, b string) int { return cmp.Compare(version(b), version(a)) })
	for _, d := range dirs {
		cands = append(cands, binDir(d))
	}
	for _, c := range cands {
		if isExecutable(c[0]) && isExecutable(c[1]) {
			return c, nil
		}
	}
	return [2]string{}, ErrNoServer
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// command prepares a server program run as cred with output to out. It
// starts in / because root's working directory may be closed to cred, and
// without PG* variables, which would change the port or data directory.
func command(path string, cred *runAs, out io.Writer, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = "/", out, out
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if cred != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: cred.uid, Gid: cred.gid, Groups: []uint32{}}
	}
	return cmd
}

// ping reports whether the server accepts connections at url.
func ping(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// logTail returns the end of what the server logged since offset from, to
// put in an error message.
func logTail(path string, from int64) string {
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) <= from {
		return ""
	}
	b = b[from:]
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return "\nserver log (" + path + "):\n" + strings.TrimSpace(string(b))
}

// flock takes an exclusive lock on f, giving up when ctx ends.
func flock(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
