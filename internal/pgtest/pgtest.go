// Package pgtest starts a real PostgreSQL server for tests: Debian's
// postgresql package (initdb and postgres from /usr/lib/postgresql/N/bin),
// initialised in a temporary directory and listening on 127.0.0.1 at a free
// port. One server serves a whole test binary; every caller of NewDatabase
// gets a database of its own on it.
//
// PostgreSQL refuses to run as root, and CI runs as root: there the server
// runs as the postgres account the package creates. It dies with the test
// binary (parent-death signal), and Main removes its directory.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// InstallHint says how to get the server binaries.
const InstallHint = "install Debian's PostgreSQL server: apt-get install -y postgresql " +
	"(or set WAYMARK_TEST_PG_BIN to a directory holding initdb and postgres)"

var (
	once    sync.Once
	srv     *server
	srvErr  error
	counter atomic.Int64
)

type server struct {
	dir    string
	port   int
	proc   *os.Process
	exited chan error
}

// Main runs the tests of a package and then stops the server, if one was
// started, and removes its files. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the server and removes its directory.
func Stop() {
	if srv == nil {
		return
	}
	_ = srv.proc.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-srv.exited:
	case <-time.After(30 * time.Second):
		_ = srv.proc.Kill()
		<-srv.exited
	}
	// A server process that is still exiting may write a last file while
	// the directory goes; try again until it is gone.
	for range 50 {
		if err := os.RemoveAll(srv.dir); err == nil {
			if _, err := os.Stat(srv.dir); os.IsNotExist(err) {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv = nil
}

// NewDatabase creates an empty database on the shared server and returns
// its URL. The test fails (never skips) when the server cannot start.
func NewDatabase(t testing.TB) string {
	t.Helper()
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		t.Fatalf("start PostgreSQL: %v", srvErr)
	}
	name := fmt.Sprintf("waymark_test_%d_%d", os.Getpid(), counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, srv.url("postgres"))
	if err != nil {
		t.Fatalf("connect to the test PostgreSQL server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return srv.url(name)
}

func (s *server) url(db string) string {
	return fmt.Sprintf("postgres://waymark@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// binDir finds initdb and postgres: WAYMARK_TEST_PG_BIN, or the newest
// /usr/lib/postgresql/N/bin.
func binDir() (string, error) {
	if d := os.Getenv("WAYMARK_TEST_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; " + InstallHint)
}

// account returns the credentials to run the server with: none when the
// test runs as an ordinary user, the postgres account when it runs as root.
func account() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses root, but there is no postgres account to run it as: %w; %s", err, InstallHint)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func start() (*server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			return nil, fmt.Errorf("%s missing: %w; %s", name, err, InstallHint)
		}
	}
	cred, err := account()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "waymark-pgtest-")
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	fail := func(err error) (*server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "waymark", "--auth=trust",
		"--encoding=UTF8", "--no-locale", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	args := []string{"-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-k", dir, // the Unix socket goes beside the data, not in /var/run
		"-c", "max_connections=200"}
	if os.Getenv("WAYMARK_TEST_PG_DURABLE") == "" {
		// Tests survive a killed process without these; only a crash of
		// the machine would need them. Benchmarks set
		// WAYMARK_TEST_PG_DURABLE=1 to measure with PostgreSQL's defaults.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s := &server{dir: dir, port: port, proc: cmd.Process, exited: exited}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return s, nil
		}
		select {
		case werr := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			return fail(fmt.Errorf("postgres exited at start: %v\n%s", werr, log))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			return fail(fmt.Errorf("postgres did not accept connections within 60s: %v\n%s", err, log))
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
