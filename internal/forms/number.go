package forms

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Numbers as SpiffArena's formattedNumber widget and calculated field show
// them: "," groups thousands and "." marks decimals (the en-US notation its
// widgets default to). web/static/js/forms.js formats the same way while
// the user types, so that the server's rendering and the live one agree.

// numberOptions are a formattedNumber field's settings.
type numberOptions struct {
	// decimals is the most decimal places allowed, -1 for no limit.
	decimals int
	// negative tells whether a value below zero may be typed.
	negative bool
	// schemaMin is set when the schema's own minimum already refuses
	// negative values, so that Validate does not say it twice.
	schemaMin bool
}

// formattedNumberOptions reads ui:options decimals and allowNegative. An
// integer schema allows no decimals; without allowNegative, negative values
// are allowed unless the schema's minimum is zero or more (SpiffArena's
// decimalLimitFor and allowsNegative).
func formattedNumberOptions(s, ui obj) numberOptions {
	o := numberOptions{decimals: -1, negative: true}
	if v, ok := uiOption(ui, "decimals"); ok {
		if n, ok := v.(float64); ok {
			o.decimals = max(0, int(n))
		}
	} else if typeOf(s) == "integer" {
		o.decimals = 0
	}
	if lo, ok := s["minimum"].(float64); ok && lo >= 0 {
		o.negative, o.schemaMin = false, true
	}
	if v, ok := uiOption(ui, "allowNegative"); ok {
		if b, ok := v.(bool); ok {
			o.negative = b
		}
	}
	return o
}

// parseGrouped reads a number typed with optional thousands separators
// ("-1,234,567.5", "1234.5") and returns it without them ("-1234567.5").
// Separators must group by three, so that a comma used as a decimal mark
// ("1,5") is refused rather than read as fifteen.
func parseGrouped(text string) (string, bool) {
	s := strings.TrimSpace(text)
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		s, neg = rest, true
	} else if rest, ok := strings.CutPrefix(s, "\u2212"); ok {
		s, neg = rest, true
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" || !allDigits(frac) {
		return "", false
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 || !allDigits(groups[0]) {
			return "", false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 || !allDigits(g) {
				return "", false
			}
		}
		intPart = strings.Join(groups, "")
	} else if !allDigits(intPart) {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if hasDot && frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// canonicalNumber is the plain decimal text of a stored number: a JSON
// number, or a string holding one. ok is false for anything else.
func canonicalNumber(v any) (string, bool) {
	switch v := v.(type) {
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "", false
		}
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case string:
		if c, ok := parseGrouped(v); ok && !strings.Contains(v, ",") {
			return c, true
		}
	}
	return "", false
}

// formatGrouped shows a canonical number with thousands separators,
// rounded or padded to decimals places (-1 keeps the digits as they are).
func formatGrouped(canonical string, decimals int) string {
	if decimals >= 0 {
		f, err := strconv.ParseFloat(canonical, 64)
		if err == nil {
			canonical = strconv.FormatFloat(roundTo(f, decimals), 'f', decimals, 64)
		}
	}
	neg := strings.HasPrefix(canonical, "-")
	canonical = strings.TrimPrefix(canonical, "-")
	intPart, frac, hasDot := strings.Cut(canonical, ".")
	var b strings.Builder
	if neg && strings.Trim(canonical, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasDot {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// roundTo rounds half away from zero to decimals places, as forms.js does
// (Math.sign(v) * Math.round(Math.abs(v) * 10^d) / 10^d).
func roundTo(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	r := math.Floor(math.Abs(v)*p+0.5) / p
	if v < 0 {
		return -r
	}
	return r
}

// decimalPlaces counts the decimal digits of a canonical number.
func decimalPlaces(canonical string) int {
	_, frac, _ := strings.Cut(canonical, ".")
	return len(frac)
}

// currencySymbols are the currencies shown by symbol; others show their
// ISO code before the amount. forms.js holds the same table.
var currencySymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}

// calculatedDisplay is how a calculated field shows its value: grouped
// thousands, ui:options decimals places (2 for a currency), and for format
// "currency" the currency's symbol or code (ui:options currency, USD by
// default).
func calculatedDisplay(v any, ui obj) string {
	c, ok := canonicalNumber(v)
	if !ok {
		return display(v)
	}
	decimals := -1
	if d, ok := uiOption(ui, "decimals"); ok {
		if n, ok := d.(float64); ok {
			decimals = max(0, int(n))
		}
	}
	format, _ := uiOption(ui, "format")
	if format != "currency" {
		return formatGrouped(c, decimals)
	}
	if decimals < 0 {
		decimals = 2
	}
	code := "USD"
	if cur, ok := uiOption(ui, "currency"); ok {
		if s, ok := cur.(string); ok && strings.TrimSpace(s) != "" {
			code = strings.ToUpper(strings.TrimSpace(s))
		}
	}
	amount := formatGrouped(c, decimals)
	neg := strings.HasPrefix(amount, "-")
	amount = strings.TrimPrefix(amount, "-")
	sign := ""
	if neg {
		sign = "-"
	}
	if sym, ok := currencySymbols[code]; ok {
		return sign + sym + amount
	}
	return fmt.Sprintf("%s%s %s", sign, code, amount)
}
