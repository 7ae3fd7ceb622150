package script

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// The datetime module: datetime, date, time, timedelta and timezone with
// Python's arithmetic, comparisons, str()/repr(), isoformat, strftime and
// strptime. The current time comes from Env.Now only. A naive datetime is
// a wall-clock time; "local time" (naive now(), fromtimestamp, timestamp,
// astimezone()) means the zone of the time Env.Now returns.

var (
	dateType      = &pyType{name: "date"}
	datetimeType  = &pyType{name: "datetime", base: dateType}
	timeType      = &pyType{name: "time"}
	timedeltaType = &pyType{name: "timedelta"}
	tzinfoType    = &pyType{name: "tzinfo"}
	timezoneType  = &pyType{name: "timezone", base: tzinfoType}
)

const usPerDay = 86400 * 1_000_000

// maxTDDays bounds timedelta to what int64 microseconds hold (Python allows
// 999999999 days; dates end in year 9999, so nothing usable is lost).
const maxTDDays = 100_000_000

var utcTZ = &tzValue{offset: 0, name: "UTC"}

// ---- timezone ----

type tzValue struct {
	offset int // seconds east of UTC
	name   string
}

func (z *tzValue) loc() *time.Location {
	if z.offset == 0 && z.name == "UTC" {
		return time.UTC
	}
	return time.FixedZone(z.tzname(), z.offset)
}

func (z *tzValue) tzname() string {
	if z.name != "" {
		return z.name
	}
	if z.offset == 0 {
		return "UTC"
	}
	return "UTC" + offsetText(z.offset, ":")
}

func offsetText(sec int, sep string) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%s%02d", sign, sec/3600, sep, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%s%02d", sep, sec%60)
	}
	return s
}

func (z *tzValue) String() string        { return z.tzname() }
func (z *tzValue) Type() string          { return "timezone" }
func (z *tzValue) Freeze()               {}
func (z *tzValue) Truth() starlark.Bool  { return true }
func (z *tzValue) Hash() (uint32, error) { return uint32(z.offset), nil }
func (z *tzValue) pyType() *pyType       { return timezoneType }
func (z *tzValue) pyStr() string         { return z.tzname() }
func (z *tzValue) pyRepr() string {
	if z == utcTZ || z.offset == 0 && z.name == "UTC" {
		return "datetime.timezone.utc"
	}
	return "datetime.timezone(" + (&tdValue{us: int64(z.offset) * 1e6}).pyRepr() + ")"
}
func (z *tzValue) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	o := y.(*tzValue)
	switch op {
	case syntax.EQL:
		return z.offset == o.offset, nil
	case syntax.NEQ:
		return z.offset != o.offset, nil
	}
	return false, pyErr(excTypeError, "'%s' not supported between instances of 'timezone'", op)
}
func (z *tzValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "utcoffset":
		return fn("utcoffset", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return &tdValue{us: int64(z.offset) * 1e6}, nil
		}), nil
	case "tzname":
		return fn("tzname", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.String(z.tzname()), nil
		}), nil
	}
	return nil, nil
}
func (z *tzValue) AttrNames() []string { return []string{"tzname", "utcoffset"} }

// ---- timedelta ----

type tdValue struct{ us int64 }

func (d *tdValue) parts() (days, secs, us int64) {
	days = d.us / usPerDay
	rem := d.us % usPerDay
	if rem < 0 {
		days--
		rem += usPerDay
	}
	return days, rem / 1e6, rem % 1e6
}

func (d *tdValue) String() string        { return d.pyStr() }
func (d *tdValue) Type() string          { return "timedelta" }
func (d *tdValue) Freeze()               {}
func (d *tdValue) Truth() starlark.Bool  { return d.us != 0 }
func (d *tdValue) Hash() (uint32, error) { return uint32(d.us ^ d.us>>32), nil }
func (d *tdValue) pyType() *pyType       { return timedeltaType }
func (d *tdValue) abs() starlark.Value {
	if d.us < 0 {
		return &tdValue{us: -d.us}
	}
	return d
}

func (d *tdValue) pyStr() string {
	days, secs, us := d.parts()
	s := fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if days != 0 {
		plural := "s"
		if days == 1 || days == -1 {
			plural = ""
		}
		s = fmt.Sprintf("%d day%s, %s", days, plural, s)
	}
	return s
}

func (d *tdValue) pyRepr() string {
	days, secs, us := d.parts()
	var parts []string
	if days != 0 {
		parts = append(parts, fmt.Sprintf("days=%d", days))
	}
	if secs != 0 {
		parts = append(parts, fmt.Sprintf("seconds=%d", secs))
	}
	if us != 0 {
		parts = append(parts, fmt.Sprintf("microseconds=%d", us))
	}
	if len(parts) == 0 {
		return "datetime.timedelta(0)"
	}
	return "datetime.timedelta(" + strings.Join(parts, ", ") + ")"
}

func (d *tdValue) Cmp(y starlark.Value, depth int) (int, error) {
	o := y.(*tdValue)
	switch {
	case d.us < o.us:
		return -1, nil
	case d.us > o.us:
		return 1, nil
	}
	return 0, nil
}

func (d *tdValue) Unary(op syntax.Token) (starlark.Value, error) {
	switch op {
	case syntax.MINUS:
		return &tdValue{us: -d.us}, nil
	case syntax.PLUS:
		return d, nil
	}
	return nil, nil
}

func mkTD(us *big.Rat) (*tdValue, error) {
	// round half to even at one microsecond
	q, r := new(big.Int).QuoRem(us.Num(), us.Denom(), new(big.Int))
	if r.Sign() != 0 {
		twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
		if c := twice.Cmp(us.Denom()); c > 0 || c == 0 && q.Bit(0) == 1 {
			if us.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	if !q.IsInt64() || q.Int64() > maxTDDays*usPerDay || q.Int64() < -maxTDDays*usPerDay {
		return nil, pyErr(excOverflowError, "days=%s; must have magnitude <= %d", new(big.Int).Quo(q, big.NewInt(usPerDay)), maxTDDays)
	}
	return &tdValue{us: q.Int64()}, nil
}

func (d *tdValue) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if o, ok := y.(*tdValue); ok {
		a, b := d.us, o.us
		if side == starlark.Right {
			a, b = b, a
		}
		switch op {
		case syntax.PLUS:
			return mkTD(new(big.Rat).SetInt64(0).Add(new(big.Rat).SetInt64(a), new(big.Rat).SetInt64(b)))
		case syntax.MINUS:
			return mkTD(new(big.Rat).Sub(new(big.Rat).SetInt64(a), new(big.Rat).SetInt64(b)))
		case syntax.SLASH:
			if b == 0 {
				return nil, pyErr(excZeroDivisionError, "division by zero")
			}
			return starlark.Float(float64(a) / float64(b)), nil
		case syntax.SLASHSLASH:
			if b == 0 {
				return nil, pyErr(excZeroDivisionError, "integer division or modulo by zero")
			}
			return starlark.MakeInt64(floorDiv(a, b)), nil
		case syntax.PERCENT:
			if b == 0 {
				return nil, pyErr(excZeroDivisionError, "integer division or modulo by zero")
			}
			return &tdValue{us: a - floorDiv(a, b)*b}, nil
		}
		return nil, nil
	}
	if _, ok := y.(*dtValue); ok || isDate(y) {
		if op == syntax.PLUS && side == starlark.Left {
			return starlark.Binary(syntax.PLUS, y, d)
		}
		return nil, nil
	}
	num, ok := numRat(y)
	if !ok {
		return nil, nil
	}
	switch {
	case op == syntax.STAR:
		return mkTD(new(big.Rat).Mul(new(big.Rat).SetInt64(d.us), num))
	case (op == syntax.SLASH || op == syntax.SLASHSLASH) && side == starlark.Left:
		if num.Sign() == 0 {
			return nil, pyErr(excZeroDivisionError, "division by zero")
		}
		q := new(big.Rat).Quo(new(big.Rat).SetInt64(d.us), num)
		if op == syntax.SLASHSLASH {
			f := new(big.Int).Div(q.Num(), q.Denom()) // floor for positive denominators
			return &tdValue{us: f.Int64()}, nil
		}
		return mkTD(q)
	}
	return nil, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func numRat(v starlark.Value) (*big.Rat, bool) {
	switch v := boolToInt(v).(type) {
	case starlark.Int:
		return new(big.Rat).SetInt(v.BigInt()), true
	case starlark.Float:
		if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(float64(v)), true
	}
	return nil, false
}

func (d *tdValue) Attr(name string) (starlark.Value, error) {
	days, secs, us := d.parts()
	switch name {
	case "days":
		return starlark.MakeInt64(days), nil
	case "seconds":
		return starlark.MakeInt64(secs), nil
	case "microseconds":
		return starlark.MakeInt64(us), nil
	case "total_seconds":
		return fn("total_seconds", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.Float(float64(d.us) / 1e6), nil
		}), nil
	}
	return nil, nil
}

func (d *tdValue) AttrNames() []string {
	return []string{"days", "microseconds", "seconds", "total_seconds"}
}

// ---- date and datetime ----

// dtValue is a datetime (or a date when isDate). t holds the wall clock;
// its location is UTC for naive values and the zone for aware ones.
type dtValue struct {
	t      time.Time
	tz     *tzValue // nil: naive
	isDate bool
}

func isDate(v starlark.Value) bool {
	d, ok := v.(*dtValue)
	return ok && d.isDate
}

func newDatetime(t time.Time) *dtValue {
	if t.Location() == time.UTC {
		return &dtValue{t: t, tz: utcTZ}
	}
	_, off := t.Zone()
	name, _ := t.Zone()
	return &dtValue{t: t.In(time.FixedZone(name, off)), tz: &tzValue{offset: off, name: name}}
}

func naive(t time.Time) *dtValue {
	return &dtValue{t: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000*1000, time.UTC)}
}

func mkDate(y int, m time.Month, d int) *dtValue {
	return &dtValue{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), isDate: true}
}

func (d *dtValue) kind() string {
	if d.isDate {
		return "date"
	}
	return "datetime"
}

func (d *dtValue) String() string { return d.pyStr() }
func (d *dtValue) Type() string   { return d.kind() }
func (d *dtValue) Freeze()        {}
func (d *dtValue) Truth() starlark.Bool {
	return true
}
func (d *dtValue) Hash() (uint32, error) {
	return uint32(d.t.Unix()) ^ uint32(d.t.Nanosecond()), nil
}
func (d *dtValue) pyType() *pyType {
	if d.isDate {
		return dateType
	}
	return datetimeType
}

func (d *dtValue) pyStr() string {
	if d.isDate {
		return d.t.Format("2006-01-02")
	}
	return d.iso(" ", "auto")
}

func (d *dtValue) iso(sep, timespec string) string {
	if d.isDate {
		return d.t.Format("2006-01-02")
	}
	return d.t.Format("2006-01-02") + sep + clockText(d.t.Hour(), d.t.Minute(), d.t.Second(), d.t.Nanosecond()/1000, timespec) + d.offsetSuffix()
}

func (d *dtValue) offsetSuffix() string {
	if d.tz == nil {
		return ""
	}
	return offsetText(d.tz.offset, ":")
}

func clockText(h, m, s, us int, timespec string) string {
	switch timespec {
	case "hours":
		return fmt.Sprintf("%02d", h)
	case "minutes":
		return fmt.Sprintf("%02d:%02d", h, m)
	case "seconds":
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	case "milliseconds":
		return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, us/1000)
	case "microseconds":
		return fmt.Sprintf("%02d:%02d:%02d.%06d", h, m, s, us)
	}
	if us != 0 {
		return fmt.Sprintf("%02d:%02d:%02d.%06d", h, m, s, us)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

func (d *dtValue) pyRepr() string {
	t := d.t
	if d.isDate {
		return fmt.Sprintf("datetime.date(%d, %d, %d)", t.Year(), t.Month(), t.Day())
	}
	s := fmt.Sprintf("datetime.datetime(%d, %d, %d, %d, %d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
	us := t.Nanosecond() / 1000
	if t.Second() != 0 || us != 0 {
		s += fmt.Sprintf(", %d", t.Second())
	}
	if us != 0 {
		s += fmt.Sprintf(", %d", us)
	}
	if d.tz != nil {
		s += ", tzinfo=" + d.tz.pyRepr()
	}
	return s + ")"
}

func (d *dtValue) pyFormat(spec string) (string, error) {
	if spec == "" {
		return d.pyStr(), nil
	}
	return strftime(d, spec)
}

func (d *dtValue) Cmp(y starlark.Value, depth int) (int, error) {
	o := y.(*dtValue)
	if !d.isDate && (d.tz == nil) != (o.tz == nil) {
		return 0, pyErr(excTypeError, "can't compare offset-naive and offset-aware datetimes")
	}
	a, b := d.t, o.t
	if d.tz == nil {
		a, b = wallUTC(a), wallUTC(b)
	}
	return a.Compare(b), nil
}

func wallUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func checkYear(t time.Time) error {
	if t.Year() < 1 || t.Year() > 9999 {
		return pyErr(excOverflowError, "date value out of range")
	}
	return nil
}

func (d *dtValue) add(us int64) (starlark.Value, error) {
	if d.isDate {
		days := floorDiv(us, usPerDay)
		if days > 4000000 || days < -4000000 {
			return nil, pyErr(excOverflowError, "date value out of range")
		}
		t := d.t.AddDate(0, 0, int(days))
		if err := checkYear(t); err != nil {
			return nil, err
		}
		return &dtValue{t: t, isDate: true}, nil
	}
	days := floorDiv(us, usPerDay)
	rem := us - days*usPerDay
	if days > 4000000 || days < -4000000 {
		return nil, pyErr(excOverflowError, "date value out of range")
	}
	t := d.t.AddDate(0, 0, int(days)).Add(time.Duration(rem) * time.Microsecond)
	if err := checkYear(t); err != nil {
		return nil, err
	}
	return &dtValue{t: t, tz: d.tz}, nil
}

func diffMicros(a, b time.Time) int64 {
	return (a.Unix()-b.Unix())*1e6 + int64(a.Nanosecond()-b.Nanosecond())/1000
}

func (d *dtValue) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	switch o := y.(type) {
	case *tdValue:
		switch {
		case op == syntax.PLUS:
			return d.add(o.us)
		case op == syntax.MINUS && side == starlark.Left:
			return d.add(-o.us)
		}
	case *dtValue:
		if op != syntax.MINUS || o.isDate != d.isDate {
			return nil, nil
		}
		a, b := d, o
		if side == starlark.Right {
			a, b = o, d
		}
		if (a.tz == nil) != (b.tz == nil) {
			return nil, pyErr(excTypeError, "can't subtract offset-naive and offset-aware datetimes")
		}
		ta, tb := a.t, b.t
		if a.tz == nil {
			ta, tb = wallUTC(ta), wallUTC(tb)
		}
		return &tdValue{us: diffMicros(ta, tb)}, nil
	}
	return nil, nil
}

func (d *dtValue) Attr(name string) (starlark.Value, error) {
	t := d.t
	switch name {
	case "year":
		return starlark.MakeInt(t.Year()), nil
	case "month":
		return starlark.MakeInt(int(t.Month())), nil
	case "day":
		return starlark.MakeInt(t.Day()), nil
	case "weekday":
		return method0(name, func() starlark.Value { return starlark.MakeInt((int(t.Weekday()) + 6) % 7) }), nil
	case "isoweekday":
		return method0(name, func() starlark.Value { return starlark.MakeInt((int(t.Weekday())+6)%7 + 1) }), nil
	case "isocalendar":
		return method0(name, func() starlark.Value {
			y, w := t.ISOWeek()
			return starlark.Tuple{starlark.MakeInt(y), starlark.MakeInt(w), starlark.MakeInt((int(t.Weekday())+6)%7 + 1)}
		}), nil
	case "toordinal":
		return method0(name, func() starlark.Value { return starlark.MakeInt64(toOrdinal(t)) }), nil
	case "isoformat":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			sep, spec := "T", "auto"
			if err := unpack(name, args, kwargs, "sep?", &sep, "timespec?", &spec); err != nil {
				return nil, err
			}
			return starlark.String(d.iso(sep, spec)), nil
		}), nil
	case "strftime":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var f string
			if err := unpack(name, args, kwargs, "format", &f); err != nil {
				return nil, err
			}
			s, err := strftime(d, f)
			return starlark.String(s), err
		}), nil
	case "ctime":
		return method0(name, func() starlark.Value { s, _ := strftime(d, "%c"); return starlark.String(s) }), nil
	case "replace":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return d.replace(args, kwargs)
		}), nil
	}
	if d.isDate {
		return nil, nil
	}
	switch name {
	case "hour":
		return starlark.MakeInt(t.Hour()), nil
	case "minute":
		return starlark.MakeInt(t.Minute()), nil
	case "second":
		return starlark.MakeInt(t.Second()), nil
	case "microsecond":
		return starlark.MakeInt(t.Nanosecond() / 1000), nil
	case "fold":
		return starlark.MakeInt(0), nil
	case "tzinfo":
		if d.tz == nil {
			return starlark.None, nil
		}
		return d.tz, nil
	case "date":
		return method0(name, func() starlark.Value { return mkDate(t.Year(), t.Month(), t.Day()) }), nil
	case "time", "timetz":
		return method0(name, func() starlark.Value {
			tv := &timeValue{h: t.Hour(), m: t.Minute(), s: t.Second(), us: t.Nanosecond() / 1000}
			if name == "timetz" {
				tv.tz = d.tz
			}
			return tv
		}), nil
	case "timestamp":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			at := t
			if d.tz == nil {
				at = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), localZone(th))
			}
			return starlark.Float(float64(at.Unix()) + float64(at.Nanosecond())/1e9), nil
		}), nil
	case "utcoffset":
		return method0(name, func() starlark.Value {
			if d.tz == nil {
				return starlark.None
			}
			return &tdValue{us: int64(d.tz.offset) * 1e6}
		}), nil
	case "tzname":
		return method0(name, func() starlark.Value {
			if d.tz == nil {
				return starlark.None
			}
			return starlark.String(d.tz.tzname())
		}), nil
	case "astimezone":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var tz starlark.Value = starlark.None
			if err := unpack(name, args, kwargs, "tz?", &tz); err != nil {
				return nil, err
			}
			at := t
			if d.tz == nil {
				at = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), localZone(th))
			}
			if tz == starlark.None {
				return newDatetime(at.In(localZone(th))), nil
			}
			z, ok := tz.(*tzValue)
			if !ok {
				return nil, pyErr(excTypeError, "astimezone() argument must be a timezone")
			}
			return &dtValue{t: at.In(z.loc()), tz: z}, nil
		}), nil
	}
	return nil, nil
}

func (d *dtValue) AttrNames() []string {
	names := []string{"ctime", "day", "isocalendar", "isoformat", "isoweekday", "month", "replace", "strftime", "toordinal", "weekday", "year"}
	if !d.isDate {
		names = append(names, "astimezone", "date", "hour", "microsecond", "minute", "second", "time", "timestamp", "tzinfo", "tzname", "utcoffset")
	}
	return names
}

func method0(name string, f func() starlark.Value) *starlark.Builtin {
	return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args)+len(kwargs) > 0 {
			return nil, pyErr(excTypeError, "%s() takes no arguments", name)
		}
		return f(), nil
	})
}

func toOrdinal(t time.Time) int64 {
	base := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	u := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return diffMicros(u, base)/usPerDay + 1
}

func (d *dtValue) replace(args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	t := d.t
	y, mo, dd := t.Year(), int(t.Month()), t.Day()
	h, mi, s, us := t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000
	var tz starlark.Value
	var err error
	if d.isDate {
		err = unpack("replace", args, kwargs, "year?", &y, "month?", &mo, "day?", &dd)
	} else {
		err = unpack("replace", args, kwargs, "year?", &y, "month?", &mo, "day?", &dd, "hour?", &h, "minute?", &mi, "second?", &s, "microsecond?", &us, "tzinfo?", &tz)
	}
	if err != nil {
		return nil, err
	}
	zone := d.tz
	if tz != nil {
		if tz == starlark.None {
			zone = nil
		} else if z, ok := tz.(*tzValue); ok {
			zone = z
		} else {
			return nil, pyErr(excTypeError, "tzinfo argument must be None or a timezone")
		}
	}
	if d.isDate {
		return buildDate(y, mo, dd)
	}
	return buildDatetime(y, mo, dd, h, mi, s, us, zone)
}

func buildDate(y, m, d int) (*dtValue, error) {
	if y < 1 || y > 9999 {
		return nil, pyErr(excValueError, "year %d is out of range", y)
	}
	if m < 1 || m > 12 {
		return nil, pyErr(excValueError, "month must be in 1..12")
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return nil, pyErr(excValueError, "day is out of range for month")
	}
	return mkDate(y, time.Month(m), d), nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func buildDatetime(y, mo, d, h, mi, s, us int, tz *tzValue) (*dtValue, error) {
	if _, err := buildDate(y, mo, d); err != nil {
		return nil, err
	}
	switch {
	case h < 0 || h > 23:
		return nil, pyErr(excValueError, "hour must be in 0..23")
	case mi < 0 || mi > 59:
		return nil, pyErr(excValueError, "minute must be in 0..59")
	case s < 0 || s > 59:
		return nil, pyErr(excValueError, "second must be in 0..59")
	case us < 0 || us > 999999:
		return nil, pyErr(excValueError, "microsecond must be in 0..999999")
	}
	loc := time.UTC
	if tz != nil {
		loc = tz.loc()
	}
	return &dtValue{t: time.Date(y, time.Month(mo), d, h, mi, s, us*1000, loc), tz: tz}, nil
}

// localZone is the zone of the injected clock ("local time").
func localZone(th *starlark.Thread) *time.Location {
	st := stateOf(th)
	if st != nil && st.env != nil && st.env.Now != nil {
		return st.env.Now().Location()
	}
	return time.UTC
}

// ---- time of day ----

type timeValue struct {
	h, m, s, us int
	tz          *tzValue
}

func (v *timeValue) String() string { return v.pyStr() }
func (v *timeValue) Type() string   { return "time" }
func (v *timeValue) Freeze()        {}
func (v *timeValue) Truth() starlark.Bool {
	return true
}
func (v *timeValue) Hash() (uint32, error) { return uint32(v.micros()), nil }
func (v *timeValue) pyType() *pyType       { return timeType }
func (v *timeValue) micros() int64 {
	return ((int64(v.h)*60+int64(v.m))*60+int64(v.s))*1e6 + int64(v.us)
}
func (v *timeValue) pyStr() string { return v.iso("auto") }
func (v *timeValue) iso(spec string) string {
	s := clockText(v.h, v.m, v.s, v.us, spec)
	if v.tz != nil {
		s += offsetText(v.tz.offset, ":")
	}
	return s
}
func (v *timeValue) pyRepr() string {
	s := fmt.Sprintf("datetime.time(%d, %d", v.h, v.m)
	if v.s != 0 || v.us != 0 {
		s += fmt.Sprintf(", %d", v.s)
	}
	if v.us != 0 {
		s += fmt.Sprintf(", %d", v.us)
	}
	return s + ")"
}
func (v *timeValue) asDatetime() *dtValue {
	loc := time.UTC
	if v.tz != nil {
		loc = v.tz.loc()
	}
	return &dtValue{t: time.Date(1900, 1, 1, v.h, v.m, v.s, v.us*1000, loc), tz: v.tz}
}
func (v *timeValue) pyFormat(spec string) (string, error) {
	if spec == "" {
		return v.pyStr(), nil
	}
	return strftime(v.asDatetime(), spec)
}
func (v *timeValue) Cmp(y starlark.Value, depth int) (int, error) {
	a, b := v.micros(), y.(*timeValue).micros()
	switch {
	case a < b:
		return -1, nil
	case a > b:
		return 1, nil
	}
	return 0, nil
}
func (v *timeValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "hour":
		return starlark.MakeInt(v.h), nil
	case "minute":
		return starlark.MakeInt(v.m), nil
	case "second":
		return starlark.MakeInt(v.s), nil
	case "microsecond":
		return starlark.MakeInt(v.us), nil
	case "tzinfo":
		if v.tz == nil {
			return starlark.None, nil
		}
		return v.tz, nil
	case "isoformat":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			spec := "auto"
			if err := unpack(name, args, kwargs, "timespec?", &spec); err != nil {
				return nil, err
			}
			return starlark.String(v.iso(spec)), nil
		}), nil
	case "strftime":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var f string
			if err := unpack(name, args, kwargs, "format", &f); err != nil {
				return nil, err
			}
			s, err := strftime(v.asDatetime(), f)
			return starlark.String(s), err
		}), nil
	case "replace":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			h, m, s, us := v.h, v.m, v.s, v.us
			if err := unpack(name, args, kwargs, "hour?", &h, "minute?", &m, "second?", &s, "microsecond?", &us); err != nil {
				return nil, err
			}
			dt, err := buildDatetime(1900, 1, 1, h, m, s, us, v.tz)
			if err != nil {
				return nil, err
			}
			return &timeValue{h: dt.t.Hour(), m: dt.t.Minute(), s: dt.t.Second(), us: dt.t.Nanosecond() / 1000, tz: v.tz}, nil
		}), nil
	}
	return nil, nil
}
func (v *timeValue) AttrNames() []string {
	return []string{"hour", "isoformat", "microsecond", "minute", "replace", "second", "strftime", "tzinfo"}
}

// ---- strftime / strptime ----

var (
	dayNames   = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

func strftime(d *dtValue, f string) (string, error) {
	t := d.t
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		noPad := false
		if f[i] == '-' && i+1 < len(f) {
			noPad = true
			i++
		}
		num := func(v, width int) {
			if noPad {
				b.WriteString(strconv.Itoa(v))
			} else {
				fmt.Fprintf(&b, "%0*d", width, v)
			}
		}
		wd := (int(t.Weekday()) + 6) % 7
		switch f[i] {
		case 'a':
			b.WriteString(dayNames[wd][:3])
		case 'A':
			b.WriteString(dayNames[wd])
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'u':
			b.WriteString(strconv.Itoa(wd + 1))
		case 'd':
			num(t.Day(), 2)
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'b', 'h':
			b.WriteString(monthNames[t.Month()-1][:3])
		case 'B':
			b.WriteString(monthNames[t.Month()-1])
		case 'm':
			num(int(t.Month()), 2)
		case 'y':
			num(t.Year()%100, 2)
		case 'Y':
			if noPad {
				b.WriteString(strconv.Itoa(t.Year()))
			} else {
				fmt.Fprintf(&b, "%04d", t.Year())
			}
		case 'H':
			num(t.Hour(), 2)
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, 2)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'M':
			num(t.Minute(), 2)
		case 'S':
			num(t.Second(), 2)
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'z':
			if d.tz != nil {
				b.WriteString(offsetText(d.tz.offset, ""))
			}
		case 'Z':
			if d.tz != nil {
				b.WriteString(d.tz.tzname())
			}
		case 'j':
			num(t.YearDay(), 3)
		case 'U':
			num((t.YearDay()+6-int(t.Weekday()))/7, 2)
		case 'W':
			num((t.YearDay()+6-wd)/7, 2)
		case 'G':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%04d", y)
		case 'V':
			_, w := t.ISOWeek()
			num(w, 2)
		case 'c':
			fmt.Fprintf(&b, "%s %s %2d %02d:%02d:%02d %04d", dayNames[wd][:3], monthNames[t.Month()-1][:3], t.Day(), t.Hour(), t.Minute(), t.Second(), t.Year())
		case 'x':
			fmt.Fprintf(&b, "%02d/%02d/%02d", int(t.Month()), t.Day(), t.Year()%100)
		case 'X':
			fmt.Fprintf(&b, "%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
		case 'D':
			fmt.Fprintf(&b, "%02d/%02d/%02d", int(t.Month()), t.Day(), t.Year()%100)
		case 'F':
			fmt.Fprintf(&b, "%04d-%02d-%02d", t.Year(), int(t.Month()), t.Day())
		case 'T':
			fmt.Fprintf(&b, "%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
		case 'R':
			fmt.Fprintf(&b, "%02d:%02d", t.Hour(), t.Minute())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
		if b.Len() > maxValueLen {
			return "", limitErr("strftime result too long")
		}
	}
	return b.String(), nil
}

func strptime(s, f string) (*dtValue, error) {
	fail := func() error {
		return pyErr(excValueError, "time data %s does not match format %s", strRepr(s), strRepr(f))
	}
	y, mo, d, h, mi, sec, us := 1900, 1, 1, 0, 0, 0, 0
	pm, hasPM, h12 := false, false, false
	yday := -1
	var tz *tzValue
	i := 0
	digits := func(maxN int) (int, bool) {
		j := i
		for j < len(s) && j-i < maxN && isDigit(s[j]) {
			j++
		}
		if j == i {
			return 0, false
		}
		n, _ := strconv.Atoi(s[i:j])
		i = j
		return n, true
	}
	name := func(names []string) (int, bool) {
		rest := strings.ToLower(s[i:])
		for k, n := range names {
			ln := strings.ToLower(n)
			if strings.HasPrefix(rest, ln) {
				i += len(ln)
				return k, true
			}
		}
		for k, n := range names {
			ab := strings.ToLower(n[:3])
			if strings.HasPrefix(rest, ab) {
				i += 3
				return k, true
			}
		}
		return 0, false
	}
	for k := 0; k < len(f); k++ {
		c := f[k]
		if c == ' ' || c == '\t' || c == '\n' {
			for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
				i++
			}
			continue
		}
		if c != '%' || k+1 >= len(f) {
			if i >= len(s) || !strings.EqualFold(s[i:i+1], f[k:k+1]) {
				return nil, fail()
			}
			i++
			continue
		}
		k++
		dir := f[k]
		if dir == '-' && k+1 < len(f) {
			k++
			dir = f[k]
		}
		var ok bool
		switch dir {
		case 'Y':
			y, ok = digits(4)
		case 'y':
			var v int
			if v, ok = digits(2); ok {
				if v < 69 {
					y = 2000 + v
				} else {
					y = 1900 + v
				}
			}
		case 'm':
			mo, ok = digits(2)
		case 'd':
			d, ok = digits(2)
		case 'H':
			h, ok = digits(2)
		case 'I':
			h, ok = digits(2)
			h12 = true
		case 'M':
			mi, ok = digits(2)
		case 'S':
			sec, ok = digits(2)
		case 'f':
			j := i
			us, ok = digits(6)
			for n := i - j; ok && n < 6; n++ {
				us *= 10
			}
		case 'j':
			yday, ok = digits(3)
		case 'p':
			rest := strings.ToUpper(s[i:])
			switch {
			case strings.HasPrefix(rest, "AM"):
				ok, hasPM = true, true
			case strings.HasPrefix(rest, "PM"):
				ok, hasPM, pm = true, true, true
			}
			if ok {
				i += 2
			}
		case 'b', 'B', 'h':
			var v int
			if v, ok = name(monthNames); ok {
				mo = v + 1
			}
		case 'a', 'A':
			_, ok = name(dayNames)
		case 'z':
			z, n, zok := parseOffset(s[i:])
			if zok {
				tz, i, ok = z, i+n, true
			}
		case 'Z':
			for _, zn := range []string{"UTC", "GMT", "Z"} {
				if strings.HasPrefix(strings.ToUpper(s[i:]), zn) {
					i += len(zn)
					ok = true
					if tz == nil {
						tz = utcTZ
					}
					break
				}
			}
		case '%':
			ok = i < len(s) && s[i] == '%'
			if ok {
				i++
			}
		default:
			return nil, pyErr(excValueError, "'%c' is a bad directive in format %s", dir, strRepr(f))
		}
		if !ok {
			return nil, fail()
		}
	}
	if i < len(s) {
		return nil, pyErr(excValueError, "unconverted data remains: %s", s[i:])
	}
	if h12 {
		if h < 1 || h > 12 {
			return nil, fail()
		}
		h %= 12
		if pm {
			h += 12
		}
	} else if hasPM && pm && h < 12 {
		h += 12
	}
	if yday > 0 {
		t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, yday-1)
		mo, d = int(t.Month()), t.Day()
	}
	dt, err := buildDatetime(y, mo, d, h, mi, sec, us, tz)
	if err != nil {
		return nil, fail()
	}
	return dt, nil
}

// parseOffset reads Z, ±HH, ±HHMM, ±HH:MM or ±HH:MM:SS.
func parseOffset(s string) (*tzValue, int, bool) {
	if strings.HasPrefix(s, "Z") || strings.HasPrefix(s, "z") {
		return utcTZ, 1, true
	}
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return nil, 0, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	i := 1
	var parts []int
	for len(parts) < 3 {
		if i+2 > len(s) || !isDigit(s[i]) || !isDigit(s[i+1]) {
			break
		}
		n, _ := strconv.Atoi(s[i : i+2])
		parts = append(parts, n)
		i += 2
		if i < len(s) && s[i] == ':' && len(parts) < 3 {
			i++
		}
	}
	if len(parts) == 0 || strings.HasSuffix(s[:i], ":") {
		return nil, 0, false
	}
	for len(parts) < 3 {
		parts = append(parts, 0)
	}
	off := sign * (parts[0]*3600 + parts[1]*60 + parts[2])
	if off == 0 {
		return utcTZ, i, true
	}
	return &tzValue{offset: off}, i, true
}

// fromISO parses Python's datetime.fromisoformat formats.
func fromISO(s string, wantDate bool) (*dtValue, error) {
	bad := pyErr(excValueError, "Invalid isoformat string: %s", strRepr(s))
	datePart, timePart := s, ""
	if len(s) > 10 {
		datePart, timePart = s[:10], s[11:]
		if !strings.Contains(datePart, "-") {
			datePart, timePart = s[:8], strings.TrimLeft(s[8:], "T ")
		}
	}
	var y, m, d int
	var err error
	if len(datePart) == 10 && datePart[4] == '-' && datePart[7] == '-' {
		y, err = strconv.Atoi(datePart[:4])
		if err == nil {
			m, err = strconv.Atoi(datePart[5:7])
		}
		if err == nil {
			d, err = strconv.Atoi(datePart[8:10])
		}
	} else if len(datePart) == 8 && isAllDigits(datePart) {
		y, _ = strconv.Atoi(datePart[:4])
		m, _ = strconv.Atoi(datePart[4:6])
		d, _ = strconv.Atoi(datePart[6:8])
	} else {
		return nil, bad
	}
	if err != nil {
		return nil, bad
	}
	if wantDate {
		if timePart != "" || len(s) > 10 {
			return nil, bad
		}
		dt, derr := buildDate(y, m, d)
		if derr != nil {
			return nil, bad
		}
		return dt, nil
	}
	h, mi, sec, us := 0, 0, 0, 0
	var tz *tzValue
	if timePart != "" {
		tp := timePart
		if k := strings.IndexAny(tp, "+-Zz"); k >= 0 {
			z, n, ok := parseOffset(tp[k:])
			if !ok || k+n != len(tp) {
				return nil, bad
			}
			tz, tp = z, tp[:k]
		}
		main, frac, hasFrac := strings.Cut(tp, ".")
		if !hasFrac {
			main, frac, hasFrac = strings.Cut(tp, ",")
		}
		fields := strings.Split(main, ":")
		if len(fields) == 1 && len(main) > 2 && isAllDigits(main) {
			fields = nil
			for k := 0; k+2 <= len(main); k += 2 {
				fields = append(fields, main[k:k+2])
			}
		}
		vals := []*int{&h, &mi, &sec}
		if len(fields) > 3 {
			return nil, bad
		}
		for k, fs := range fields {
			if len(fs) != 2 || !isAllDigits(fs) {
				return nil, bad
			}
			*vals[k], _ = strconv.Atoi(fs)
		}
		if hasFrac {
			if frac == "" || len(frac) > 9 || !isAllDigits(frac) {
				return nil, bad
			}
			if len(frac) > 6 {
				frac = frac[:6]
			}
			us, _ = strconv.Atoi(frac + strings.Repeat("0", 6-len(frac)))
		}
	}
	dt, derr := buildDatetime(y, m, d, h, mi, sec, us, tz)
	if derr != nil {
		return nil, bad
	}
	return dt, nil
}

func tsToTime(ts starlark.Value) (time.Time, error) {
	f, ok := numberAsFloat(ts)
	if !ok {
		return time.Time{}, pyErr(excTypeError, "'%s' object cannot be interpreted as a timestamp", typeOf(ts).name)
	}
	if math.IsNaN(f) || math.Abs(f) > 253402300800 {
		return time.Time{}, pyErr(excOverflowError, "timestamp out of range for platform time_t")
	}
	sec := math.Floor(f)
	us := math.RoundToEven((f - sec) * 1e6)
	return time.Unix(int64(sec), int64(us)*1000), nil
}

func tzArg(v starlark.Value) (*tzValue, error) {
	if v == nil || v == starlark.None {
		return nil, nil
	}
	z, ok := v.(*tzValue)
	if !ok {
		return nil, pyErr(excTypeError, "tzinfo argument must be None or of a tzinfo subclass, not type '%s'", typeOf(v).name)
	}
	return z, nil
}

func initDatetime() {
	nowFn := func(name string, utc bool) *starlark.Builtin {
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var tzv starlark.Value
			if !utc {
				if err := unpack(name, args, kwargs, "tz?", &tzv); err != nil {
					return nil, err
				}
			} else if err := unpack(name, args, kwargs); err != nil {
				return nil, err
			}
			now, err := stateOf(th).now()
			if err != nil {
				return nil, err
			}
			tz, err := tzArg(tzv)
			if err != nil {
				return nil, err
			}
			switch {
			case tz != nil:
				return &dtValue{t: now.In(tz.loc()).Round(time.Microsecond), tz: tz}, nil
			case utc:
				return naive(now.UTC()), nil
			}
			return naive(now), nil
		})
	}
	datetimeType.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var y, m, d int
		h, mi, s, us := 0, 0, 0, 0
		var tzv starlark.Value
		if err := unpack("datetime", args, kwargs, "year", &y, "month", &m, "day", &d, "hour?", &h, "minute?", &mi, "second?", &s, "microsecond?", &us, "tzinfo?", &tzv); err != nil {
			return nil, err
		}
		tz, err := tzArg(tzv)
		if err != nil {
			return nil, err
		}
		return buildDatetime(y, m, d, h, mi, s, us, tz)
	}
	datetimeType.attrs = starlark.StringDict{
		"now":    nowFn("now", false),
		"today":  nowFn("today", false),
		"utcnow": nowFn("utcnow", true),
		"fromisoformat": fn("fromisoformat", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("fromisoformat", args, kwargs, "date_string", &s); err != nil {
				return nil, err
			}
			return fromISO(s, false)
		}),
		"strptime": fn("strptime", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s, f string
			if err := unpack("strptime", args, kwargs, "date_string", &s, "format", &f); err != nil {
				return nil, err
			}
			return strptime(s, f)
		}),
		"fromtimestamp": fn("fromtimestamp", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var ts, tzv starlark.Value
			if err := unpack("fromtimestamp", args, kwargs, "timestamp", &ts, "tz?", &tzv); err != nil {
				return nil, err
			}
			t, err := tsToTime(ts)
			if err != nil {
				return nil, err
			}
			tz, err := tzArg(tzv)
			if err != nil {
				return nil, err
			}
			if tz != nil {
				return &dtValue{t: t.In(tz.loc()), tz: tz}, nil
			}
			return naive(t.In(localZone(th))), nil
		}),
		"utcfromtimestamp": fn("utcfromtimestamp", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var ts starlark.Value
			if err := unpack("utcfromtimestamp", args, kwargs, "timestamp", &ts); err != nil {
				return nil, err
			}
			t, err := tsToTime(ts)
			if err != nil {
				return nil, err
			}
			return naive(t.UTC()), nil
		}),
		"combine": fn("combine", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var dv, tv, tzv starlark.Value
			if err := unpack("combine", args, kwargs, "date", &dv, "time", &tv, "tzinfo?", &tzv); err != nil {
				return nil, err
			}
			d, ok1 := dv.(*dtValue)
			t, ok2 := tv.(*timeValue)
			if !ok1 || !ok2 {
				return nil, pyErr(excTypeError, "combine() takes a date and a time")
			}
			tz := t.tz
			if tzv != nil {
				var err error
				if tz, err = tzArg(tzv); err != nil {
					return nil, err
				}
			}
			return buildDatetime(d.t.Year(), int(d.t.Month()), d.t.Day(), t.h, t.m, t.s, t.us, tz)
		}),
		"min": &dtValue{t: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		"max": &dtValue{t: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
	}
	dateType.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var y, m, d int
		if err := unpack("date", args, kwargs, "year", &y, "month", &m, "day", &d); err != nil {
			return nil, err
		}
		return buildDate(y, m, d)
	}
	dateType.attrs = starlark.StringDict{
		"today": fn("today", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			now, err := stateOf(th).now()
			if err != nil {
				return nil, err
			}
			return mkDate(now.Year(), now.Month(), now.Day()), nil
		}),
		"fromisoformat": fn("fromisoformat", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("fromisoformat", args, kwargs, "date_string", &s); err != nil {
				return nil, err
			}
			return fromISO(s, true)
		}),
		"fromtimestamp": fn("fromtimestamp", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var ts starlark.Value
			if err := unpack("fromtimestamp", args, kwargs, "timestamp", &ts); err != nil {
				return nil, err
			}
			t, err := tsToTime(ts)
			if err != nil {
				return nil, err
			}
			t = t.In(localZone(th))
			return mkDate(t.Year(), t.Month(), t.Day()), nil
		}),
		"min": mkDate(1, 1, 1),
		"max": mkDate(9999, 12, 31),
	}
	timeType.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		h, m, s, us := 0, 0, 0, 0
		var tzv starlark.Value
		if err := unpack("time", args, kwargs, "hour?", &h, "minute?", &m, "second?", &s, "microsecond?", &us, "tzinfo?", &tzv); err != nil {
			return nil, err
		}
		tz, err := tzArg(tzv)
		if err != nil {
			return nil, err
		}
		if _, err := buildDatetime(1900, 1, 1, h, m, s, us, tz); err != nil {
			return nil, err
		}
		return &timeValue{h: h, m: m, s: s, us: us, tz: tz}, nil
	}
	timeType.attrs = starlark.StringDict{
		"fromisoformat": fn("fromisoformat", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("fromisoformat", args, kwargs, "time_string", &s); err != nil {
				return nil, err
			}
			dt, err := fromISO("1900-01-01T"+strings.TrimPrefix(s, "T"), false)
			if err != nil {
				return nil, pyErr(excValueError, "Invalid isoformat string: %s", strRepr(s))
			}
			return &timeValue{h: dt.t.Hour(), m: dt.t.Minute(), s: dt.t.Second(), us: dt.t.Nanosecond() / 1000, tz: dt.tz}, nil
		}),
	}
	timedeltaType.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		names := []string{"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"}
		scale := []int64{usPerDay, 1e6, 1, 1000, 60e6, 3600e6, 7 * usPerDay}
		vals := make([]starlark.Value, len(names))
		pairs := make([]any, 0, 2*len(names))
		for i, n := range names {
			pairs = append(pairs, n+"?", &vals[i])
		}
		if err := unpack("timedelta", args, kwargs, pairs...); err != nil {
			return nil, err
		}
		total := new(big.Rat)
		for i, v := range vals {
			if v == nil {
				continue
			}
			r, ok := numRat(v)
			if !ok {
				return nil, pyErr(excTypeError, "unsupported type for timedelta %s component: %s", names[i], typeOf(v).name)
			}
			total.Add(total, r.Mul(r, new(big.Rat).SetInt64(scale[i])))
		}
		return mkTD(total)
	}
	timedeltaType.attrs = starlark.StringDict{
		"min":        &tdValue{us: -maxTDDays * usPerDay},
		"max":        &tdValue{us: maxTDDays*usPerDay + usPerDay - 1},
		"resolution": &tdValue{us: 1},
	}
	timezoneType.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var off starlark.Value
		name := ""
		if err := unpack("timezone", args, kwargs, "offset", &off, "name?", &name); err != nil {
			return nil, err
		}
		td, ok := off.(*tdValue)
		if !ok {
			return nil, pyErr(excTypeError, "timezone() argument 1 must be datetime.timedelta")
		}
		if td.us <= -usPerDay || td.us >= usPerDay {
			return nil, pyErr(excValueError, "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)")
		}
		if td.us == 0 && name == "" {
			return utcTZ, nil
		}
		return &tzValue{offset: int(td.us / 1e6), name: name}, nil
	}
	timezoneType.attrs = starlark.StringDict{"utc": utcTZ}
	register(&module{name: "datetime", members: starlark.StringDict{
		"datetime": datetimeType, "date": dateType, "time": timeType,
		"timedelta": timedeltaType, "timezone": timezoneType, "tzinfo": tzinfoType,
		"MINYEAR": starlark.MakeInt(1), "MAXYEAR": starlark.MakeInt(9999),
		"UTC": utcTZ,
	}})
}
