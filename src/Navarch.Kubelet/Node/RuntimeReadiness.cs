using Grpc.Core;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Node;

/// <summary>
/// Whether the container runtime can run pods, from CRI <c>Status</c>: its RuntimeReady and NetworkReady conditions,
/// worded as the kubelet words them in the node's Ready condition. containerd reports NetworkReady=false until a CNI
/// configuration is in its conf dir, so a node is not Ready (and gets no pods) before its pod network is.
/// </summary>
public sealed class RuntimeReadiness(CriClient cri)
{
    public const string RuntimeReady = "RuntimeReady";
    public const string NetworkReady = "NetworkReady";

    private readonly CriClient _cri = cri;

    /// <summary>Why the runtime cannot run pods, or null when it can.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Describe(await _cri.StatusAsync(verbose: false, cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return $"container runtime is down: {e.Status.Detail}";
        }
    }

    /// <summary>The kubelet's messages for the runtime's false conditions, joined as its aggregate error; null when both hold.</summary>
    public static string? Describe(StatusResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var conditions = response.Status?.Conditions ?? [];
        var problems = new List<string>(2);
        Check(RuntimeReady, "container runtime not ready");
        Check(NetworkReady, "container runtime network not ready");
        return problems.Count switch
        {
            0 => null,
            1 => problems[0],
            _ => "[" + string.Join(", ", problems) + "]",
        };

        void Check(string type, string prefix)
        {
            var condition = conditions.FirstOrDefault(c => c.Type == type);
            if (condition is null)
            {
                problems.Add($"{prefix}: {type} missing");
            }
            else if (!condition.Status)
            {
                problems.Add($"{prefix}: {type}=false reason:{condition.Reason} message:{condition.Message}");
            }
        }
    }
}
