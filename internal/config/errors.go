package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a configuration file. Line and Column are 1-based;
// Column is 0 when the parser reports only a line.
type Pos struct {
	File         string
	Line, Column int
}

// String renders "file:line:col", or "file:line" without a column.
func (p Pos) String() string {
	if p.Column == 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is one finding about a configuration file: where, which field
// (a path such as "model_list[2].rpm"; "" for the file as a whole) and what
// is wrong. Messages never contain secret values.
type Error struct {
	Pos   Pos
	Field string
	Msg   string
}

// Error renders "file:line:col: field: msg".
func (e *Error) Error() string {
	if e.Field == "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Pos.String() + ": " + e.Field + ": " + e.Msg
}

// Errors is every error found in one file, in file order. Load and Parse
// return all of them, not just the first, so one edit can fix them all.
type Errors []*Error

// Error renders one error per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find an individual *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sortByPos orders findings as they appear in the file; the walk visits
// sections in a fixed order that is not always file order.
func sortByPos(es []*Error) {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
}
