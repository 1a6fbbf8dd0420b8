package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/keygate/keygate/internal/secret"
)

// Load reads and parses the file at path, expanding environment references
// from the process environment. See Parse.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse parses a configuration file's contents; file names it in positions.
// lookupEnv resolves environment references (nil: no variable is set).
//
// On success it returns the Config and a nil error; Config.Warnings lists
// the non-fatal findings. Otherwise the error is an Errors holding every
// error found, in file order, and the returned Config is incomplete: only
// its File and Warnings are meaningful (so that "config check" can show
// both).
func Parse(file string, data []byte, lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	p := &parser{file: file, lookup: lookupEnv}
	cfg := Default()
	cfg.File = file
	if root := p.document(data); root != nil {
		p.top(cfg, root)
	}
	sortByPos(p.errs)
	sortByPos(p.warns)
	cfg.Warnings = p.warns
	if len(p.errs) > 0 {
		return cfg, Errors(p.errs)
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data into its top-level mapping; nil for an empty file
// or one that failed to parse (the failure is recorded).
func (p *parser) document(data []byte) *yaml.Node {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var shifts []colShift
	if isJSON(p.file, data) {
		norm, sh, e := normaliseJSON(data)
		if e != nil {
			e.Pos.File = p.file
			p.errs = append(p.errs, e)
			return nil
		}
		data, shifts = norm, sh
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		p.yamlError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errorf(&extra, "", "a second YAML document; keygate reads one document per file")
	} else if !errors.Is(err, io.EOF) {
		p.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	unshift(&doc, shifts)
	root := resolve(doc.Content[0])
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "", "expected a mapping of settings at the top level, got %s", describe(root, false))
		return nil
	}
	return root
}

// yamlError turns the parser's "yaml: line N: msg" into a positioned Error.
// The parser gives no column; a message without a line is put on line 1.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.errs = append(p.errs, &Error{Pos: Pos{File: p.file, Line: line}, Msg: "invalid YAML: " + msg})
}

// topLevel lists keygate's own top-level fields.
var topLevel = []string{
	"listen", "client_keys", "max_request_bytes", "request_timeout", "database", "redis",
	"master_key", "admin_token", "requirements", "model_list", "budgets_fail_open", "budget_alert",
}

// top reads the top-level mapping. keygate's own fields are read first so
// that they take precedence over the LiteLLM sections that map onto them.
func (p *parser) top(cfg *Config, root *yaml.Node) {
	fs, _ := p.fields(root, "")
	byName := map[string]field{}
	for _, f := range fs {
		byName[f.name] = f
	}
	if f, ok := byName["environment_variables"]; ok {
		p.environmentVariables(f)
	}
	set := map[string]bool{}
	var modelList *field
	for _, f := range fs {
		switch f.name {
		case "listen":
			if v := p.str(f); v != "" {
				if _, _, err := net.SplitHostPort(v); err != nil {
					p.errorf(resolve(f.val), f.path, "expected host:port, got %q", v)
				} else {
					cfg.Listen = v
				}
			}
		case "client_keys":
			for i, k := range p.list(f, true, false) {
				if k == "" {
					p.errorf(resolve(f.val), fmt.Sprintf("%s[%d]", f.path, i), "empty key")
					continue
				}
				cfg.ClientKeys = append(cfg.ClientKeys, secret.New(k))
			}
		case "max_request_bytes":
			if n, ok := p.integer(f); ok {
				if n == 0 {
					p.errorf(resolve(f.val), f.path, "must be positive, got 0")
				} else {
					cfg.MaxRequestBytes = n
				}
			}
		case "request_timeout":
			if d, ok := p.seconds(f); ok {
				cfg.RequestTimeout = d
			}
		case "database":
			if v := p.str(f); v != "" {
				cfg.Database = p.database(f, v)
			}
		case "redis":
			if v := p.str(f); v != "" {
				if u, err := url.Parse(v); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
					p.errorf(resolve(f.val), f.path, "expected a redis:// or rediss:// URL, got %q", secret.RedactURL(v))
				} else {
					cfg.Redis = v
				}
			}
		case "master_key":
			cfg.MasterKey = secret.New(p.secretStr(f))
		case "admin_token":
			cfg.AdminToken = secret.New(p.secretStr(f))
		case "requirements":
			p.requirements(cfg, f)
		case "budgets_fail_open":
			if on, ok := p.boolean(f); ok {
				cfg.BudgetsFailOpen = on
			}
		case "budget_alert":
			if x, ok := p.fraction(f); ok {
				cfg.BudgetAlert = x
			}
		case "model_list":
			modelList = &f
		case "litellm_settings", "router_settings", "general_settings", "environment_variables", "agents":
			// read below, after keygate's own fields
		default:
			if why, ok := litellmTopLevel[f.name]; ok {
				p.ignored(f, why)
			} else if why, ok := picoclawTopLevel[f.name]; ok {
				p.ignored(f, why)
			} else {
				p.unknown(f, topLevel)
			}
			continue
		}
		set[f.name] = true
	}
	fb := &fallbackSet{}
	if f, ok := byName["litellm_settings"]; ok {
		p.litellmSettings(cfg, f, set, fb)
	}
	if f, ok := byName["router_settings"]; ok {
		p.routerSettings(cfg, f, set, fb)
	}
	if f, ok := byName["general_settings"]; ok {
		p.generalSettings(cfg, f, set)
	}
	if f, ok := byName["agents"]; ok {
		p.picoclawAgents(f, fb)
	}
	declared, skipped := map[string]bool{}, map[string]bool{}
	if modelList != nil {
		p.modelList(cfg, *modelList, fb, declared, skipped)
	}
	p.resolveFallbacks(cfg, fb, declared, skipped)
}

// database checks the scheme of a database URL.
func (p *parser) database(f field, v string) string {
	u, err := url.Parse(v)
	if err != nil {
		p.errorf(resolve(f.val), f.path, "expected a sqlite:// or postgres:// URL, got %q", secret.RedactURL(v))
		return DefaultDatabase
	}
	switch u.Scheme {
	case "sqlite", "postgres", "postgresql":
		return v
	}
	p.errorf(resolve(f.val), f.path, "expected a sqlite:// or postgres:// URL, got %q", secret.RedactURL(v))
	return DefaultDatabase
}

func (p *parser) requirements(cfg *Config, f field) {
	for i, item := range p.sequence(f) {
		path := fmt.Sprintf("%s[%d]", f.path, i)
		fs, ok := p.fields(item, path)
		if !ok {
			continue
		}
		var r Requirement
		for _, g := range fs {
			switch g.name {
			case "model":
				r.Model = p.str(g)
			case "rpm":
				n, _ := p.integer(g)
				r.RPM = int(min(n, maxInt))
			case "tpm":
				n, _ := p.integer(g)
				r.TPM = int(min(n, maxInt))
			default:
				p.unknown(g, []string{"model", "rpm", "tpm"})
			}
		}
		if r.Model == "" {
			p.errorf(resolve(item), path+".model", "required")
			continue
		}
		cfg.Requirements = append(cfg.Requirements, r)
	}
}

const maxInt = int64(^uint(0) >> 1)
