package bpmn_test

import (
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// encodedProcess is a one-task process whose task name is name, declared in
// the given encoding. The task sits on line 4.
func encodedProcess(encodingName, name string) string {
	return `<?xml version="1.0" encoding="` + encodingName + `"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dmn="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
    <bpmn:task id="t" name="` + name + `"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`
}

func utf16Bytes(s string, big, bom bool) []byte {
	var order binary.ByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(out[2*i:], u)
	}
	return out
}

// TestEncodings: files are read in the encoding they declare, and a file
// that mentions the DMN namespace but has a BPMN root is BPMN.
func TestEncodings(t *testing.T) {
	const want = "Prüfung – café €"
	cases := []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(encodedProcess("UTF-8", want))},
		{"UTF-8 with a byte order mark", append([]byte{0xEF, 0xBB, 0xBF}, encodedProcess("UTF-8", want)...)},
		// ISO-8859-1 has neither the dash nor the euro sign: write them as
		// character references, as editors do.
		{"ISO-8859-1", []byte(strings.NewReplacer("ü", "\xfc", "é", "\xe9", "–", "&#8211;", "€", "&#x20AC;").Replace(encodedProcess("ISO-8859-1", want)))},
		{"windows-1252", []byte(strings.NewReplacer("ü", "\xfc", "é", "\xe9", "–", "\x96", "€", "\x80").Replace(encodedProcess("windows-1252", want)))},
		{"UTF-16 little endian with BOM", utf16Bytes(encodedProcess("UTF-16", want), false, true)},
		{"UTF-16 big endian with BOM", utf16Bytes(encodedProcess("UTF-16", want), true, true)},
		{"UTF-16 big endian without BOM", utf16Bytes(encodedProcess("UTF-16", want), true, false)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "enc.bpmn", Data: c.data})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			n := lib.Process("p").AllNodes["t"]
			if n.Name != want || n.Line != 4 {
				t.Errorf("task name %q line %d, want %q line 4", n.Name, n.Line, want)
			}
		})
	}
	t.Run("an unknown encoding is refused by name", func(t *testing.T) {
		_, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "enc.bpmn", Data: []byte(encodedProcess("x-no-such", "n"))})
		ps := problemsOf(t, err)
		if len(ps) != 1 || ps[0].Line != 1 || !strings.Contains(ps[0].Msg, `"x-no-such"`) {
			t.Errorf("problems %v, want one on line 1 naming the encoding", ps)
		}
	})
	t.Run("a document type declaration in UTF-16 is still refused", func(t *testing.T) {
		doc := `<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&e;</bpmn:definitions>`
		_, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "x.bpmn", Data: utf16Bytes(doc, false, true)})
		ps := problemsOf(t, err)
		if len(ps) != 1 || !strings.Contains(ps[0].Msg, "document type") {
			t.Errorf("problems %v, want the DTD refused", ps)
		}
	})
}

// TestDMNByRootElement: a decision file is recognised by its root element,
// whatever its name; a BPMN file that declares the DMN namespace on its
// root (every case of TestEncodings does) stays BPMN.
func TestDMNByRootElement(t *testing.T) {
	dmnDoc := `<?xml version="1.0" encoding="ISO-8859-1"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D" namespace="x">
  <decision id="pick" name="Pick"><decisionTable id="t">
    <input id="i" label="x"><inputExpression id="ie"><text>x</text></inputExpression></input>
    <output id="o" name="y"/>
    <rule id="r"><inputEntry id="ri"><text>-</text></inputEntry><outputEntry id="ro"><text>"caf` + "\xe9" + `"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>`
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "decisions.xml", Data: []byte(dmnDoc)})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if lib.Decision("pick") == nil {
		t.Errorf("decision not loaded from a .xml file with a DMN root")
	}
}
