package moto

import "syscall"

// sysProcAttr puts moto in its own process group, so Stop can kill everything it spawned, and has the kernel kill it
// when the parent dies without reaching Stop (a panic, a test -timeout), so no orphan keeps its port.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
