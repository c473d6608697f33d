using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// The pod's effective requests as PreFilter leaves them for Filter, with the extended resources to check and
/// their "Insufficient &lt;name&gt;" reasons prepared once, so checking a node allocates nothing when it fits.
/// </summary>
internal sealed class PodResourceRequest
{
    private const string InsufficientCpu = "Insufficient cpu";
    private const string InsufficientMemory = "Insufficient memory";
    private const string InsufficientEphemeralStorage = "Insufficient ephemeral-storage";

    private readonly Resource _requests;
    private readonly (string Name, long Quantity, string Reason)[] _scalars;

    private PodResourceRequest(Resource requests, (string, long, string)[] scalars)
    {
        _requests = requests;
        _scalars = scalars;
    }

    public static PodResourceRequest From(Resource requests, Func<string, bool> isIgnored)
    {
        var scalars = new List<(string, long, string)>();
        if (requests.Scalar is not null)
        {
            foreach (var (name, quantity) in requests.Scalar)
            {
                // A resource requested at zero never fails to fit.
                if (quantity == 0 || isIgnored(name)) continue;
                scalars.Add((name, quantity, "Insufficient " + name));
            }
        }

        return new PodResourceRequest(requests, [.. scalars]);
    }

    /// <summary>
    /// Every reason the pod does not fit, in kube-scheduler's order (pods, cpu, memory, ephemeral-storage,
    /// extended resources), or null when it fits. A resource absent from the node has 0 allocatable.
    /// </summary>
    public List<string>? InsufficientResources(NodeInfo nodeInfo)
    {
        List<string>? reasons = null;
        var allocatable = nodeInfo.Allocatable;
        var used = nodeInfo.Requested;

        if (nodeInfo.Pods.Count + 1 > allocatable.AllowedPodNumber) (reasons ??= []).Add(NodeResourcesFit.ErrReasonTooManyPods);

        var r = _requests;
        if (r.MilliCpu == 0 && r.Memory == 0 && r.EphemeralStorage == 0 && _scalars.Length == 0) return reasons;

        if (r.MilliCpu > 0 && r.MilliCpu > allocatable.MilliCpu - used.MilliCpu) (reasons ??= []).Add(InsufficientCpu);
        if (r.Memory > 0 && r.Memory > allocatable.Memory - used.Memory) (reasons ??= []).Add(InsufficientMemory);
        if (r.EphemeralStorage > 0 && r.EphemeralStorage > allocatable.EphemeralStorage - used.EphemeralStorage)
        {
            (reasons ??= []).Add(InsufficientEphemeralStorage);
        }

        foreach (var (name, quantity, reason) in _scalars)
        {
            if (quantity > allocatable.GetScalar(name) - used.GetScalar(name)) (reasons ??= []).Add(reason);
        }

        return reasons;
    }
}
