package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

func testProjectCRUD(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	want := sampleProject("web")
	want.CreatedAt = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC) // ignored
	before := time.Now().UTC().Truncate(time.Microsecond)
	mustProject(t, st, want)
	after := time.Now().UTC()

	got := mustGetProject(t, st, "web")
	if !reflect.DeepEqual(got.Models, want.Models) || got.Limits != want.Limits {
		t.Errorf("GetProject = %+v, want %+v", got, want)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(after) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want UTC between %v and %v", got.CreatedAt, before, after)
	}
	if !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("UpdatedAt = %v, want CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	}

	// No models and no limits: everything allowed, nothing limited.
	mustProject(t, st, tenant.Project{Name: "Batch"})
	if got := mustGetProject(t, st, "Batch"); got.Models != nil || got.Limits != (tenant.Limits{}) {
		t.Errorf("empty project reads back as %+v", got)
	}
	mustProject(t, st, tenant.Project{Name: "api", Models: []string{}})
	list, err := st.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list {
		names = append(names, p.Name)
	}
	if want := []string{"Batch", "api", "web"}; !reflect.DeepEqual(names, want) {
		t.Errorf("ListProjects = %q, want %q (byte order)", names, want)
	}
	if list[2].Limits != want.Limits || len(list[2].Models) != 2 {
		t.Errorf("ListProjects fields: %+v", list[2])
	}

	time.Sleep(2 * time.Millisecond)
	next := tenant.Project{Name: "web", Models: []string{"o3"}, Limits: tenant.Limits{Budget: 1, Period: tenant.Total}}
	if err := st.UpdateProject(ctx, next); err != nil {
		t.Fatal(err)
	}
	upd := mustGetProject(t, st, "web")
	if !reflect.DeepEqual(upd.Models, next.Models) || upd.Limits != next.Limits {
		t.Errorf("after update: %+v, want %+v", upd, next)
	}
	if !upd.CreatedAt.Equal(got.CreatedAt) || !upd.UpdatedAt.After(got.UpdatedAt) {
		t.Errorf("after update: CreatedAt %v (was %v), UpdatedAt %v (was %v)",
			upd.CreatedAt, got.CreatedAt, upd.UpdatedAt, got.UpdatedAt)
	}

	if err := st.DeleteProject(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	_, err = st.GetProject(ctx, "web")
	wantErr(t, "get deleted", err, tenant.ErrNotFound)
	wantErr(t, "delete twice", st.DeleteProject(ctx, "web"), tenant.ErrNotFound)
	mustProject(t, st, sampleProject("web")) // the name is free again
}

func testProjectErrors(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	orig := sampleProject("p")
	mustProject(t, st, orig)
	wantErr(t, "create twice", st.CreateProject(ctx, tenant.Project{Name: "p"}), tenant.ErrExists)
	if got := mustGetProject(t, st, "p"); got.Limits != orig.Limits {
		t.Error("a failed create changed the project")
	}
	for name, p := range map[string]tenant.Project{
		"no name":         {},
		"negative rpm":    {Name: "n", Limits: tenant.Limits{RPM: -1}},
		"negative budget": {Name: "n", Limits: tenant.Limits{Budget: -5}},
		"unknown period":  {Name: "n", Limits: tenant.Limits{Period: "year"}},
	} {
		if err := st.CreateProject(ctx, p); err == nil {
			t.Errorf("%s: CreateProject succeeded", name)
		}
		if p.Name != "" {
			p.Name = "p"
			if err := st.UpdateProject(ctx, p); err == nil {
				t.Errorf("%s: UpdateProject succeeded", name)
			}
		}
	}
	if got := mustGetProject(t, st, "p"); got.Limits != orig.Limits {
		t.Error("a refused update changed the project")
	}

	_, err := st.GetProject(ctx, "nope")
	wantErr(t, "GetProject", err, tenant.ErrNotFound)
	wantErr(t, "UpdateProject", st.UpdateProject(ctx, tenant.Project{Name: "nope"}), tenant.ErrNotFound)
	wantErr(t, "DeleteProject", st.DeleteProject(ctx, "nope"), tenant.ErrNotFound)
	if ps, err := st.ListProjects(ctx); err != nil || len(ps) != 1 {
		t.Errorf("ListProjects = %d projects, %v; want 1", len(ps), err)
	}
}

func testProjectDeleteWithKeys(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	mustProject(t, st, sampleProject("p"))
	k := sampleKey(t, "vk_1", "p")
	mustKey(t, st, k)

	err := st.DeleteProject(ctx, "p")
	wantErr(t, "delete with a key", err, tenant.ErrExists)
	if err == nil || !strings.Contains(err.Error(), "virtual key") {
		t.Errorf("error %v does not say the project has virtual keys", err)
	}
	mustGetProject(t, st, "p")

	// The schema refuses too, whoever deletes.
	if err := db.TryExec(t, `DELETE FROM projects WHERE name = 'p'`); err == nil {
		t.Error("a raw DELETE of a project with keys succeeded: no ON DELETE RESTRICT")
	}
	mustGetProject(t, st, "p")

	// A revoked key still holds the project; a deleted one does not.
	if err := st.RevokeVirtualKey(ctx, k.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete with a revoked key", st.DeleteProject(ctx, "p"), tenant.ErrExists)
	if err := st.DeleteVirtualKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteProject(ctx, "p"); err != nil {
		t.Fatalf("delete after deleting its keys: %v", err)
	}
}
