package script

import "testing"

func TestExecDatetime(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "now from the injected clock", src: `from datetime import datetime, timedelta, date
now = datetime.now()
utc = datetime.utcnow()
aware = datetime.now(timezone.utc) if False else None
today = date.today()
later = now + timedelta(days=1, hours=2)
s = now.strftime("%Y-%m-%d %H:%M:%S %A %b %-d %I %p %j")
iso = now.isoformat()
ts = time.time()
d = str(today)`, want: map[string]any{
			"now": "2026-01-05 09:30:15", "utc": "2026-01-05 09:30:15", "aware": nil, "today": "2026-01-05",
			"later": "2026-01-06 11:30:15", "s": "2026-01-05 09:30:15 Monday Jan 5 09 AM 005",
			"iso": "2026-01-05T09:30:15", "ts": 1767605415.0, "d": "2026-01-05",
		}},
		{name: "aware datetimes", src: `import datetime as dt
now = dt.datetime.now(dt.timezone.utc)
iso = now.isoformat()
off = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
utc = off.astimezone(dt.timezone.utc).isoformat()
stamp = off.timestamp()
name = now.tzname()
del now, off`, want: map[string]any{"iso": "2026-01-05T09:30:15+00:00", "utc": "2026-03-01T10:00:00+00:00", "stamp": 1772359200.0, "name": "UTC"}},
		{name: "constructors and fields", src: `d = datetime(2024, 2, 29, 23, 59, 59, 500)
parts = [d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, d.weekday(), d.isoweekday()]
r = repr(d)
rd = repr(d.date())
nxt = d + timedelta(microseconds=999500)
rep = d.replace(year=2025, month=3, day=1).date().isoformat()
t = d.time().isoformat()
del d`, want: map[string]any{
			"parts": []any{int64(2024), int64(2), int64(29), int64(23), int64(59), int64(59), int64(500), int64(3), int64(4)},
			"r":     "datetime.datetime(2024, 2, 29, 23, 59, 59, 500)", "rd": "datetime.date(2024, 2, 29)",
			"nxt": "2024-03-01 00:00:00", "rep": "2025-03-01", "t": "23:59:59.000500",
		}},
		{name: "parsing", src: `from datetime import date
a = datetime.strptime("2026-01-05 14:03", "%Y-%m-%d %H:%M")
b = datetime.fromisoformat("2026-01-05T09:00:00")
c = datetime.fromisoformat("2026-01-05T09:00:00.123+01:00").isoformat()
d = datetime.strptime("05/Jan/26 2:03 PM", "%d/%b/%y %I:%M %p")
e = date.fromisoformat("2026-02-01").isoformat()
f = datetime.strptime("2026-01-05T10:00:00Z", "%Y-%m-%dT%H:%M:%S%z").isoformat()`, want: map[string]any{
			"a": "2026-01-05 14:03:00", "b": "2026-01-05 09:00:00", "c": "2026-01-05T09:00:00.123000+01:00",
			"d": "2026-01-05 14:03:00", "e": "2026-02-01", "f": "2026-01-05T10:00:00+00:00",
		}},
		{name: "timedelta arithmetic", src: `from datetime import date
a = datetime(2026, 1, 10) - datetime(2026, 1, 5, 12)
parts = [a.days, a.seconds, a.total_seconds()]
s = str(a)
b = str(timedelta(seconds=3725))
c = str(timedelta(days=-1, seconds=5))
d = str(timedelta(hours=1) * 2.5)
e = timedelta(hours=3) / timedelta(minutes=30)
f = str(-timedelta(minutes=1))
g = timedelta(weeks=1) > timedelta(days=6)
h = (date(2026, 3, 1) - date(2026, 2, 1)).days
i = str(date(2026, 1, 31) + timedelta(days=1))
del a`, want: map[string]any{
			"parts": []any{int64(4), int64(43200), 388800.0}, "s": "4 days, 12:00:00", "b": "1:02:05", "c": "-1 day, 0:00:05",
			"d": "2:30:00", "e": 6.0, "f": "-1 day, 23:59:00", "g": true, "h": int64(28), "i": "2026-02-01",
		}},
		{name: "comparisons and sorting", src: `ds = sorted([datetime(2026, 1, 2), datetime(2025, 5, 1)])
first = ds[0].isoformat()
due = datetime.fromisoformat(due_str) < datetime.now()
del ds`, data: map[string]any{"due_str": "2026-01-01T00:00:00"}, want: map[string]any{"first": "2025-05-01T00:00:00", "due": true}},
		{name: "format spec uses strftime", src: `s = f"{datetime(2026, 1, 5):%d.%m.%Y}"`, want: map[string]any{"s": "05.01.2026"}},
		{name: "hours script from the corpus", src: `start_time_in_seconds = round(time.time())
startDateTime = datetime.utcfromtimestamp(start_time_in_seconds).strftime("%Y-%m-%dT%H:%MZ")
end_time_object = datetime.fromisoformat("2026-01-05T11:00")
end_time_in_seconds = end_time_object.timestamp()
duration_in_seconds = 0
if end_time_in_seconds > start_time_in_seconds:
    duration_in_seconds = end_time_in_seconds - start_time_in_seconds
durationDateTime = str(timedelta(seconds=duration_in_seconds))
del(end_time_object)`, want: map[string]any{
			"start_time_in_seconds": int64(1767605415), "startDateTime": "2026-01-05T09:30Z", "end_time_in_seconds": 1767610800.0,
			"duration_in_seconds": 5385.0, "durationDateTime": "1:29:45",
		}},
	})
}

func TestExecDecimalJSONMathRe(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "decimal", src: `from decimal import Decimal, ROUND_HALF_UP
a = Decimal("1.10") + Decimal("2.205")
b = Decimal("10") / Decimal("4")
c = Decimal("1") / Decimal("3")
d = Decimal("2.675").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
e = Decimal("2.665").quantize(Decimal("0.01"))
f = Decimal(3) * 2 - 1
g = Decimal("1.50") > Decimal("1.2")
h = float(Decimal("0.5")) + int(Decimal("7.9"))
i = repr(Decimal("0.00001"))
j = f"{Decimal('1234.5'):,.2f}"
k = decimal.Decimal(str(12.345)).as_tuple().exponent
l = str(Decimal(0.1))[:12]
m = Decimal("1E+3") + 0`, want: map[string]any{
			"a": "3.305", "b": "2.5", "c": "0.3333333333333333333333333333", "d": "2.68", "e": "2.66", "f": "5",
			"g": true, "h": 7.5, "i": "Decimal('0.00001')", "j": "1,234.50", "k": int64(-3), "l": "0.1000000000", "m": "1000", "ROUND_HALF_UP": "ROUND_HALF_UP",
		}},
		{name: "decimal compares with numbers", src: `from decimal import Decimal
d = Decimal("1.5")
a = [d > 1, d == Decimal("1.50"), 1 < d < 2, Decimal(2) == 2, d != 1.5, d <= 0]
m = str(max(Decimal("0.5"), 1))`, want: map[string]any{"d": "1.5", "a": []any{true, true, true, true, false, false}, "m": "1"}},
		{name: "json", src: `import json
s = json.dumps({"b": [1, 2.5, None, True], "a": "é"}, sort_keys=True)
p = json.dumps({"k": [1]}, indent=2)
c = json.dumps([1, 2], separators=(",", ":"))
u = json.dumps("é", ensure_ascii=False)
o = json.loads('{"z": 1, "a": [1.5, "x", null, false], "n": {"m": 1}}')
order = list(o.keys())`, want: map[string]any{
			"s": `{"a": "\u00e9", "b": [1, 2.5, null, true]}`, "p": "{\n  \"k\": [\n    1\n  ]\n}", "c": "[1,2]", "u": `"é"`,
			"o": map[string]any{"z": int64(1), "a": []any{1.5, "x", nil, false}, "n": map[string]any{"m": int64(1)}}, "order": []any{"z", "a", "n"},
		}},
		{name: "math", src: `import math
a = math.floor(2.7) + math.ceil(2.1)
b = math.sqrt(16)
c = math.isclose(0.1 + 0.2, 0.3)
d = math.pi > 3.14 and math.inf > 10 ** 100
e = math.log(100, 10)
f = math.fsum([0.1] * 10)
g = math.gcd(12, 18) + math.factorial(5)`, want: map[string]any{"a": int64(5), "b": 4.0, "c": true, "d": true, "e": 2.0, "f": 1.0, "g": int64(126)}},
		{name: "re", src: `import re
m = re.match(r"(\d+)-(?P<word>\w+)", "42-answer rest")
g = [m.group(0), m.group(1), m.group("word"), m.start(2)]
s = re.sub(r"\s+", " ", "a   b \t c")
f = re.findall(r"[a-z]\d", "a1 b2 cc")
n = re.search("X", "abc") is None
sp = re.split(r",\s*", "a, b,c")
full = bool(re.fullmatch(r"\d{3}", "123"))
ic = bool(re.match("abc", "ABC", re.IGNORECASE))
ref = re.sub(r"(\w+)@(\w+)", r"\2 at \g<1>", "me@home")
del m`, want: map[string]any{
			"g": []any{"42-answer", "42", "answer", int64(3)}, "s": "a b c", "f": []any{"a1", "b2"}, "n": true,
			"sp": []any{"a", "b", "c"}, "full": true, "ic": true, "ref": "home at me",
		}},
		{name: "copy and calendar", src: `import copy, calendar
a = {"l": [1]}
b = copy.deepcopy(a)
b["l"].append(2)
mr = calendar.monthrange(2024, 2)
leap = calendar.isleap(2024)`, want: map[string]any{
			"a": map[string]any{"l": []any{int64(1)}}, "b": map[string]any{"l": []any{int64(1), int64(2)}},
			"mr": []any{int64(3), int64(29)}, "leap": true,
		}},
	})
}
