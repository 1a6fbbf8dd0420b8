package admin

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/openai"
)

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate checks a credential before it is stored: a usable name, a known
// vendor, well-formed URLs and a key. The key's own format is verification's
// business (it reports the exact problem).
func Validate(c credential.Credential) *openai.Error {
	bad := func(param, msg string) *openai.Error {
		return openai.New(400, openai.TypeInvalidRequest, "invalid_"+param, msg).WithParam(param)
	}
	if !validName.MatchString(c.Name) {
		return bad("name", "The credential name \""+c.Name+"\" is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. openai-main).")
	}
	if _, ok := config.LookupVendor(c.Vendor); !ok {
		names := make([]string, 0, 8)
		for _, v := range config.Vendors() {
			names = append(names, v.Name)
		}
		return bad("vendor", "Unknown vendor \""+c.Vendor+"\". Known vendors: "+strings.Join(names, ", ")+".")
	}
	if c.Key.IsZero() {
		return bad("key", "The key is empty: paste the provider's API key.")
	}
	for param, raw := range map[string]string{"api_base": c.APIBase, "proxy": c.Proxy} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (param == "api_base" && u.Scheme != "http" && u.Scheme != "https") {
			return bad(param, "The "+param+" must be an absolute URL such as https://api.openai.com/v1.")
		}
		if param == "proxy" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5" && u.Scheme != "socks5h" {
			return bad(param, "The proxy scheme must be http, https, socks5 or socks5h.")
		}
	}
	return nil
}
