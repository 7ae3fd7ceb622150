package auth

// keyAlert holds a one-time message about something refused, shown on the
// next page as an error.
const keyAlert = "alert"

// SetAlert stores a one-time error message shown on the next page: why a
// form was refused, once the browser is back on the form's page.
func (s *Session) SetAlert(msg string) {
	s.s.Values[keyAlert] = msg
}

// TakeAlert returns and removes the one-time error message; ok reports
// whether there was one (the session then needs saving).
func (s *Session) TakeAlert() (msg string, ok bool) {
	msg, ok = s.s.Values[keyAlert].(string)
	if ok {
		delete(s.s.Values, keyAlert)
	}
	return msg, ok
}
