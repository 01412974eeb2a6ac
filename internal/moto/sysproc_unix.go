//go:build unix && !linux

package moto

import "syscall"

// sysProcAttr puts moto in its own process group, so Stop can kill everything it spawned.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
