using System.Globalization;

namespace Navarch.Kubelet.Server;

/// <summary>
/// The node's own CPU, memory and filesystem numbers from <c>/proc</c> and the filesystem, for
/// <c>/stats/summary</c>; keeps the last CPU sample so it can report a rate (<c>usageNanoCores</c>) as cAdvisor does.
/// </summary>
internal sealed class NodeStatsProbe(TimeProvider time)
{
    // USER_HZ, in which /proc/stat counts; 100 on every Linux architecture the kubelet runs on.
    private const long ClockTicksPerSecond = 100;
    private readonly Lock _lock = new();
    private (long Timestamp, ulong UsageNanoSeconds)? _previous;

    public sealed record CpuSample(ulong UsageCoreNanoSeconds, ulong? UsageNanoCores);

    public sealed record MemorySample(ulong TotalBytes, ulong AvailableBytes, ulong FreeBytes);

    public sealed record FilesystemSample(ulong CapacityBytes, ulong AvailableBytes, ulong UsedBytes);

    public CpuSample? Cpu()
    {
        string? line;
        try
        {
            using var reader = new StreamReader("/proc/stat");
            line = reader.ReadLine();
        }
        catch (IOException)
        {
            return null;
        }

        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        ulong busy = 0;
        for (var i = 1; i < fields.Length && i <= 8; i++)
        {
            // idle (4) and iowait (5) are not usage.
            if (i is 4 or 5) continue;
            busy += ulong.Parse(fields[i], CultureInfo.InvariantCulture);
        }

        var usage = busy * (1_000_000_000UL / ClockTicksPerSecond);
        var now = time.GetTimestamp();
        ulong? rate = null;
        lock (_lock)
        {
            if (_previous is { } previous && usage >= previous.UsageNanoSeconds)
            {
                var elapsed = time.GetElapsedTime(previous.Timestamp, now).TotalSeconds;
                if (elapsed > 0) rate = (ulong)((usage - previous.UsageNanoSeconds) / elapsed);
            }

            _previous = (now, usage);
        }

        return new CpuSample(usage, rate);
    }

    public static MemorySample? Memory()
    {
        ulong total = 0, available = 0, free = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kilobytes(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kilobytes(line);
                else if (line.StartsWith("MemFree:", StringComparison.Ordinal)) free = Kilobytes(line);
            }
        }
        catch (IOException)
        {
            return null;
        }

        return total == 0 ? null : new MemorySample(total, available, free);

        static ulong Kilobytes(string line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 2 && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var value) ? value * 1024 : 0;
        }
    }

    public static FilesystemSample? Filesystem(string? path)
    {
        if (string.IsNullOrEmpty(path) || !Directory.Exists(path)) return null;
        try
        {
            var drive = new DriveInfo(path);
            return new FilesystemSample((ulong)drive.TotalSize, (ulong)drive.AvailableFreeSpace, (ulong)(drive.TotalSize - drive.TotalFreeSpace));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
