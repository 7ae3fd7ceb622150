package script

import "testing"

// Decimal follows Python's decimal module and its default context; the
// expected values are what CPython 3.11 gives for the same expressions.
func TestDecimalAsPython(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "sqrt correctly rounded", src: `from decimal import Decimal
r = [str(Decimal(2).sqrt()), str(Decimal("1.21").sqrt())]`, want: map[string]any{"r": []any{"1.414213562373095048801688724", "1.1"}}},
		{name: "powers", src: `from decimal import Decimal
r = [str(Decimal(2) ** Decimal("0.5")), str(Decimal("1.1") ** 20)]`, want: map[string]any{"r": []any{"1.414213562373095048801688724", "6.72749994932560009201"}}},
		{name: "signed zeros", src: `from decimal import Decimal
r = [str(Decimal("-0")), str(Decimal("-0.0") + Decimal("0")), str(-Decimal("0"))]`, want: map[string]any{"r": []any{"-0", "0.0", "0"}}},
		{name: "ln and exp", src: `from decimal import Decimal
r = [str(Decimal(10).ln()), str(Decimal(1).exp())]`, want: map[string]any{"r": []any{"2.302585092994045684017991455", "2.718281828459045235360287471"}}},
		{name: "integer division truncates, remainder keeps the dividend's sign", src: `from decimal import Decimal
r = [str(Decimal(-7) // Decimal(2)), str(Decimal(-7) % Decimal(2)), str(Decimal(7) % Decimal(-2))]`, want: map[string]any{"r": []any{"-3", "-1", "1"}}},
		{name: "exact quotients at the ideal exponent", src: `from decimal import Decimal
r = [str(Decimal(1) / Decimal(8)), str(Decimal("1.00") / Decimal(4)), str(Decimal(6) / Decimal("2.0"))]`, want: map[string]any{"r": []any{"0.125", "0.25", "3"}}},
		{name: "quantize beyond the precision", src: `from decimal import Decimal, InvalidOperation
try:
    Decimal("123.456").quantize(Decimal("1E-30"))
    r = "quantized"
except InvalidOperation as e:
    r = str(e)`, want: map[string]any{"r": "[<class 'decimal.InvalidOperation'>]"}},
		{name: "division by zero", src: `from decimal import Decimal
try:
    Decimal(1) / Decimal(0)
    r = "divided"
except ZeroDivisionError as e:
    r = str(e)`, want: map[string]any{"r": "[<class 'decimal.DivisionByZero'>]"}},
		{name: "rounding modes", src: `from decimal import Decimal, ROUND_HALF_UP
r = str(Decimal("2.675").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))`, want: map[string]any{"r": "2.68", "ROUND_HALF_UP": "ROUND_HALF_UP"}},
		{name: "the context rounds to 28 digits", src: `from decimal import Decimal
r = [str(Decimal("9.999999999999999999999999999999") + 0), str(+Decimal("1.23456789012345678901234567890123"))]`,
			want: map[string]any{"r": []any{"10.00000000000000000000000000", "1.234567890123456789012345679"}}},
	})
}
