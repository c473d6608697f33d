using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// A container's requests and limits as CRI <see cref="LinuxContainerResources"/>, with the kubelet's arithmetic
/// (generateLinuxContainerResources): cpu shares from the request (at least 2), a CFS quota over a 100 ms period from
/// the limit, the memory limit in bytes, and the OOM score adjustment of the pod's QoS class.
/// </summary>
internal static class ContainerResources
{
    public const long CpuPeriod = 100_000;
    public const long MinShares = 2;
    public const long MaxShares = 262_144;
    public const long MinQuota = 1_000;
    public const int GuaranteedOomScoreAdj = -997;
    public const int BestEffortOomScoreAdj = 1000;

    public static LinuxContainerResources Build(
        V1Pod pod, V1Container container, IReadOnlyDictionary<string, ResourceQuantity>? nodeAllocatable, bool swapControlled)
    {
        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        var cpuLimit = MilliValue(limits, "cpu");
        // The API server defaults a missing request to the limit; the kubelet sees the defaulted pod.
        var cpuRequest = MilliValue(requests, "cpu") ?? cpuLimit;
        var memoryLimit = Value(limits, "memory");
        var memoryRequest = Value(requests, "memory") ?? memoryLimit;

        var resources = new LinuxContainerResources
        {
            CpuShares = Shares(cpuRequest ?? 0),
            OomScoreAdj = OomScoreAdj(pod, memoryRequest ?? 0, Value(nodeAllocatable, "memory")),
        };
        if (cpuLimit is { } milli)
        {
            resources.CpuPeriod = CpuPeriod;
            resources.CpuQuota = Quota(milli, CpuPeriod);
        }

        if (memoryLimit is > 0)
        {
            resources.MemoryLimitInBytes = memoryLimit.Value;
            // As the kubelet with swap off (NoSwap): the container may not swap, so going over the limit is an OOM kill.
            if (swapControlled)
            {
                resources.MemorySwapLimitInBytes = memoryLimit.Value;
            }
        }

        return resources;
    }

    /// <summary>MilliCPUToShares: 1024 shares per cpu, never below 2 (the kernel's minimum) nor above 262144.</summary>
    public static long Shares(long milliCpu)
    {
        if (milliCpu == 0)
        {
            return MinShares;
        }

        var shares = milliCpu * 1024 / 1000;
        return Math.Clamp(shares, MinShares, MaxShares);
    }

    /// <summary>MilliCPUToQuota: the share of the period, never below 1 ms (the kernel's minimum quota).</summary>
    public static long Quota(long milliCpu, long period)
    {
        if (milliCpu == 0)
        {
            return 0;
        }

        return Math.Max(milliCpu * period / 1000, MinQuota);
    }

    /// <summary>
    /// GetContainerOOMScoreAdjust: Guaranteed −997, BestEffort 1000, Burstable in between by the share of the node's memory
    /// the container requests (kept within 3..999 so a Burstable container is never ranked as either other class).
    /// </summary>
    public static long OomScoreAdj(V1Pod pod, long memoryRequest, long? memoryCapacity)
    {
        switch (QosClass.Of(pod))
        {
            case QosClass.Guaranteed:
                return GuaranteedOomScoreAdj;
            case QosClass.BestEffort:
                return BestEffortOomScoreAdj;
        }

        var adjust = memoryCapacity is > 0 ? 1000 - (1000 * (decimal)memoryRequest / memoryCapacity.Value) : 1000;
        var value = (long)Math.Truncate(adjust);
        if (value < 1000 + GuaranteedOomScoreAdj)
        {
            return 1000 + GuaranteedOomScoreAdj;
        }

        return value == BestEffortOomScoreAdj ? value - 1 : value;
    }

    private static long? MilliValue(IDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? (long)Math.Ceiling(quantity.ToDecimal() * 1000m) : null;

    private static long? Value(IDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? (long)Math.Ceiling(quantity.ToDecimal()) : null;

    private static long? Value(IReadOnlyDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? (long)Math.Ceiling(quantity.ToDecimal()) : null;
}
