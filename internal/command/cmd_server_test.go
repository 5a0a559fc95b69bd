package command

import "testing"

func TestWait(t *testing.T) {
	e := newStrEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"WAIT", "0", "0"}, ":0\r\n"},
		{[]string{"wait", "1", "100"}, ":0\r\n"},
		{[]string{"WAIT", "x", "0"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"WAIT", "0", "x"}, "-ERR timeout is not an integer or out of range\r\n"},
		{[]string{"WAIT", "0", "-1"}, "-ERR timeout is negative\r\n"},
	} {
		if got := e.do(c.args...); got != c.want {
			t.Errorf("%v = %q, want %q", c.args, got, c.want)
		}
	}
}
