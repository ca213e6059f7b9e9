package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a server process the bench started: the consult binary or the
// baseline server. Its log is read as it is written, so the pipe never
// fills, and only what the report needs is kept.
type proc struct {
	name    string
	cmd     *exec.Cmd
	url     string // http://127.0.0.1:port
	started time.Time

	exited  chan struct{}
	waitErr error

	mu          sync.Mutex
	readyAfter  time.Duration // from the "serving" log line; -1 until seen
	errorLines  int           // log lines at level ERROR
	tail        []string      // the last log lines, for error messages
	logFinished chan struct{}
}

// startProc starts bin with args and the environment env (added to this
// process's, less the variables the bench sets itself) on a free loopback
// port, passed as LISTEN_ADDR and BASE_URL.
func startProc(name, bin string, args, env []string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, args...)
	set := append([]string{"LISTEN_ADDR=" + addr, "BASE_URL=http://" + addr}, env...)
	cmd.Env = mergeEnv(os.Environ(), set)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, url: "http://" + addr, exited: make(chan struct{}),
		readyAfter: -1, logFinished: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go p.readLog(stderr)
	go func() {
		<-p.logFinished
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// mergeEnv returns base with the names in set replaced, and DATABASE_URL
// removed: the service must start its own embedded cluster.
func mergeEnv(base, set []string) []string {
	drop := map[string]bool{"DATABASE_URL": true, "DATABASE_URL_FILE": true}
	for _, kv := range set {
		drop[strings.SplitN(kv, "=", 2)[0]] = true
	}
	var out []string
	for _, kv := range base {
		if !drop[strings.SplitN(kv, "=", 2)[0]] {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

// readLog scans the JSON log: the "serving" line's ready_after_ms, the
// number of ERROR lines, and the last lines for error messages.
func (p *proc) readLog(r io.Reader) {
	defer close(p.logFinished)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		p.mu.Lock()
		if bytes.Contains(line, []byte(`"level":"ERROR"`)) {
			p.errorLines++
		}
		if p.readyAfter < 0 && bytes.Contains(line, []byte(`"msg":"serving"`)) {
			var v struct {
				ReadyAfterMS float64 `json:"ready_after_ms"`
			}
			if json.Unmarshal(line, &v) == nil {
				p.readyAfter = time.Duration(v.ReadyAfterMS * float64(time.Millisecond))
			}
		}
		if len(p.tail) == 20 {
			p.tail = p.tail[1:]
		}
		p.tail = append(p.tail, string(line))
		p.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r)
}

// logged returns the server's own ready time and its count of ERROR lines.
func (p *proc) logged() (readyAfter time.Duration, errorLines int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readyAfter, p.errorLines
}

// logTail returns the last lines the process logged.
func (p *proc) logTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// waitReady polls path every 5 ms until it answers 200, and returns the
// time since the process was started.
func (p *proc) waitReady(ctx context.Context, path string, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		if resp, err := client.Get(p.url + path); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.started), nil
			}
		}
		select {
		case <-p.exited:
			return 0, fmt.Errorf("%s exited before it was ready: %v\n%s", p.name, p.waitErr, p.logTail())
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s not ready after %s\n%s", p.name, timeout, p.logTail())
		}
	}
}

// stop sends SIGTERM, as a service manager would, and waits for a clean
// exit; after 30 s it kills the process.
func (p *proc) stop() error {
	select {
	case <-p.exited:
		return p.waitErr
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not stop within 30 s after SIGTERM", p.name)
	}
}

// peakRSS returns the process's peak resident memory (VmHWM) in bytes.
func (p *proc) peakRSS() (int64, error) {
	return vmHWM(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
}

// vmHWM reads the VmHWM line of a /proc/<pid>/status file.
func vmHWM(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New(path + ": no VmHWM line")
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// clusterURL returns a URL for database "consult" on the embedded cluster
// in dataDir/postgres, reading the socket directory and port from
// postmaster.pid (lines 5 and 4) as the service itself does when it joins.
func clusterURL(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		return "", fmt.Errorf("embedded cluster: %w", err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 {
		return "", errors.New("embedded cluster: postmaster.pid is incomplete")
	}
	q := url.Values{"host": {strings.TrimSpace(lines[4])}, "port": {strings.TrimSpace(lines[3])}, "sslmode": {"disable"}}
	u := url.URL{Scheme: "postgres", User: url.User("consult"), Path: "/consult", RawQuery: q.Encode()}
	return u.String(), nil
}
