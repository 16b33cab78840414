package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Machine describes where a run was measured.
type Machine struct {
	Cores     int    `json:"cores"`
	MemoryKiB int64  `json:"memory_kib"`
	GoVersion string `json:"go_version"`
	Kernel    string `json:"kernel"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	// LoadAvg is /proc/loadavg's 1-minute figure when the run started: above
	// the number of cores, the machine was busy with other work.
	LoadAvg float64 `json:"load_avg_1m"`
	// OpenFiles is the bench process's limit on open files (the soft limit,
	// raised to the hard one).
	OpenFiles uint64 `json:"open_files_limit"`
	// EphemeralPorts is net.ipv4.ip_local_port_range.
	EphemeralPorts string `json:"ephemeral_ports,omitempty"`
}

func machine(openFiles uint64) Machine {
	m := Machine{
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		OpenFiles: openFiles,
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryKiB = procField(b, "MemTotal:")
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			m.LoadAvg, _ = strconv.ParseFloat(f[0], 64)
		}
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		m.EphemeralPorts = strings.Join(strings.Fields(string(b)), "-")
	}
	return m
}

// raiseOpenFiles raises the soft limit on open files to the hard limit and
// returns the limit in force.
func raiseOpenFiles() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read the open files limit: %w", err)
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = raised.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			lim = raised
		}
	}
	return uint64(lim.Cur), nil
}

// procField returns the number after key in a /proc key-value file, in the
// file's unit (kB for VmRSS and MemTotal).
func procField(b []byte, key string) int64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// rssKiB reads VmRSS of process pid (0: this process) in KiB.
func rssKiB(pid int) (int64, error) {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read the resident memory: %w", err)
	}
	n := procField(b, "VmRSS:")
	if n == 0 {
		return 0, fmt.Errorf("no VmRSS in %s", path)
	}
	return n, nil
}

// openFilesOf reads the soft limit on open files of process pid from
// /proc/PID/limits; 0 when it cannot be read.
func openFilesOf(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// settledRSS samples the resident memory every interval until two samples in
// a row differ by less than 0.5 %, or until max has passed, and returns the
// last sample.
func settledRSS(pid int, interval, max time.Duration) (int64, error) {
	prev, err := rssKiB(pid)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(max)
	t := time.NewTicker(interval)
	defer t.Stop()
	for time.Now().Before(deadline) {
		<-t.C
		cur, err := rssKiB(pid)
		if err != nil {
			return 0, err
		}
		d := cur - prev
		if d < 0 {
			d = -d
		}
		prev = cur
		if d*200 < cur {
			return cur, nil
		}
	}
	return prev, nil
}
