using System.Diagnostics;
using System.Globalization;

namespace Navarch.Bench;

/// <summary>
/// The processes of a node agent whose state lives under one directory, found through /proc by that directory in
/// their command line: the supervised containerd and its container shims (which outlive containerd by design). Reads
/// their CPU time, and ends and unmounts what is left of them after a run so the next run starts clean.
/// </summary>
internal sealed class AgentProcesses(string root)
{
    // USER_HZ, the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    /// <summary>
    /// CPU seconds (user + system) used so far by the containerd and by the shims under the directory, and by their
    /// children that have ended: the kernel adds a reaped child's time to its parent, so containerd's share holds the
    /// CNI plugins and <c>containerd-shim start</c> runs, the shims' share their <c>runc</c> runs.
    /// </summary>
    public AgentCpu CpuSeconds()
    {
        var cpu = new AgentCpu(0, 0, 0, 0);
        foreach (var (pid, command) in Matching())
        {
            var (own, children) = CpuSecondsOf(pid);
            if (command.StartsWith("containerd-shim", StringComparison.Ordinal) || command.Contains("/containerd-shim", StringComparison.Ordinal))
            {
                cpu = cpu with { Shims = cpu.Shims + own, ShimChildren = cpu.ShimChildren + children };
            }
            else if (command.StartsWith("containerd", StringComparison.Ordinal) || command.Contains("/containerd\0", StringComparison.Ordinal))
            {
                cpu = cpu with { Containerd = cpu.Containerd + own, ContainerdChildren = cpu.ContainerdChildren + children };
            }
        }

        return cpu;
    }

    /// <summary>
    /// Other containerds on this machine (not under the directory), and whether each has a pod network configured (a
    /// CNI config in its <c>cni/net.d</c>, as a node agent writes once its node has a pod CIDR): two of those share the
    /// cni0 bridge with different subnets, so a run beside one fails or measures nothing useful. A bare containerd
    /// (e.g. a test fixture's) only competes for CPU.
    /// </summary>
    public static IReadOnlyList<(string Description, bool HasPodNetwork)> OtherContainerds(string root)
    {
        var found = new List<(string, bool)>();
        foreach (var (pid, command) in All())
        {
            if ((command.StartsWith("containerd\0", StringComparison.Ordinal) || command.Contains("/containerd\0", StringComparison.Ordinal))
                && !command.Contains(root, StringComparison.Ordinal))
            {
                var arguments = command.Split('\0', StringSplitOptions.RemoveEmptyEntries);
                var config = Array.IndexOf(arguments, "--config") is var i and >= 0 && i + 1 < arguments.Length ? arguments[i + 1] : null;
                var netd = config is null ? null : Path.Combine(Path.GetDirectoryName(config) ?? "/", "cni", "net.d");
                var hasPodNetwork = netd is not null && Directory.Exists(netd) && Directory.EnumerateFiles(netd).Any();
                found.Add(($"{pid.ToString(CultureInfo.InvariantCulture)}: {string.Join(' ', arguments)}", hasPodNetwork));
            }
        }

        return found;
    }

    /// <summary>
    /// Kills every process left with the directory in its command line (shims, a containerd that outlived the server)
    /// and lazily unmounts the mounts under it (container root filesystems, sandbox namespaces); returns how many of each.
    /// </summary>
    public async Task<(int Killed, int Unmounted)> CleanUpAsync(CancellationToken ct)
    {
        var killed = 0;
        foreach (var (pid, _) in Matching())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }

        // Deepest first, so a mount is never detached before the ones on top of it.
        var mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(point => point.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(point => point.Length)
            .ToList();
        var unmounted = 0;
        foreach (var point in mounts)
        {
            using var umount = Process.Start("umount", ["-l", point]);
            await umount.WaitForExitAsync(ct).ConfigureAwait(false);
            if (umount.ExitCode == 0)
            {
                unmounted++;
            }
        }

        return (killed, unmounted);
    }

    private IEnumerable<(int Pid, string Command)> Matching() =>
        All().Where(p => p.Command.Contains(root, StringComparison.Ordinal) && p.Pid != Environment.ProcessId);

    /// <summary>Every process's id and NUL-separated command line, skipping those that end while being read.</summary>
    private static IEnumerable<(int Pid, string Command)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string command;
            try
            {
                command = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            yield return (pid, command);
        }
    }

    /// <summary>A process's own CPU seconds and those of its reaped children.</summary>
    private static (double Own, double Children) CpuSecondsOf(int pid)
    {
        try
        {
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (Ticks(fields, 11) + Ticks(fields, 12), Ticks(fields, 13) + Ticks(fields, 14));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    private static double Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture) / ClockTicksPerSecond;

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal.</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
