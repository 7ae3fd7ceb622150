package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestModelerOpensFittedBesidePalette: at two window sizes the modeler's
// canvas takes the window's height, and the diagram opens fitted in the
// part beside the palette: the pool (with its lane labels at its left
// edge) lies wholly inside the canvas, right of the palette. The
// toolbar's Fit does the same.
func TestModelerOpensFittedBesidePalette(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")

	type layout struct {
		WindowHeight                             float64
		CanvasTop, CanvasHeight                  float64
		CanvasLeft, CanvasRight, CanvasBottom    float64
		PaletteRight                             float64
		PoolLeft, PoolRight, PoolTop, PoolBottom float64
		ModelerBottom                            float64
	}
	measure := func() layout {
		var l layout
		c.eval(t, `(() => {
			const canvas = document.querySelector('.modeler-canvas').getBoundingClientRect();
			const palette = document.querySelector('.djs-palette').getBoundingClientRect();
			const pool = document.querySelector('.djs-element[data-element-id="part_approval"]').getBoundingClientRect();
			const modeler = document.querySelector('[data-modeler]').getBoundingClientRect();
			return {ModelerBottom: modeler.bottom, WindowHeight: innerHeight, CanvasTop: canvas.top, CanvasHeight: canvas.height, CanvasLeft: canvas.left,
				CanvasRight: canvas.right, CanvasBottom: canvas.bottom, PaletteRight: palette.right,
				PoolLeft: pool.left, PoolRight: pool.right, PoolTop: pool.top, PoolBottom: pool.bottom};
		})()`, &l)
		return l
	}
	check := func(name string) {
		t.Helper()
		l := measure()
		// The modeler fills the window down to its bottom, below the page
		// header; the canvas takes it but for the toolbar above and the
		// help line below.
		if l.CanvasHeight < 300 || l.WindowHeight-l.ModelerBottom > 16 || l.CanvasHeight < 0.75*(l.ModelerBottom-l.CanvasTop) {
			t.Errorf("%s: canvas %.0f px high, the modeler ending %.0f px above the window's bottom", name, l.CanvasHeight, l.WindowHeight-l.ModelerBottom)
		}
		t.Logf("%s: canvas %.0f px high from %.0f, ends %.0f px above the bottom; palette right %.0f, pool %.0f..%.0f", name,
			l.CanvasHeight, l.CanvasTop, l.WindowHeight-l.CanvasBottom, l.PaletteRight, l.PoolLeft, l.PoolRight)
		if l.PoolLeft <= l.PaletteRight {
			t.Errorf("%s: the palette (right edge %.0f) covers the pool (left edge %.0f)", name, l.PaletteRight, l.PoolLeft)
		}
		if l.PoolRight > l.CanvasRight+1 || l.PoolTop < l.CanvasTop-1 || l.PoolBottom > l.CanvasBottom+1 {
			t.Errorf("%s: the pool %+v is not inside the canvas", name, l)
		}
	}
	for _, size := range []struct{ w, h int64 }{{1400, 900}, {1024, 640}} {
		name := fmt.Sprintf("%dx%d", size.w, size.h)
		c.run(t, chromedp.EmulateViewport(size.w, size.h))
		c.openModeler(t, ta.url, "purchases/approval", "approval.bpmn")
		c.run(t, chromedp.WaitVisible(`[data-modeler][data-fitted="true"]`))
		check(name)
		// Zoom in, then Fit: beside the palette again.
		c.run(t, chromedp.Click(`[data-action="zoom-in"]`), chromedp.Click(`[data-action="zoom-in"]`), chromedp.Click(`[data-action="fit"]`))
		c.waitFor(t, "the fit", `(() => {
			const p = document.querySelector('.djs-palette').getBoundingClientRect();
			const pool = document.querySelector('.djs-element[data-element-id="part_approval"]').getBoundingClientRect();
			const canvas = document.querySelector('.modeler-canvas').getBoundingClientRect();
			return pool.left > p.right && pool.right <= canvas.right + 1;
		})()`)
		check(name + " after Fit")
	}
}
