package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/dmn"
	"github.com/waymark-bpm/waymark/internal/engine/scenario"
	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/secrets"
	"github.com/waymark-bpm/waymark/internal/web"
)

// connectorCommands adapts the connector registry to the operator list the
// modeler's service-task picker reads (internal/web does not import
// internal/connectors).
type connectorCommands struct {
	reg *connectors.Registry
}

// Commands passes the registry's answer on whole: when the connector proxy
// fails, the built-in operators come back together with the error.
func (c connectorCommands) Commands(ctx context.Context) ([]web.ConnectorCommand, error) {
	cmds, err := c.reg.Commands(ctx)
	out := make([]web.ConnectorCommand, 0, len(cmds))
	for _, cmd := range cmds {
		wc := web.ConnectorCommand{ID: cmd.ID, Parameters: make([]web.ConnectorParam, 0, len(cmd.Parameters))}
		for _, p := range cmd.Parameters {
			wc.Parameters = append(wc.Parameters, web.ConnectorParam{ID: p.ID, Type: p.Type, Required: p.Required})
		}
		out = append(out, wc)
	}
	return out, err
}

// typeahead adapts the registry's connector-proxy typeahead to the task
// forms' endpoint.
type typeahead struct {
	reg *connectors.Registry
}

func (t typeahead) Typeahead(ctx context.Context, category, prefix string, limit int) (json.RawMessage, error) {
	out, err := t.reg.Typeahead(ctx, category, prefix, limit)
	if errors.Is(err, connectors.ErrNoProxy) {
		return nil, web.ErrNoTypeahead
	}
	return out, err
}

// scriptChecker parses scripts and expressions with the engine's script
// package, as the engine will when the model runs.
type scriptChecker struct{}

func (scriptChecker) CheckScript(kind, src string) web.ScriptCheck {
	var err error
	if kind == "expression" {
		_, err = script.CompileExpr("expression", src)
	} else {
		_, err = script.Compile("script", src)
	}
	if err == nil {
		return web.ScriptCheck{OK: true}
	}
	var se *script.Error
	if errors.As(err, &se) {
		return web.ScriptCheck{Line: se.Line, Message: se.Msg}
	}
	return web.ScriptCheck{Message: err.Error()}
}

// decisionTrier evaluates a model's decision tables with the engine's dmn
// package for the "test this table" panel.
type decisionTrier struct{ repo *models.Repo }

func (t decisionTrier) TryDecision(modelID, file, decisionID string, inputs []string) (web.DecisionTrial, error) {
	d, err := t.repo.FileDecision(modelID, file, decisionID)
	if err != nil {
		return web.DecisionTrial{}, err
	}
	return tryDecision(d, inputs)
}

func (t decisionTrier) TryDecisionXML(name string, xml []byte, decisionID string, inputs []string) (web.DecisionTrial, error) {
	ds, err := dmn.Parse(name, xml)
	if err != nil {
		return web.DecisionTrial{}, fmt.Errorf("%w: %v", web.ErrTrial, err)
	}
	for _, d := range ds {
		if d.ID == decisionID {
			return tryDecision(d, inputs)
		}
	}
	return web.DecisionTrial{}, fmt.Errorf("%w: the document has no decision %q", web.ErrTrial, decisionID)
}

func tryDecision(d *dmn.Decision, inputs []string) (web.DecisionTrial, error) {
	var err error
	if len(inputs) != len(d.Inputs) {
		return web.DecisionTrial{}, fmt.Errorf("%w: the table has %d inputs and the form sent %d values (reload the page)", web.ErrTrial, len(d.Inputs), len(inputs))
	}
	values := make([]any, len(inputs))
	for i, in := range d.Inputs {
		if values[i], err = in.ParseValue(inputs[i]); err != nil {
			return web.DecisionTrial{}, fmt.Errorf("%w: %v", web.ErrTrial, err)
		}
	}
	trial, err := d.Try(&script.Env{}, values)
	if err != nil {
		return web.DecisionTrial{}, fmt.Errorf("%w: %v", web.ErrTrial, err)
	}
	out := web.DecisionTrial{}
	for _, i := range trial.Matched {
		out.Hits = append(out.Hits, d.Rules[i].Row)
		out.HitIDs = append(out.HitIDs, d.Rules[i].ID)
	}
	for _, i := range trial.Used {
		out.Used = append(out.Used, d.Rules[i].Row)
		out.UsedIDs = append(out.UsedIDs, d.Rules[i].ID)
	}
	for _, e := range trial.Unchecked {
		out.Unchecked = append(out.Unchecked, e.Error())
	}
	b, err := json.MarshalIndent(trial.Result, "", "  ")
	if err != nil {
		return web.DecisionTrial{}, fmt.Errorf("%w: the outputs cannot be shown as JSON: %v", web.ErrTrial, err)
	}
	out.Result = string(b)
	return out, nil
}

// scriptTester runs script unit tests with the engine for the modeler's
// panel, on the machine's clock as SpiffArena's runner does.
type scriptTester struct{}

func (scriptTester) RunScriptUnitTests(source string, tests []web.ScriptUnitTest) []web.ScriptUnitTestResult {
	in := make([]engine.UnitTest, len(tests))
	for i, t := range tests {
		in[i] = engine.UnitTest{ID: t.ID, InputJSON: t.InputJSON, ExpectedOutputJSON: t.ExpectedOutputJSON}
	}
	out := []web.ScriptUnitTestResult{}
	for _, r := range engine.RunScriptUnitTests(&script.Env{Now: time.Now}, source, in) {
		out = append(out, web.ScriptUnitTestResult{ID: r.TestID, Passed: r.Passed, Error: r.Error, Diffs: r.Diffs})
	}
	return out
}

// sandbox replays a test run of the diagram in the editor with the engine's
// scenario runner: in memory, on a virtual clock, nothing stored. The DMN
// files of the diagram's model come along, so business rule tasks find
// their decisions.
type sandbox struct {
	repo *models.Repo
	// conn and secrets make the real calls of a run that allows them.
	conn    runner.Connector
	secrets *secrets.Secrets
}

// liveCallTimeout bounds one real connector call of a test run.
const liveCallTimeout = 30 * time.Second

// live calls the real connector for a test run, with SPIFF_SECRET
// references resolved for the call only and their values taken out of
// what comes back, as the runner's service workers do.
func (sb sandbox) live(model string) func(scenario.ServiceCall) (any, error) {
	return func(c scenario.ServiceCall) (any, error) {
		ctx, cancel := context.WithTimeout(context.Background(), liveCallTimeout)
		defer cancel()
		params := c.Params
		var resolved secrets.Resolved
		if sb.secrets != nil {
			var err error
			if resolved, err = sb.secrets.Resolve(ctx, params); err != nil {
				return nil, fmt.Errorf("parameters of %s: %v", c.Operator, err)
			}
			params, _ = resolved.Value.(map[string]any)
		}
		res, err := sb.conn.Do(ctx, connectors.Call{Operator: c.Operator, Params: params, ModelID: model, TaskID: c.Task})
		if err != nil {
			return nil, errors.New(resolved.Redact(err.Error()))
		}
		if res.Pending {
			return nil, fmt.Errorf("operator %s answers later by callback, which a test run cannot wait for; record its response instead", c.Operator)
		}
		return resolved.RedactValue(res.Value()), nil
	}
}

func (sb sandbox) RunSandbox(run web.SandboxRun) (any, error) {
	file := run.File
	if file == "" {
		file = "diagram.bpmn"
	}
	files := map[string][]byte{file: []byte(run.XML)}
	sc := &scenario.Scenario{Files: []string{file}, Process: run.Process, StartTime: run.StartTime, Data: run.Data, Services: run.Services}
	if m, err := sb.repo.Model(run.Model); err == nil && run.Model != "" {
		for _, f := range m.Files {
			if f.Type != "dmn" || f.Name == file {
				continue
			}
			data, err := sb.repo.ReadFile(run.Model, f.Name)
			if err != nil {
				return nil, err
			}
			files[f.Name] = data
			sc.Files = append(sc.Files, f.Name)
		}
	}
	for i, raw := range run.Steps {
		var st scenario.Step
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&st); err != nil {
			return nil, fmt.Errorf("%w: step %d: %v", web.ErrSandbox, i+1, err)
		}
		sc.Steps = append(sc.Steps, st)
	}
	var opts scenario.Options
	if run.LiveServices && sb.conn != nil {
		opts.Live = sb.live(run.Model)
	}
	res, err := sc.RunFiles(files, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", web.ErrSandbox, err)
	}
	return res, nil
}
