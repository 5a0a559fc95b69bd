package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/kevydb/kevy/internal/command"
)

// paramDirective is a directive of the configuration file that sets a
// CONFIG parameter of the database (hash-max-listpack-entries...): serve
// applies it with CONFIG SET once the database is open.
type paramDirective struct {
	line        int
	name, value string
}

// applyConfigFile reads the redis.conf-style file at path and sets the
// flags of fset it names, except those already given on the command line.
// The other directives are returned, to be applied to the database as
// CONFIG parameters (applyParamDirectives), which checks their names and
// values.
func applyConfigFile(fset *flag.FlagSet, path string) ([]paramDirective, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("serve: --config: %w", err)
	}
	var params []paramDirective
	given := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { given[f.Name] = true })
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		fail := func(msg string) error { return fmt.Errorf("serve: %s:%d: %s", path, line, msg) }
		args, err := splitConfigLine(sc.Text())
		if err != nil {
			return nil, fail(err.Error())
		}
		if len(args) == 0 {
			continue
		}
		name := strings.ToLower(args[0])
		ok := slices.Contains(serveDirectives, name) // a flag of the same name
		switch {
		case !ok && len(args) >= 2:
			// A CONFIG parameter: several words are one value, as CONFIG
			// REWRITE writes client-output-buffer-limit.
			params = append(params, paramDirective{line: line, name: args[0], value: strings.Join(args[1:], " ")})
			continue
		case !ok:
			return nil, fail(fmt.Sprintf("unknown directive %q or wrong number of arguments", args[0]))
		case len(args) < 2 || (name != "bind" && len(args) != 2):
			return nil, fail(fmt.Sprintf("wrong number of arguments for %q", args[0]))
		}
		val := strings.Join(args[1:], " ")
		switch name {
		case "appendonly":
			b, err := parseYesNo(val)
			if err != nil {
				return nil, fail("appendonly: " + err.Error())
			}
			val = strconv.FormatBool(b)
		case "timeout":
			if _, err := strconv.ParseUint(val, 10, 31); err != nil {
				return nil, fail("timeout: want a number of seconds, got " + strconv.Quote(val))
			}
			val += "s"
		}
		if given[name] {
			continue
		}
		if err := fset.Set(name, val); err != nil {
			return nil, fail(fmt.Sprintf("%s: %v", name, err))
		}
	}
	return params, sc.Err()
}

// paramSetter applies one CONFIG parameter (CONFIG SET name value) and
// returns Redis's error reply, if any.
type paramSetter func(name, value string) error

// applyParamDirectives applies the file's CONFIG parameters with set, in
// file order. An unknown name is reported as an unknown directive, a bad
// value with the reason CONFIG SET gives, both with the file and line.
func applyParamDirectives(path string, params []paramDirective, set paramSetter) error {
	for _, p := range params {
		err := set(p.name, p.value)
		if err == nil {
			continue
		}
		msg := err.Error()
		switch {
		case strings.Contains(msg, "Unknown option"):
			msg = fmt.Sprintf("unknown directive %q", p.name)
		case strings.Contains(msg, ") - "):
			_, why, _ := strings.Cut(msg, ") - ")
			msg = strings.ToLower(p.name) + ": " + why
		}
		return fmt.Errorf("serve: %s:%d: %s", path, p.line, msg)
	}
	return nil
}

// splitConfigLine splits a config line into arguments the way redis.conf
// does: blanks separate them, "double quotes" allow escapes (\n, \t, \",
// \\, \xHH), 'single quotes' only \', and a # starting an argument begins
// a comment.
func splitConfigLine(s string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i >= len(s) || s[i] == '#' {
			return args, nil
		}
		var b strings.Builder
		switch q := s[i]; q {
		case '"', '\'':
			i++
			closed := false
			for i < len(s) && !closed {
				c := s[i]
				switch {
				case c == q:
					closed = true
				case c == '\\' && i+1 < len(s) && q == '"':
					i++
					switch e := s[i]; e {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case 'x':
						if i+2 < len(s) {
							if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
								b.WriteByte(byte(v))
								i += 2
								break
							}
						}
						b.WriteByte('x')
					default:
						b.WriteByte(e)
					}
				case c == '\\' && i+1 < len(s) && s[i+1] == '\'' && q == '\'':
					i++
					b.WriteByte('\'')
				default:
					b.WriteByte(c)
				}
				i++
			}
			if !closed {
				return nil, errors.New("unbalanced quotes")
			}
			if i < len(s) && s[i] != ' ' && s[i] != '\t' {
				return nil, errors.New("closing quote must be followed by a space")
			}
		default:
			for i < len(s) && s[i] != ' ' && s[i] != '\t' {
				b.WriteByte(s[i])
				i++
			}
		}
		args = append(args, b.String())
	}
}

// parseYesNo reads Redis's yes/no booleans.
func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("want yes or no, got %q", s)
}

// parseMemory reads a byte count with Redis's units, case-insensitively
// (k=1000, kb=1024, m=1000², mb=1024², g=1000³, gb=1024³), as CONFIG SET
// maxmemory does (command.ParseMemory), but stricter for a command line:
// the number must be there, and the product fit in an int64 (Redis's
// parser lets it wrap around).
func parseMemory(s string) (int64, error) {
	l := strings.TrimSpace(s)
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	n, okN := command.ParseMemory(l[:i])
	unit, okU := command.ParseMemory("1" + l[i:])
	if i == 0 || !okN || !okU || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("invalid memory size %q", s)
	}
	return int64(n * unit), nil
}
