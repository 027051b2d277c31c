package dev.routecert.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of processes, read from Linux's {@code /proc}: a process counts with
 * its descendants (nginx's workers), and the machine's total shows how busy everything else was.
 */
final class ProcStats {

    /** USER_HZ: the unit of /proc's CPU times, 100 on every Linux architecture Java runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcStats() {}

    /** CPU times at one instant. */
    record Snapshot(long wallNanos, long serverCpuNanos, long selfCpuNanos, long machineBusyNanos) {

        /** Cores' worth of CPU that neither the server nor this process used since {@code before}. */
        double othersCores(Snapshot before) {
            long others = (machineBusyNanos - before.machineBusyNanos)
                    - (serverCpuNanos - before.serverCpuNanos)
                    - (selfCpuNanos - before.selfCpuNanos);
            return Math.max(0, others) / (double) (wallNanos - before.wallNanos);
        }
    }

    /**
     * CPU times now. A server in this very process (the cluster benchmark's) counts once, as this
     * process alone: its child processes (the test cluster's etcd and API server) count as others.
     */
    static Snapshot snapshot(long serverPid) {
        long self = ProcessHandle.current().pid();
        if (serverPid == self) {
            return new Snapshot(System.nanoTime(), cpuNanos(self), 0, machineBusyNanos());
        }
        return new Snapshot(
                System.nanoTime(),
                serverPid > 0 ? treeCpuNanos(serverPid) : 0,
                cpuNanos(ProcessHandle.current().pid()),
                machineBusyNanos());
    }

    /** user + system CPU time of a process and all its descendants. */
    static long treeCpuNanos(long pid) {
        return tree(pid).mapToLong(ProcStats::cpuNanos).sum();
    }

    /** Resident set of a process and its descendants, in KiB (shared pages count once per process). */
    static long treeRssKb(long pid) {
        return tree(pid).mapToLong(p -> statusKb(p, "VmRSS:")).sum();
    }

    static long cpuNanos(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat == null) {
            return 0;
        }
        // the command name may contain spaces and parentheses: fields start after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    }

    /**
     * user + system CPU time of this process's children that have ended and been waited for (the
     * kernel adds a child's time here when its exit is collected, as {@code Process.waitFor} does).
     */
    static long reapedChildrenCpuNanos() {
        String stat = read(Path.of("/proc/self/stat"));
        if (stat == null) {
            return 0;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * NANOS_PER_TICK;
    }

    static long statusKb(long pid, String field) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return 0;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(
                        line.substring(field.length()).replace("kB", "").trim());
            }
        }
        return 0;
    }

    private static long machineBusyNanos() {
        String stat = read(Path.of("/proc/stat"));
        if (stat == null) {
            return 0;
        }
        String[] f = stat.substring(0, stat.indexOf('\n')).trim().split(" +");
        long busy = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(f[i]);
            }
        }
        return busy * NANOS_PER_TICK;
    }

    private static Stream<Long> tree(long pid) {
        return ProcessHandle.of(pid)
                .map(p -> Stream.concat(Stream.of(pid), p.descendants().map(ProcessHandle::pid)))
                .orElse(Stream.of(pid));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** Samples a process tree's RSS every 100 ms until stopped and keeps the peak. */
    static final class RssSampler implements Runnable {
        private final long pid;
        private volatile boolean running = true;
        private volatile long peakKb;

        RssSampler(long pid) {
            this.pid = pid;
        }

        @Override
        public void run() {
            while (running && pid > 0) {
                peakKb = Math.max(peakKb, treeRssKb(pid));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() {
            running = false;
            if (pid > 0) {
                peakKb = Math.max(peakKb, treeRssKb(pid));
            }
        }

        long peakKb() {
            return peakKb;
        }
    }

    static List<Long> descendants(long pid) {
        return tree(pid).skip(1).toList();
    }
}
