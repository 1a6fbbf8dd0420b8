// Package suggest finds the "did you mean" for a mistyped name: the config's
// field and vendor names, a request's model alias.
package suggest

import "strings"

// Closest returns the candidate nearest to name, ignoring case, or "" when
// none is close enough to be a likely typo: at most a third of name's length
// in edits, and between 1 and 3 ("api_bse" → "api_base", but "foo" does not
// become "rpm"). Ties go to the earlier candidate.
func Closest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	best, bestD := "", 0
	for _, c := range candidates {
		d := Distance(lname, strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(1, min(3, len(name)/3)) {
		return ""
	}
	return best
}

// Distance is the Levenshtein distance counting an adjacent transposition as
// one edit (optimal string alignment), on bytes.
func Distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
