package migration

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	ms, err := Load(fstest.MapFS{
		"m/0010_later.sql":  file("B"),
		"m/0002_second.sql": file("A2"),
		"m/0001_first.sql":  file("A1"),
	}, "m")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, m := range ms {
		got = append(got, m.Version)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 10 || ms[0].SQL != "A1" || ms[0].Name != "0001_first.sql" {
		t.Errorf("Load = %+v", ms)
	}

	for name, fsys := range map[string]fstest.MapFS{
		"duplicate": {"m/0001_a.sql": file(""), "m/1_b.sql": file("")},
		"bad name":  {"m/first.sql": file("")},
		"zero":      {"m/0000_a.sql": file("")},
		"not sql":   {"m/0001_a.txt": file("")},
		"missing":   {},
	} {
		if _, err := Load(fsys, "m"); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
}
