namespace Navarch.Kubelet.Node;

/// <summary>
/// This machine's facts as the kubelet reports them in its Node object: capacity, system info and addresses.
/// Architecture uses Go's names (<c>amd64</c>, <c>arm64</c>), as <c>kubernetes.io/arch</c> and nodeInfo do.
/// </summary>
public sealed record NodeInfo
{
    public required string Hostname { get; init; }

    public required string InternalIP { get; init; }

    public required int CpuCount { get; init; }

    public required long MemoryBytes { get; init; }

    public required long EphemeralStorageBytes { get; init; }

    public int MaxPods { get; init; } = 110;

    public required string KernelVersion { get; init; }

    public required string OsImage { get; init; }

    public string OperatingSystem { get; init; } = "linux";

    public required string Architecture { get; init; }

    public required string MachineId { get; init; }

    public required string SystemUuid { get; init; }

    public required string BootId { get; init; }
}
