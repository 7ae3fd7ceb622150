package script

import "testing"

// Expected values in this file were produced by running the same scripts
// with CPython 3 (with the names SpiffArena predefines).
func TestPythonParity(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "datetime parity", src: `
from datetime import datetime, timedelta, date, timezone
import datetime as dtm
a = str(datetime(2024, 5, 17, 8, 5, 3, 120))
b = datetime(2024, 5, 17).strftime("%c|%x|%X|%e|%D|%F|%T|%R|%G-%V-%u")
c = str(date(2024, 5, 17))
d = datetime.fromisoformat("2024-05-17 08:05").isoformat(" ")
e = datetime.fromisoformat("2024-05-17T08:05:03Z").isoformat()
f = datetime.fromisoformat("20240517").isoformat()
g = datetime(2024, 5, 17, tzinfo=timezone(timedelta(hours=-4, minutes=-30))).isoformat()
h = str(timezone(timedelta(hours=5, minutes=45)))
i = datetime(2024, 5, 17, 8, tzinfo=timezone.utc).strftime("%z %Z")
j = str(datetime(2024, 1, 1) + timedelta(days=0.5))
k = (datetime(2024, 1, 1) - timedelta(seconds=1)).year
l = str(timedelta(days=1.5, minutes=-1))
m = date(2024, 1, 1).toordinal()
n = str(datetime.combine(date(2024, 1, 2), dtm.time(10, 30)))
o = str(dtm.time(9, 5, 7, 1))
p = datetime(2024, 5, 17, 8).replace(hour=23, minute=59).isoformat()
q = datetime(2024, 3, 31) > datetime(2024, 3, 30, 23)
r = datetime.strptime("Friday, 17 May 2024 08:05:03.5", "%A, %d %B %Y %H:%M:%S.%f").isoformat()
s = datetime.strptime("17/05/24", "%d/%m/%y").date().isoformat()
t = datetime.strptime("2024-05-17 08:05:03 +0530", "%Y-%m-%d %H:%M:%S %z").isoformat()
u = (datetime(2024, 5, 17, tzinfo=timezone.utc) - datetime(2024, 5, 16, 22, tzinfo=timezone(timedelta(hours=-3)))).total_seconds()
v = datetime.fromtimestamp(0, tz=timezone.utc).isoformat()
w = datetime.utcfromtimestamp(1700000000.25).isoformat()
x = f"{date(2024, 5, 7):%d/%m}" + " " + format(datetime(2024, 5, 7, 13), "%I%p")
y = date(2024, 5, 17).isocalendar()[0:2]
z = timedelta(minutes=90).seconds
`, want: map[string]any{
			"a": "2024-05-17 08:05:03.000120",
			"b": "Fri May 17 00:00:00 2024|05/17/24|00:00:00|17|05/17/24|2024-05-17|00:00:00|00:00|2024-20-5",
			"c": "2024-05-17",
			"d": "2024-05-17 08:05:00",
			"e": "2024-05-17T08:05:03+00:00",
			"f": "2024-05-17T00:00:00",
			"g": "2024-05-17T00:00:00-04:30",
			"h": "UTC+05:45",
			"i": "+0000 UTC",
			"j": "2024-01-01 12:00:00",
			"k": int64(2023),
			"l": "1 day, 11:59:00",
			"m": int64(738886),
			"n": "2024-01-02 10:30:00",
			"o": "09:05:07.000001",
			"p": "2024-05-17T23:59:00",
			"q": true,
			"r": "2024-05-17T08:05:03.500000",
			"s": "2024-05-17",
			"t": "2024-05-17T08:05:03+05:30",
			"u": float64(-3600.0),
			"v": "1970-01-01T00:00:00+00:00",
			"w": "2023-11-14T22:13:20.250000",
			"x": "07/05 01PM",
			"y": []any{int64(2024), int64(20)},
			"z": int64(5400),
		}},
		{name: "decimal parity", src: `
from decimal import Decimal
import decimal
a = str(Decimal("3.14159").quantize(Decimal("1.000")))
b = str(Decimal("1") / Decimal("8"))
c = str(Decimal("2") / Decimal("3") * 3)
d = str(Decimal("10.50") - Decimal("0.5"))
e = str(Decimal("5.00") * Decimal("2.0"))
g = str(Decimal("1.5").quantize(Decimal("1")))
h = str(Decimal("2.5").quantize(Decimal("1"), rounding=decimal.ROUND_HALF_UP))
i = str(Decimal(" 12.50 "))
j = f"{Decimal('3.14159'):.2f}" + " " + f"{Decimal('-1234567.891'):,.1f}"
k = str(sum([Decimal("0.1")] * 3))
l = str(Decimal("1e-10"))
m = str(Decimal("123.4500"))
n = str(Decimal("0.000"))
o = str(Decimal(1.1))
p = float(Decimal("1.1")) + 1
q = str(Decimal("100") / Decimal("7"))
r = str(abs(Decimal("-3.50")))
s = str(Decimal("12345678901234567890.12345678901"))
t = str(Decimal("9.99") + 1)
u = Decimal("1.0") == Decimal("1")
v = str(sorted([Decimal("2"), Decimal("1.5")])[0])
w = str(Decimal("1E2") * 1)
x = str(Decimal("0.00001234"))
y = str(Decimal("1000000").quantize(Decimal("0.01")))
`, want: map[string]any{
			"a": "3.142",
			"b": "0.125",
			"c": "2.000000000000000000000000000",
			"d": "10.00",
			"e": "10.000",
			"g": "2",
			"h": "3",
			"i": "12.50",
			"j": "3.14 -1,234,567.9",
			"k": "0.3",
			"l": "1E-10",
			"m": "123.4500",
			"n": "0.000",
			"o": "1.100000000000000088817841970012523233890533447265625",
			"p": float64(2.1),
			"q": "14.28571428571428571428571429",
			"r": "3.50",
			"s": "12345678901234567890.12345678901",
			"t": "10.99",
			"u": true,
			"v": "1.5",
			"w": "1E+2",
			"x": "0.00001234",
			"y": "1000000.00",
		}},
		{name: "format spec parity", src: `
a = f"{12:,d}|{-1234.5:+,.1f}|{0.000012:.2e}|{123:<6d}|{7:^5}|"
b = "{:=+8.2f}".format(3.5)
c = f"{1.0:g}|{100000.0:g}|{1e6:g}|{1.5e-5:g}|{0.0001:g}|{123.456:.2g}"
d = f"{3:.2f}|{2.5:.0f}|{3.5:.0f}|{-0.0:.1f}"
e = f"{'abc':.2}|{'abc':5.1}|"
f = f"{1/3:.15f}|{2/3}|{1e23}|{12345678.9}"
g = f"{10:#06x}|{-10:x}|{10:o}"
h = f"{0.1:.20f}"
i = f"{123456789:,}|{1234.5:_.1f}"
j = f"{True:d}|{True}|{False:>6}"
k = f"{1.23456789e-5}|{123456789012345678.0}|{0.1+0.7}"
`, want: map[string]any{
			"a": "12|-1,234.5|1.20e-05|123   |  7  |",
			"b": "+   3.50",
			"c": "1|100000|1e+06|1.5e-05|0.0001|1.2e+02",
			"d": "3.00|2|4|-0.0",
			"e": "ab|a    |",
			"f": "0.333333333333333|0.6666666666666666|1e+23|12345678.9",
			"g": "0x000a|-a|12",
			"h": "0.10000000000000000555",
			"i": "123,456,789|1_234.5",
			"j": "1|True|     0",
			"k": "1.23456789e-05|1.2345678901234568e+17|0.7999999999999999",
		}},
	})
}
