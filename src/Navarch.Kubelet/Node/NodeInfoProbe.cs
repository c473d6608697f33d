using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Navarch.Kubelet.Node;

/// <summary>
/// Reads this machine's facts for the Node object, from <c>/proc</c>, <c>/etc</c> and the network interfaces,
/// as the kubelet's cadvisor-backed machine info does. Files are read under <see cref="RootPath"/> so tests can
/// point it at a fake root.
/// </summary>
public sealed class NodeInfoProbe
{
    /// <summary>As the kubelet's default <c>--max-pods</c>.</summary>
    public const int DefaultMaxPods = 110;

    public NodeInfoProbe(string rootPath = "/")
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        RootPath = rootPath;
    }

    public string RootPath { get; }

    /// <summary>Probes the machine; ephemeral storage is the size of the file system holding <paramref name="dataDirectory"/>.</summary>
    public NodeInfo Probe(string dataDirectory, string? hostnameOverride = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var hostname = (hostnameOverride ?? Dns.GetHostName()).ToLowerInvariant();
        var machineId = ReadTrimmed("etc/machine-id") ?? "";
        return new NodeInfo
        {
            Hostname = hostname,
            InternalIP = FindInternalIP(),
            CpuCount = Environment.ProcessorCount,
            MemoryBytes = ParseMemTotal(ReadText("proc/meminfo") ?? ""),
            EphemeralStorageBytes = FileSystemSize(dataDirectory),
            MaxPods = DefaultMaxPods,
            KernelVersion = ReadTrimmed("proc/sys/kernel/osrelease") ?? Environment.OSVersion.Version.ToString(),
            OsImage = ParsePrettyName(ReadText("etc/os-release") ?? "") ?? "Linux",
            Architecture = ToGoArchitecture(RuntimeInformation.OSArchitecture),
            MachineId = machineId,

            // product_uuid is readable by root only; like a kubelet without it, fall back to something stable.
            SystemUuid = ReadTrimmed("sys/class/dmi/id/product_uuid") ?? machineId,
            BootId = ReadTrimmed("proc/sys/kernel/random/boot_id") ?? "",
        };
    }

    /// <summary>MemTotal of a <c>/proc/meminfo</c> text, in bytes (the file says kB, meaning KiB); 0 if absent.</summary>
    internal static long ParseMemTotal(string meminfo)
    {
        foreach (var line in meminfo.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = line["MemTotal:".Length..].Trim();
            var unitMultiplier = 1L;
            if (value.EndsWith("kB", StringComparison.Ordinal))
            {
                value = value[..^2].TrimEnd();
                unitMultiplier = 1024;
            }

            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) ? amount * unitMultiplier : 0;
        }

        return 0;
    }

    /// <summary>PRETTY_NAME of an os-release text, unquoted; null if absent.</summary>
    internal static string? ParsePrettyName(string osRelease)
    {
        foreach (var line in osRelease.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            {
                continue;
            }

            var value = line["PRETTY_NAME=".Length..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            return value.ToString();
        }

        return null;
    }

    /// <summary>Go's GOARCH name for an architecture, as Kubernetes labels and reports it.</summary>
    internal static string ToGoArchitecture(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>The first IPv4 address of an interface that is up and not loopback; 127.0.0.1 on a machine without one.</summary>
    internal static string FindInternalIP()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var address in nic.GetIPProperties().UnicastAddresses)
            {
                if (address.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address.Address))
                {
                    return address.Address.ToString();
                }
            }
        }

        return IPAddress.Loopback.ToString();
    }

    private static long FileSystemSize(string directory)
    {
        Directory.CreateDirectory(directory);

        // DriveInfo on Linux is statvfs of the mount point; given a directory it reports the file system holding it.
        return new DriveInfo(Path.GetFullPath(directory)).TotalSize;
    }

    private string? ReadText(string relativePath)
    {
        try
        {
            return File.ReadAllText(Path.Combine(RootPath, relativePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string? ReadTrimmed(string relativePath)
    {
        var text = ReadText(relativePath)?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }
}
