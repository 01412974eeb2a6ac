package awstest

import "syscall"

// sysProcAttr puts moto in its own process group, so stop can kill everything it spawned, and has the kernel kill it
// when the test binary dies without reaching stop (a panic, a -timeout), so no orphan keeps its port.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
