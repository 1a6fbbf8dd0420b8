package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/store"
)

// serving is one `keygate serve` run inside the test process, started
// through newRootCmd as the binary would be.
type serving struct {
	URL  string // base URL, ending in /v1
	logs *serveLogs
	stop context.CancelFunc // what SIGINT or SIGTERM does to main's context
	done chan error         // serve's result
}

// startServe runs `keygate --config cfgPath serve --listen 127.0.0.1:0`
// and waits until it has announced its address.
func startServe(t *testing.T, cfgPath string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{logs: newServeLogs(), stop: cancel, done: make(chan error, 1)}
	cmd := newRootCmd()
	// JSON logs at info: the "keygate listening" line carries the port the
	// kernel chose.
	cmd.SetArgs([]string{"--config", cfgPath, "serve", "--listen", "127.0.0.1:0",
		"--log-level", "info", "--log-format", "json", "--shutdown-timeout", "30s"})
	cmd.SetIn(strings.NewReader(""))
	cmd.SetOut(io.Discard)
	cmd.SetErr(s.logs)
	go func() { s.done <- cmd.ExecuteContext(ctx) }()
	select {
	case s.URL = <-s.logs.url:
	case err := <-s.done:
		cancel()
		t.Fatalf("serve returned before listening: %v\n%s", err, s.logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not announce its address within 30s\n%s", s.logs)
	}
	return s
}

// shutdown cancels serve's context and waits for it to return.
func (s *serving) shutdown(t *testing.T) {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve: %v\n%s", err, s.logs)
		}
	case <-time.After(time.Minute):
		t.Fatalf("serve did not return within a minute of its context ending\n%s", s.logs)
	}
}

// serveLogs is serve's stderr: it picks the listening URL out of the JSON
// log and keeps every line above info, for failure messages. slog writes
// one whole line per Write.
type serveLogs struct {
	url  chan string
	mu   sync.Mutex
	kept bytes.Buffer
}

func newServeLogs() *serveLogs { return &serveLogs{url: make(chan string, 1)} }

func (l *serveLogs) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(p))
	sc.Buffer(nil, len(p)+1)
	for sc.Scan() {
		line := sc.Bytes()
		switch lv := gjson.GetBytes(line, "level").String(); {
		case gjson.GetBytes(line, "msg").String() == "keygate listening":
			select {
			case l.url <- gjson.GetBytes(line, "url").String():
			default:
			}
		case lv == "INFO" || lv == "DEBUG":
		default:
			l.mu.Lock()
			l.kept.Write(line)
			l.kept.WriteByte('\n')
			l.mu.Unlock()
		}
	}
	return len(p), nil
}

func (l *serveLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return "serve's warnings and errors:\n" + l.kept.String()
}

// ledgerIDs returns the request id of every usage row in database, with
// how many rows carry it.
func ledgerIDs(t *testing.T, database string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Both stores through database/sql: the driver store/sqlite registers,
	// or pgx's.
	driver, dsn := "sqlite", ""
	if strings.HasPrefix(database, "sqlite:") {
		path, err := store.SQLitePath(database)
		if err != nil {
			t.Fatal(err)
		}
		dsn = path
	} else {
		driver, dsn = "pgx", searchPathDSN(t, database)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT request_id FROM usage`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// searchPathDSN turns keygate's schema=NAME parameter, which the server
// would refuse, into search_path=NAME for a plain pgx connection.
func searchPathDSN(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("schema")
	if schema == "" {
		t.Fatal("postgres test DSN without a schema parameter")
	}
	q.Del("schema")
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
