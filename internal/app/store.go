package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
)

// MasterKeySource says where the master key came from, which decides how
// `keygate keys rotate-master` replaces it.
type MasterKeySource struct {
	File string // the key file, when the key came from one
	Env  bool   // the key came from master_key / KEYGATE_MASTER_KEY
}

// KeyFilePath is where the master key file lives when no key is configured:
// $KEYGATE_MASTER_KEY_FILE, else keygate.key beside the SQLite database, else
// ./keygate.key.
func KeyFilePath(cfg *config.Config) string {
	if p := os.Getenv("KEYGATE_MASTER_KEY_FILE"); p != "" {
		return p
	}
	if path, ok := strings.CutPrefix(cfg.Database, "sqlite://"); ok && path != "" && !strings.HasPrefix(path, ":memory:") {
		return filepath.Join(filepath.Dir(path), "keygate.key")
	}
	return "keygate.key"
}

// MasterKey returns the master key: the config's master_key (usually
// ${KEYGATE_MASTER_KEY}), else $KEYGATE_MASTER_KEY, else the key file,
// created with a fresh random key on first use.
func MasterKey(cfg *config.Config, log *slog.Logger) ([]byte, MasterKeySource, error) {
	raw := cfg.MasterKey.Reveal()
	if raw == "" {
		raw = os.Getenv("KEYGATE_MASTER_KEY")
	}
	if raw != "" {
		k, err := seal.ParseKey(raw)
		if err != nil {
			return nil, MasterKeySource{}, fmt.Errorf("master key (master_key / KEYGATE_MASTER_KEY): %w", err)
		}
		return k, MasterKeySource{Env: true}, nil
	}
	path := KeyFilePath(cfg)
	k, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, MasterKeySource{}, fmt.Errorf("master key file %s: %w", path, err)
	}
	if created {
		log.Warn("generated a new master key: back this file up; without it the stored provider keys cannot be read", "file", path)
	}
	return k, MasterKeySource{File: path}, nil
}

// OpenStore opens the configured database with the master key.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (store.DB, MasterKeySource, error) {
	key, src, err := MasterKey(cfg, log)
	if err != nil {
		return nil, src, err
	}
	s, err := seal.New(key)
	if err != nil {
		return nil, src, err
	}
	st, err := store.Open(ctx, cfg.Database, s)
	if err != nil {
		return nil, src, fmt.Errorf("open the database %s: %w", secret.RedactURL(cfg.Database), err)
	}
	return st, src, nil
}
