package limits_test

import (
	"errors"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/tenant"
)

func TestWindowOf(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	plus2 := time.FixedZone("UTC+2", 2*3600)
	tests := []struct {
		period     tenant.Period
		at         time.Time
		id         string
		start, end time.Time
	}{
		{tenant.Day, utc(2031, 7, 15, 23), "d20310715", utc(2031, 7, 15, 0), utc(2031, 7, 16, 0)},
		// 01:00 at UTC+2 is still the previous day in UTC.
		{tenant.Day, time.Date(2031, 7, 16, 1, 0, 0, 0, plus2), "d20310715", utc(2031, 7, 15, 0), utc(2031, 7, 16, 0)},
		{tenant.Week, utc(2031, 7, 20, 23), "w20310714", utc(2031, 7, 14, 0), utc(2031, 7, 21, 0)}, // Sunday
		{tenant.Week, utc(2031, 7, 21, 0), "w20310721", utc(2031, 7, 21, 0), utc(2031, 7, 28, 0)},  // Monday
		{tenant.Week, utc(2031, 1, 1, 12), "w20301230", utc(2030, 12, 30, 0), utc(2031, 1, 6, 0)},  // across New Year
		{tenant.Month, utc(2031, 12, 31, 23), "m203112", utc(2031, 12, 1, 0), utc(2032, 1, 1, 0)},
		{tenant.Month, utc(2032, 2, 29, 0), "m203202", utc(2032, 2, 1, 0), utc(2032, 3, 1, 0)},
		{tenant.Total, utc(2031, 7, 15, 0), "total", time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		w, err := limits.WindowOf(tt.period, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		want := limits.Window{Period: tt.period, ID: tt.id, Start: tt.start, End: tt.end}
		if w != want {
			t.Errorf("WindowOf(%s, %v) = %+v, want %+v", tt.period, tt.at, w, want)
		}
	}
	if _, err := limits.WindowOf("year", time.Now()); !errors.Is(err, limits.ErrInvalid) {
		t.Errorf("unknown period: %v, want ErrInvalid", err)
	}
}
