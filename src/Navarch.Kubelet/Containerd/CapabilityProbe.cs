using System.Globalization;

namespace Navarch.Kubelet.Containerd;

/// <summary>Reads this process's effective capabilities, to configure containerd for what it will not be allowed to do.</summary>
internal static class CapabilityProbe
{
    /// <summary>CAP_SYS_RESOURCE: needed to lower a process's oom_score_adj, as the CRI plugin does for sandboxes (-998).</summary>
    public const int SysResource = 24;

    public static bool HasEffective(int capability)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                var mask = ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return (mask & (1UL << capability)) != 0;
            }
        }

        return false;
    }
}
