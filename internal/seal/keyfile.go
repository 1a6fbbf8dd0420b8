package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// LoadOrCreateKeyFile returns the master key kept in the file at path, one
// base64 line. If the file does not exist it creates it with KeySize random
// bytes, mode 0600, creating missing parent directories with mode 0700, and
// reports created. Creation is exclusive (O_EXCL): when two processes race,
// one creates the key and the other reads it.
//
// A key file that group or others may read is refused; the error says to
// run chmod 600 on it.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key, err = createKeyFile(path)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it between our read and our create; it
		// may not have written the key yet.
		key, err = readKeyFileSoon(path, 2*time.Second)
		return key, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// readKeyFile reads and parses an existing key file, checking its mode.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("master key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has mode %04o, readable by others; run: chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, nil
}

// readKeyFileSoon retries readKeyFile while a racing creator finishes
// writing, up to wait.
func readKeyFileSoon(path string, wait time.Duration) ([]byte, error) {
	deadline := time.Now().Add(wait)
	for {
		key, err := readKeyFile(path)
		if err == nil || time.Now().After(deadline) {
			return key, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// createKeyFile makes a new random key and writes it to path, which must not
// exist; the error wraps fs.ErrExist if it does.
func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("master key file: create directory: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("master key file: read random key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	if err := writeKey(f, key); err != nil {
		// Leave no empty or partial key file behind to fail the next start.
		os.Remove(path)
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, nil
}

// writeKey writes key as one base64 line to f, syncs and closes it.
func writeKey(f *os.File, key []byte) error {
	_, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
