package engine

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var durationRE = regexp.MustCompile(`^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// addISODuration adds an ISO-8601 duration (PnYnMnWnDTnHnMnS) to t. Years
// and months are calendar lengths counted from t, as SpiffWorkflow counts
// them; fractions are allowed.
func addISODuration(t time.Time, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return time.Time{}, fmt.Errorf("%q is not an ISO-8601 duration such as PT1H or P2D", s)
	}
	num := func(i int) float64 {
		if m[i] == "" {
			return 0
		}
		v, _ := strconv.ParseFloat(strings.ReplaceAll(m[i], ",", "."), 64)
		return v
	}
	years, months := num(1), num(2)
	wy, fy := math.Modf(years)
	wm, fm := math.Modf(months)
	out := t.AddDate(int(wy), int(wm), 0)
	if fy != 0 {
		out = out.Add(time.Duration(fy * 365.25 * 24 * float64(time.Hour)))
	}
	if fm != 0 {
		out = out.Add(time.Duration(fm * 30.44 * 24 * float64(time.Hour)))
	}
	secs := num(3)*7*86400 + num(4)*86400 + num(5)*3600 + num(6)*60 + num(7)
	return out.Add(time.Duration(secs * float64(time.Second))), nil
}

// parseISODuration gives a duration's length counted from t.
func parseISODuration(t time.Time, s string) (time.Duration, error) {
	end, err := addISODuration(t, s)
	if err != nil {
		return 0, err
	}
	return end.Sub(t), nil
}

// parseISODate parses an ISO-8601 date-time; one without a zone is UTC.
func parseISODate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"}
	for _, l := range layouts {
		if v, err := time.Parse(l, s); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO-8601 date-time such as 2026-01-05T09:00:00Z", s)
}

// parseCycle parses R[n]/<duration>, R[n]/<start>/<duration> and
// R[n]/<duration>/<end>. It returns the first due time, the period and the
// number of repetitions (-1 for unbounded).
func parseCycle(now time.Time, s string) (time.Time, time.Duration, int, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "R") {
		return time.Time{}, 0, 0, fmt.Errorf("%q is not an ISO-8601 repeating interval such as R3/PT1H", s)
	}
	reps := -1
	if parts[0] != "R" {
		n, err := strconv.Atoi(parts[0][1:])
		if err != nil || n < 0 {
			return time.Time{}, 0, 0, fmt.Errorf("%q: bad repetition count", s)
		}
		reps = n
	}
	switch len(parts) {
	case 2:
		d, err := parseISODuration(now, parts[1])
		if err != nil {
			return time.Time{}, 0, 0, err
		}
		return now.Add(d), d, reps, nil
	case 3:
		if strings.HasPrefix(parts[1], "P") {
			d, err := parseISODuration(now, parts[1])
			if err != nil {
				return time.Time{}, 0, 0, err
			}
			return now.Add(d), d, reps, nil
		}
		start, err := parseISODate(parts[1])
		if err != nil {
			return time.Time{}, 0, 0, err
		}
		d, err := parseISODuration(start, parts[2])
		if err != nil {
			return time.Time{}, 0, 0, err
		}
		return start, d, reps, nil
	}
	return time.Time{}, 0, 0, fmt.Errorf("%q is not an ISO-8601 repeating interval", s)
}

// ParseDuration gives the length of an ISO-8601 duration counted from t.
func ParseDuration(t time.Time, s string) (time.Duration, error) { return parseISODuration(t, s) }
