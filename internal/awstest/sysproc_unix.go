//go:build unix && !linux

package awstest

import "syscall"

// sysProcAttr puts moto in its own process group, so stop can kill everything it spawned.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
